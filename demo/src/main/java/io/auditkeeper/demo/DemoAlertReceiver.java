package io.auditkeeper.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What stands in for PagerDuty or Slack in the demo: an HTTPS endpoint on loopback, with the demo's server
 * certificate, that takes every alert the notifier posts (200) and keeps its {@code Idempotency-Key}, so the demo can
 * show each alert arriving once.
 */
final class DemoAlertReceiver implements AutoCloseable {
    private final HttpsServer server;
    private final List<String> keys = new CopyOnWriteArrayList<>();

    DemoAlertReceiver(SSLContext tls) throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/alerts", this::take);
        server.start();
    }

    private void take(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
        }
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        if ("POST".equals(exchange.getRequestMethod()) && key != null) {
            keys.add(key);
            exchange.sendResponseHeaders(200, -1);
        } else {
            exchange.sendResponseHeaders(400, -1);
        }
        exchange.close();
    }

    URI url() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/alerts");
    }

    /** The deduplication keys (alert ids) of the alerts taken, in order, after waiting up to {@code patience} for n. */
    List<String> await(int n, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (keys.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return List.copyOf(keys);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
