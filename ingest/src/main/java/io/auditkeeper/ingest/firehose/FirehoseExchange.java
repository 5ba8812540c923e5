package io.auditkeeper.ingest.firehose;

import io.auditkeeper.ingest.admin.IngestMetrics;
import io.auditkeeper.ingest.http.BodyTooLargeException;
import io.auditkeeper.ingest.http.DoorExchange;
import io.auditkeeper.ingest.http.WebhookException;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * One Firehose request while {@link FirehoseHandler} handles it: the response and its callback, when it arrived, the
 * request id Firehose gave it, who sent it and the in-flight bytes it holds. It writes the one answer in Firehose's
 * format ({@code {"requestId", "timestamp"}}, plus {@code errorMessage} on an error, which Firehose copies into its
 * S3 backup of data it gave up on), counts it and logs it as {@code firehose request}.
 */
final class FirehoseExchange extends DoorExchange {
    private static final Logger LOG = LoggerFactory.getLogger(FirehoseHandler.class);

    private final Clock clock;
    private String requestId;

    FirehoseExchange(Response response, Callback callback, IngestMetrics metrics, Clock clock, String requestId) {
        super(response, callback, metrics, clock, FirehoseHandler.SOURCE);
        this.clock = clock;
        this.requestId = requestId;
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

    /** 200: Kafka has acknowledged every record written for the request. */
    void accept(int clusters, int accepted, int rejected, int bytes) {
        respond(200, "{\"requestId\":\"" + jsonEscape(requestId()) + "\",\"timestamp\":" + clock.millis() + "}", 0,
                false);
        log(200, null, clusters, accepted, rejected, bytes);
    }

    @Override
    protected WebhookException kafkaUnavailable(Throwable error) {
        return WebhookException.kafkaUnavailable(error, "Firehose retries the request", 0);
    }

    /** Names the request, so that its dead letter can be found from Firehose's side. */
    @Override
    protected String deadLetterDetail(String detail) {
        return detail + " (Firehose request " + requestId + ")";
    }

    /**
     * 400, not 413: Firehose takes 413 as final and would not even keep the data in its S3 backup; after 400 it
     * retries (in case the cap is raised) and then backs the data up.
     */
    @Override
    protected WebhookException oversizeAnswer(BodyTooLargeException e, long limit) {
        return new WebhookException(400, e.answer(limit).error(), "the request is larger than " + limit
                + " bytes, on the wire or decoded (limits.max-body-bytes); lower the stream's buffering size, or raise"
                + " the cap; audit.dlq keeps its size and SHA-256 (batch-too-large)");
    }

    /** The error's status; {@code errorMessage} is {@code <error>: <message>}. */
    @Override
    public void fail(WebhookException e, boolean close) {
        respond(e.status(), "{\"requestId\":\"" + jsonEscape(requestId()) + "\",\"timestamp\":" + clock.millis()
                + ",\"errorMessage\":\"" + jsonEscape(e.error() + ": " + e.getMessage()) + "\"}", 0, close);
        log(e.status(), e.error(), 0, 0, 0, 0);
    }

    private void log(int status, String error, int clusters, int accepted, int rejected, int bytes) {
        var event = status >= 500 ? LOG.atWarn() : status >= 400 ? LOG.atInfo() : LOG.atDebug();
        event.addKeyValue("status", status)
                .addKeyValue("request_id", requestId)
                .addKeyValue("client", client() == null ? null : client().value())
                .addKeyValue("clusters", clusters)
                .addKeyValue("accepted", accepted)
                .addKeyValue("rejected", rejected)
                .addKeyValue("bytes", bytes)
                .addKeyValue("duration_ms", durationMillis())
                .addKeyValue("error", error)
                .log("firehose request");
    }
}
