package io.auditkeeper.ingest.pubsub;

import io.auditkeeper.ingest.admin.IngestMetrics;
import io.auditkeeper.ingest.http.DoorExchange;
import io.auditkeeper.ingest.http.WebhookException;
import io.auditkeeper.model.DeadLetterReason;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * One push while {@link PubSubHandler} handles it: the response and its callback, when it arrived, who sent it, its
 * message id once read and the in-flight bytes it holds. It writes the one answer ({@code {"error", "message"}} on an
 * error, as the webhook does), counts it and logs it as {@code pubsub push}, never with the token or the entry.
 */
final class PubSubExchange extends DoorExchange {
    private static final Logger LOG = LoggerFactory.getLogger(PubSubHandler.class);

    private String messageId;

    PubSubExchange(Response response, Callback callback, IngestMetrics metrics, Clock clock) {
        super(response, callback, metrics, clock, PubSubHandler.SOURCE);
    }

    void message(String messageId) {
        this.messageId = messageId;
    }

    /** 200: the entry is in Kafka, or, with {@code deadLettered}, a body that is no GKE push is in the dead-letter topic. */
    void acknowledge(boolean deadLettered, String error, int bytes) {
        respond(200, deadLettered ? "{\"deadLettered\":true}" : "{}", 0, false);
        log(200, error, bytes);
    }

    @Override
    protected WebhookException kafkaUnavailable(Throwable error) {
        return WebhookException.kafkaUnavailable(error, "Pub/Sub redelivers the message", 0);
    }

    /**
     * A body that can never become an audit event, kept in the dead-letter topic, is acknowledged (200): Pub/Sub
     * would otherwise redeliver it until it expires, and retrying it for days would change nothing.
     */
    @Override
    protected void answerKept(WebhookException answer, DeadLetterReason reason, int bytes) {
        acknowledge(true, reason.code(), bytes);
    }

    @Override
    public void fail(WebhookException e, boolean close) {
        respond(e.status(), errorJson(e), 0, close);
        log(e.status(), e.error(), 0);
    }

    private void log(int status, String error, int bytes) {
        var event = status >= 500 ? LOG.atWarn() : status >= 400 || error != null ? LOG.atInfo() : LOG.atDebug();
        event.addKeyValue("status", status)
                .addKeyValue("message_id", messageId)
                .addKeyValue("client", client() == null ? null : client().value())
                .addKeyValue("bytes", bytes)
                .addKeyValue("duration_ms", durationMillis())
                .addKeyValue("error", error)
                .log("pubsub push");
    }
}
