package io.auditkeeper.ingest.pubsub;

import io.auditkeeper.ingest.admin.IngestMetrics;
import io.auditkeeper.ingest.auth.ClientIdentity;
import io.auditkeeper.ingest.http.InFlightBytesLimiter;
import io.auditkeeper.ingest.http.WebhookException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;

/**
 * One push while {@link PubSubHandler} handles it: the response and its callback, when it arrived, who sent it, its
 * message id once read and the in-flight bytes it holds. It writes the one answer ({@code {"error", "message"}} on an
 * error, as the webhook does), counts it and logs it as {@code pubsub push}, never with the token or the entry.
 */
final class PubSubExchange {
    private static final Logger LOG = LoggerFactory.getLogger(PubSubHandler.class);

    private final Response response;
    private final Callback callback;
    private final IngestMetrics metrics;
    private final long start = System.nanoTime();
    private final Instant receivedAt;
    private ClientIdentity client;
    private String messageId;
    private InFlightBytesLimiter.Reservation reservation;
    private boolean bodyRead;

    PubSubExchange(Response response, Callback callback, IngestMetrics metrics, Clock clock) {
        this.response = response;
        this.callback = callback;
        this.metrics = metrics;
        this.receivedAt = clock.instant();
    }

    Instant receivedAt() {
        return receivedAt;
    }

    ClientIdentity client() {
        return client;
    }

    void authenticatedAs(ClientIdentity client) {
        this.client = client;
    }

    void message(String messageId) {
        this.messageId = messageId;
    }

    void hold(InFlightBytesLimiter.Reservation reservation) {
        this.reservation = reservation;
    }

    void release() {
        if (reservation != null) {
            reservation.close();
        }
    }

    boolean bodyRead() {
        return bodyRead;
    }

    void markBodyRead() {
        bodyRead = true;
    }

    /** 200: the entry is in Kafka, or, with {@code deadLettered}, a body that is no GKE push is in the dead-letter topic. */
    void acknowledge(boolean deadLettered, String error, int bytes) {
        respond(200, deadLettered ? "{\"deadLettered\":true}" : "{}", false);
        log(200, error, bytes);
    }

    void fail(WebhookException e, boolean close) {
        respond(e.status(), "{\"error\":\"" + e.error() + "\",\"message\":\"" + escape(e.getMessage()) + "\"}", close);
        log(e.status(), e.error(), 0);
    }

    private void respond(int status, String json, boolean close) {
        metrics.request(status);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (status == 405) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
        }
        if (close) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private void log(int status, String error, int bytes) {
        var event = status >= 500 ? LOG.atWarn() : status >= 400 || error != null ? LOG.atInfo() : LOG.atDebug();
        event.addKeyValue("status", status)
                .addKeyValue("message_id", messageId)
                .addKeyValue("client", client == null ? null : client.value())
                .addKeyValue("bytes", bytes)
                .addKeyValue("duration_ms", (System.nanoTime() - start) / 1_000_000)
                .addKeyValue("error", error)
                .log("pubsub push");
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
