package io.auditkeeper.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on loopback that can cut the network between a client and a real server, and restore it. Why:
 * tests of what happens while a store is down (S3 or OpenSearch unreachable) should see a real outage from the
 * client's side, connection resets and refused connections, while the store itself keeps its data and comes back on
 * the same address. While cut, open connections are reset and new ones are accepted and closed at once. It can also
 * lose the answer to one request ({@link #loseResponseTo}): the server did the work, the client never hears of it.
 * And it can stall ({@link #stall}): connections stay open and nothing goes through, what a client sees of a store
 * that hangs or of a network that drops packets silently, and only its own timeouts end its wait.
 */
public final class TcpProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Socket> held = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final java.util.concurrent.atomic.AtomicReference<String> loseResponseTo = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile boolean cut;
    private volatile boolean stalled;
    private volatile boolean closed;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
    }

    /** Starts forwarding from a free loopback port to {@code host:port}. */
    public static TcpProxy start(String host, int port) throws IOException {
        TcpProxy p = new TcpProxy(new InetSocketAddress(host, port));
        p.acceptor.start();
        return p;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Resets every open connection and refuses new ones until {@link #restore}. */
    public void cut() {
        cut = true;
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    /**
     * Forwards nothing, in either direction, until {@link #restore}, and keeps every connection open: new ones are
     * accepted and never answered, and what is sent over the open ones is dropped, so that no request reaches the
     * server and no answer the client.
     */
    public void stall() {
        stalled = true;
    }

    /** Ends a {@link #cut} or a {@link #stall}; the connections a stall held are reset (nothing can resume on them). */
    public void restore() {
        cut = false;
        if (stalled) {
            resetAll();
            stalled = false;
            // those accepted while the loop above ran
            resetAll();
        }
    }

    private void resetAll() {
        for (Set<Socket> sockets : List.of(open, held)) {
            for (Socket s : sockets) {
                reset(s);
            }
            sockets.clear();
        }
    }

    /**
     * Loses the answer to the next request whose first bytes are {@code requestStart} (an HTTP method and a space, say
     * {@code "PUT "}): the request reaches the server, and when the server's answer arrives both connections are reset
     * instead. What a client sees when a network fails after the server did the work.
     */
    public void loseResponseTo(String requestStart) {
        loseResponseTo.set(requestStart);
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (cut) {
                reset(client);
                continue;
            }
            if (stalled) {
                held.add(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5_000);
            } catch (IOException e) {
                reset(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            java.util.concurrent.atomic.AtomicBoolean loseNextAnswer = new java.util.concurrent.atomic.AtomicBoolean();
            pipe(client, upstream, chunk -> {
                String start = loseResponseTo.get();
                if (start != null && chunk.startsWith(start) && loseResponseTo.compareAndSet(start, null)) {
                    loseNextAnswer.set(true);
                }
                return true;
            });
            // an interim "100 Continue" (a PUT with Expect: 100-continue) goes through: the answer lost is the final one
            pipe(upstream, client, chunk -> !loseNextAnswer.get() || chunk.startsWith("HTTP/1.1 100"));
        }
    }

    /** Copies {@code from} to {@code to} while {@code pass} lets each chunk (as Latin-1 text) through; resets both if not. */
    private void pipe(Socket from, Socket to, java.util.function.Predicate<String> pass) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (stalled) {
                        continue;
                    }
                    if (!pass.test(new String(buffer, 0, Math.min(n, 16), java.nio.charset.StandardCharsets.ISO_8859_1))) {
                        reset(from);
                        reset(to);
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // the other side closed, or the proxy cut the connection
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // closing anyway
        }
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        for (Socket s : held) {
            closeQuietly(s);
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
