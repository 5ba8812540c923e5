package io.auditkeeper.ingest.http;

import io.auditkeeper.ingest.admin.IngestMetrics;
import io.auditkeeper.ingest.auth.ClientIdentity;
import io.auditkeeper.ingest.kafka.BatchOrigin;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One audit batch while {@link AuditWebhookHandler} handles it: the response and its callback, when it arrived,
 * and what is learnt on the way (the cluster, the authenticated client, the in-flight bytes it holds, whether its body
 * was read). It writes the one answer, counts it and logs it as {@code audit batch}, on the request thread or from
 * Kafka's acknowledgement callback; nothing is changed after the batch is handed to Kafka.
 */
final class WebhookExchange {
    /** The handler's logger: operators find the {@code audit batch} lines under its name. */
    private static final Logger LOG = LoggerFactory.getLogger(AuditWebhookHandler.class);

    private final Response response;
    private final Callback callback;
    private final IngestMetrics metrics;
    private final long start = System.nanoTime();
    private final Instant receivedAt;
    private String cluster;
    private ClientIdentity client;
    private InFlightBytesLimiter.Reservation reservation;
    private boolean bodyRead;

    WebhookExchange(Response response, Callback callback, IngestMetrics metrics, java.time.Clock clock) {
        this.receivedAt = clock.instant();
        this.response = response;
        this.callback = callback;
        this.metrics = metrics;
    }

    /** The cluster the batch is posted for, from the URL; null until routed. */
    String cluster() {
        return cluster;
    }

    void routedTo(String cluster) {
        this.cluster = cluster;
    }

    /** The authenticated client; null until authenticated. */
    ClientIdentity client() {
        return client;
    }

    void authenticatedAs(ClientIdentity client) {
        this.client = client;
    }

    /** The in-flight bytes this request holds (null before they are reserved); grows as the body is read. */
    InFlightBytesLimiter.Reservation reservation() {
        return reservation;
    }

    void hold(InFlightBytesLimiter.Reservation reservation) {
        this.reservation = reservation;
    }

    /** Gives the in-flight bytes back: once Kafka has answered, or when the request fails before. */
    void release() {
        if (reservation != null) {
            reservation.close();
        }
    }

    /** Whether the whole body was read (else it must be drained, or the connection closed, before answering). */
    boolean bodyRead() {
        return bodyRead;
    }

    void markBodyRead() {
        bodyRead = true;
    }

    /** What every record written for the batch records of where it came from. */
    BatchOrigin origin() {
        return new BatchOrigin(cluster, receivedAt, client);
    }

    /** 200 with the counts of the batch, all of which Kafka has acknowledged; {@code bytes} is the decoded body's. */
    void accept(int accepted, int rejected, int bytes) {
        String json = "{\"accepted\":" + accepted + ",\"rejected\":" + rejected + "}";
        respond(200, json, 0, false);
        log(200, null, accepted, rejected, bytes);
    }

    /** The error's status and JSON; {@code close} ends the connection after the answer. */
    void fail(WebhookException e, boolean close) {
        String json = "{\"error\":\"" + e.error() + "\",\"message\":\"" + jsonEscape(e.getMessage()) + "\"}";
        respond(e.status(), json, e.retryAfterSeconds(), close);
        log(e.status(), e.error(), 0, 0, 0);
    }

    private void respond(int status, String json, int retryAfter, boolean close) {
        metrics.request(status);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (status == 405) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
        }
        if (status == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"auditkeeper\"");
        }
        if (retryAfter > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(retryAfter));
        }
        if (close) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** One line per answered batch; counts and bytes are 0 when none was accepted. */
    private void log(int status, String error, int accepted, int rejected, int bytes) {
        var event = status >= 500 ? LOG.atWarn() : status >= 400 ? LOG.atInfo() : LOG.atDebug();
        event.addKeyValue("status", status)
                .addKeyValue("cluster", cluster)
                .addKeyValue("client", client == null ? null : client.value())
                .addKeyValue("accepted", accepted)
                .addKeyValue("rejected", rejected)
                .addKeyValue("bytes", bytes)
                .addKeyValue("duration_ms", (System.nanoTime() - start) / 1_000_000)
                .addKeyValue("error", error)
                .log("audit batch");
    }

    private static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
