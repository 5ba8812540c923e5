package io.auditkeeper.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback ports for servers that must be told their port before they bind it (a KRaft controller's quorum address, a
 * broker's bootstrap address that has to survive a restart, an external radosgw), held for as long as the server
 * lives.
 *
 * <p>Finding a free port by binding 0 and closing again leaves a window in which anything else on the machine (another
 * test JVM, a client's outgoing connection) can take the port before the server binds it, and a stopped broker
 * releases its port until it restarts. A {@link Reservation} closes both windows without a gap: it keeps a TCP socket
 * bound to the port with {@code SO_REUSEADDR}, but not listening. On Linux the kernel then gives the port to nobody
 * else (neither a bind to port 0 nor an outgoing connection's local port, and an explicit bind without
 * {@code SO_REUSEADDR} fails), while a server that sets {@code SO_REUSEADDR} binds and listens on it beside the
 * reservation, as often as it restarts. Kafka's and OpenSearch's listeners (NIO server channels, Netty with
 * {@code network.tcp.reuse_address}), ceph-mon and radosgw all set it. A connection to a reserved port whose server is
 * down is refused, as to a free one. Public for harnesses that restart servers of their own on fixed ports (the
 * soak's ingest instances, as a Service's pods keep their port).
 */
public final class Ports {
    private Ports() { }

    /** {@code count} different loopback ports, each held until its reservation is closed. */
    public static List<Reservation> reserveLoopbackPorts(int count) {
        List<Reservation> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                held.add(Reservation.any());
            }
            return held;
        } catch (IOException e) {
            releaseAll(held);
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** Closes every reservation, ignoring failures: the ports are free either way once the JVM lets go of them. */
    public static void releaseAll(List<Reservation> reservations) {
        for (Reservation r : reservations) {
            r.close();
        }
    }

    /** A loopback port held by a bound, non-listening {@code SO_REUSEADDR} socket; see {@link Ports}. */
    public static final class Reservation implements AutoCloseable {
        private final Socket socket;
        private final int port;

        private Reservation(Socket socket) {
            this.socket = socket;
            this.port = socket.getLocalPort();
        }

        static Reservation any() throws IOException {
            Socket s = new Socket();
            try {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                return new Reservation(s);
            } catch (IOException e) {
                s.close();
                throw e;
            }
        }

        public int port() {
            return port;
        }

        /** Lets the port go (the server, if it still listens, keeps it). Idempotent. */
        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // the port is free either way once the JVM lets go of it
            }
        }

        @Override
        public String toString() {
            return "Reservation[" + port + "]";
        }
    }
}
