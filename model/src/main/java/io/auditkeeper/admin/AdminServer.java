package io.auditkeeper.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin port every Kafka-side service serves, on the JDK's own HTTP server (no web framework for three plain-text
 * endpoints): {@code /healthz} answers 200 while the process can answer at all and has not lost a part it cannot
 * restart by itself (a liveness probe restarts it otherwise), {@code /readyz} answers 200 when the service is doing its work and 503 with the reason when not (so an
 * operator reads why from the probe), and {@code /metrics} is the Prometheus text a scraper reads. The services supply
 * only the readiness check and the scrape, so the endpoints behave the same in each of them.
 */
public final class AdminServer implements AutoCloseable {
    /** The Prometheus text exposition format, version 0.0.4. */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Why the service is not ready, or empty when it is. */
    @FunctionalInterface
    public interface Readiness {
        Optional<String> notReadyReason();
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private AdminServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving on {@code host}:{@code port} (0 picks a free port).
     *
     * @param readiness checked on every {@code /readyz} request
     * @param scrape    the Prometheus text of every {@code /metrics} request
     */
    public static AdminServer start(String host, int port, Readiness readiness, Supplier<String> scrape) throws IOException {
        return start(host, port, readiness, Optional::empty, scrape);
    }

    /**
     * As {@link #start(String, int, Readiness, Supplier)}, with a liveness check: when {@code liveness} gives a reason,
     * {@code /healthz} answers 503 with it, so that the kubelet restarts a process that cannot recover by itself (a
     * worker thread that died), rather than leaving it up and not ready for ever.
     */
    public static AdminServer start(String host, int port, Readiness readiness, Readiness liveness,
                                    Supplier<String> scrape) throws IOException {
        Objects.requireNonNull(readiness, "readiness");
        Objects.requireNonNull(liveness, "liveness");
        Objects.requireNonNull(scrape, "scrape");
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/healthz", ex -> {
            Optional<String> reason = liveness.notReadyReason();
            reply(ex, reason.isEmpty() ? 200 : 503, "text/plain; charset=utf-8",
                    reason.map(r -> "not alive: " + r + "\n").orElse("ok\n"));
        });
        server.createContext("/readyz", ex -> {
            Optional<String> reason = readiness.notReadyReason();
            reply(ex, reason.isEmpty() ? 200 : 503, "text/plain; charset=utf-8",
                    reason.map(r -> "not ready: " + r + "\n").orElse("ready\n"));
        });
        server.createContext("/metrics", ex -> reply(ex, 200, PROMETHEUS_CONTENT_TYPE, scrape.get()));
        // Two threads: a slow scrape does not hold up a probe.
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "admin-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new AdminServer(server, executor);
    }

    /** The port it listens on (the chosen one when started with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int status, String contentType, String body) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", contentType);
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
