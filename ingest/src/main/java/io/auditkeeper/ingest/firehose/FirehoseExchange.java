package io.auditkeeper.ingest.firehose;

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
 * One Firehose request while {@link FirehoseHandler} handles it: the response and its callback, when it arrived, the
 * request id Firehose gave it, who sent it and the in-flight bytes it holds. It writes the one answer in Firehose's
 * format ({@code {"requestId", "timestamp"}}, plus {@code errorMessage} on an error, which Firehose copies into its
 * S3 backup of data it gave up on), counts it and logs it as {@code firehose request}.
 */
final class FirehoseExchange {
    private static final Logger LOG = LoggerFactory.getLogger(FirehoseHandler.class);

    private final Response response;
    private final Callback callback;
    private final IngestMetrics metrics;
    private final Clock clock;
    private final long start = System.nanoTime();
    private final Instant receivedAt;
    private String requestId;
    private ClientIdentity client;
    private InFlightBytesLimiter.Reservation reservation;
    private boolean bodyRead;

    FirehoseExchange(Response response, Callback callback, IngestMetrics metrics, Clock clock, String requestId) {
        this.response = response;
        this.callback = callback;
        this.metrics = metrics;
        this.clock = clock;
        this.receivedAt = clock.instant();
        this.requestId = requestId;
    }

    Instant receivedAt() {
        return receivedAt;
    }

    String requestId() {
        return requestId;
    }

    /**
     * The body's requestId, when the header gave none (the two are the same in Firehose's requests); already checked
     * to be an id ({@link FirehoseHandler}).
     */
    void requestIdFromBody(String id) {
        if (requestId == null && id != null) {
            requestId = id;
        }
    }

    ClientIdentity client() {
        return client;
    }

    void authenticatedAs(ClientIdentity client) {
        this.client = client;
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

    /** 200: Kafka has acknowledged every record written for the request. */
    void accept(int clusters, int accepted, int rejected, int bytes) {
        respond(200, "{\"requestId\":\"" + jsonEscape(requestId()) + "\",\"timestamp\":" + clock.millis() + "}", false);
        log(200, null, clusters, accepted, rejected, bytes);
    }

    /** The error's status; {@code errorMessage} is {@code <error>: <message>}. */
    void fail(WebhookException e, boolean close) {
        respond(e.status(), "{\"requestId\":\"" + jsonEscape(requestId()) + "\",\"timestamp\":" + clock.millis()
                + ",\"errorMessage\":\"" + jsonEscape(e.error() + ": " + e.getMessage()) + "\"}", close);
        log(e.status(), e.error(), 0, 0, 0, 0);
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

    private void log(int status, String error, int clusters, int accepted, int rejected, int bytes) {
        var event = status >= 500 ? LOG.atWarn() : status >= 400 ? LOG.atInfo() : LOG.atDebug();
        event.addKeyValue("status", status)
                .addKeyValue("request_id", requestId)
                .addKeyValue("client", client == null ? null : client.value())
                .addKeyValue("clusters", clusters)
                .addKeyValue("accepted", accepted)
                .addKeyValue("rejected", rejected)
                .addKeyValue("bytes", bytes)
                .addKeyValue("duration_ms", (System.nanoTime() - start) / 1_000_000)
                .addKeyValue("error", error)
                .log("firehose request");
    }

    private static String jsonEscape(String s) {
        if (s == null) {
            return "";
        }
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
