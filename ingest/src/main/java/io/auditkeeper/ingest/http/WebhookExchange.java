package io.auditkeeper.ingest.http;

import io.auditkeeper.ingest.admin.IngestMetrics;
import io.auditkeeper.ingest.kafka.BatchOrigin;
import io.auditkeeper.model.AuditHeaders;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One audit batch while {@link AuditWebhookHandler} handles it: the response and its callback, when it arrived,
 * and what is learnt on the way (the cluster, the authenticated client, the in-flight bytes it holds, whether its body
 * was read). It writes the one answer, counts it and logs it as {@code audit batch}, on the request thread or from
 * Kafka's acknowledgement callback; nothing is changed after the batch is handed to Kafka.
 */
final class WebhookExchange extends DoorExchange {
    /** The handler's logger: operators find the {@code audit batch} lines under its name. */
    private static final Logger LOG = LoggerFactory.getLogger(AuditWebhookHandler.class);

    private String cluster;

    WebhookExchange(Response response, Callback callback, IngestMetrics metrics, java.time.Clock clock) {
        super(response, callback, metrics, clock, AuditHeaders.SOURCE_WEBHOOK);
    }

    /** The cluster the batch is posted for, from the URL; null until routed. */
    @Override
    public String cluster() {
        return cluster;
    }

    void routedTo(String cluster) {
        this.cluster = cluster;
    }

    /** What every record written for the batch records of where it came from. */
    BatchOrigin origin() {
        return origin(cluster);
    }

    /** 200 with the counts of the batch, all of which Kafka has acknowledged; {@code bytes} is the decoded body's. */
    void accept(int accepted, int rejected, int bytes) {
        String json = "{\"accepted\":" + accepted + ",\"rejected\":" + rejected + "}";
        respond(200, json, 0, false);
        log(200, null, accepted, rejected, bytes);
    }

    @Override
    protected WebhookException kafkaUnavailable(Throwable error) {
        return WebhookException.kafkaUnavailable(error, "retry the batch", 5);
    }

    @Override
    public void fail(WebhookException e, boolean close) {
        respond(e.status(), errorJson(e), e.retryAfterSeconds(), close);
        log(e.status(), e.error(), 0, 0, 0);
    }

    /** One line per answered batch; counts and bytes are 0 when none was accepted. */
    private void log(int status, String error, int accepted, int rejected, int bytes) {
        var event = status >= 500 ? LOG.atWarn() : status >= 400 ? LOG.atInfo() : LOG.atDebug();
        event.addKeyValue("status", status)
                .addKeyValue("cluster", cluster)
                .addKeyValue("client", client() == null ? null : client().value())
                .addKeyValue("accepted", accepted)
                .addKeyValue("rejected", rejected)
                .addKeyValue("bytes", bytes)
                .addKeyValue("duration_ms", durationMillis())
                .addKeyValue("error", error)
                .log("audit batch");
    }
}
