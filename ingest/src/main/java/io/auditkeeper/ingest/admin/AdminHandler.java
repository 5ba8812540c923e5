package io.auditkeeper.ingest.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The admin port: {@code /healthz} (the process serves), {@code /readyz} (it can take batches: Kafka is reachable
 * and the server is not stopping), {@code /metrics} (Prometheus text format). Kept off the webhook port so that
 * probes and scrapes need no client certificate and never compete with the apiserver's batches.
 */
public final class AdminHandler extends Handler.Abstract.NonBlocking {
    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier ready;

    public AdminHandler(PrometheusMeterRegistry registry, BooleanSupplier ready) {
        this.registry = registry;
        this.ready = ready;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        switch (path) {
            case "/healthz" -> write(response, callback, 200, "text/plain", "ok\n");
            case "/readyz" -> {
                boolean ok = ready.getAsBoolean();
                write(response, callback, ok ? 200 : 503, "text/plain", ok ? "ready\n" : "not ready: Kafka is not reachable\n");
            }
            case "/metrics" -> write(response, callback, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
            default -> write(response, callback, 404, "text/plain", "not found\n");
        }
        return true;
    }

    private static void write(Response response, Callback callback, int status, String type, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
