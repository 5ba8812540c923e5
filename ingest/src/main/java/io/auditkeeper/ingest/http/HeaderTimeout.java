package io.auditkeeper.ingest.http;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request line and headers do not arrive in time. Jetty's idle timeout is reset by every
 * byte, so a client that sends its head a byte at a time (or opens a connection, or starts a TLS handshake, and stops)
 * holds a connection for as long as it likes, and enough of them fill {@code limits.max-connections} for every
 * apiserver. The time counts from the connection's opening, handshake included, and on a kept-alive connection from
 * the first byte after the previous answer; a connection with nothing sent since its last answer is idle, which the
 * idle timeout governs. While a request is being handled its body has its own deadline ({@code limits.read-timeout-ms}).
 *
 * <p>Registered as a listener of the webhook's HTTP connections; {@link #requestStarted} and {@link #requestEnded}
 * mark each exchange. A sweep every quarter of the timeout (at most a second) does the closing, so a connection may
 * live up to that much past the timeout.
 */
public final class HeaderTimeout extends AbstractLifeCycle implements Connection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(HeaderTimeout.class);

    private final long timeoutNanos;
    private final Runnable onClose;
    private final Map<Connection, State> connections = new ConcurrentHashMap<>();
    private ScheduledExecutorService sweeper;

    /** @param onClose counts a connection closed for its slow head */
    public HeaderTimeout(Duration timeout, Runnable onClose) {
        this.timeoutNanos = timeout.toNanos();
        this.onClose = onClose;
    }

    /** Where a connection is between answers: the time its next head began (0: none begun) and its bytes so far. */
    private static final class State {
        volatile boolean busy;
        volatile long headSince;
        volatile long bytesAtIdle;

        State(long openedAt) {
            headSince = openedAt;
        }
    }

    @Override
    protected void doStart() {
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ingest-header-timeout");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(10, Math.min(1_000, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 4));
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        sweeper.shutdownNow();
    }

    @Override
    public void onOpened(Connection connection) {
        connections.put(connection, new State(System.nanoTime()));
    }

    @Override
    public void onClosed(Connection connection) {
        connections.remove(connection);
    }

    /** The head of a request on {@code connection} has been read: its handling begins. */
    public void requestStarted(Connection connection) {
        State s = connections.get(connection);
        if (s != null) {
            s.busy = true;
            s.headSince = 0;
        }
    }

    /** The answer on {@code connection} is sent: what comes next is a new head, or idleness. */
    public void requestEnded(Connection connection) {
        State s = connections.get(connection);
        if (s != null) {
            s.bytesAtIdle = connection.getBytesIn();
            s.headSince = 0;
            s.busy = false;
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        connections.forEach((connection, s) -> {
            if (s.busy) {
                return;
            }
            long since = s.headSince;
            if (since == 0) {
                if (connection.getBytesIn() > s.bytesAtIdle) {
                    s.headSince = now;
                }
            } else if (now - since > timeoutNanos) {
                connections.remove(connection);
                onClose.run();
                LOG.atInfo().addKeyValue("remote", connection.getEndPoint().getRemoteSocketAddress())
                        .addKeyValue("timeout_ms", TimeUnit.NANOSECONDS.toMillis(timeoutNanos))
                        .log("connection closed: its request head did not arrive in time (limits.header-timeout-ms)");
                connection.getEndPoint().close();
            }
        });
    }
}
