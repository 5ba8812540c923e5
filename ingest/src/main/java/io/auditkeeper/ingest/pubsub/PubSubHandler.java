package io.auditkeeper.ingest.pubsub;

import io.auditkeeper.ingest.auth.ClientAuthenticator;
import io.auditkeeper.ingest.auth.ClientIdentity;
import io.auditkeeper.ingest.http.DoorPath;
import io.auditkeeper.ingest.http.DoorServices;
import io.auditkeeper.ingest.http.KafkaHandover;
import io.auditkeeper.ingest.http.LogServiceHandler;
import io.auditkeeper.ingest.http.RequestBodyReader;
import io.auditkeeper.ingest.http.WebhookException;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.DeadLetterReason;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.util.concurrent.CompletableFuture;

/**
 * GKE audit logs through Pub/Sub: {@code POST /pubsub/gke}, the endpoint of a push subscription on the topic a Cloud
 * Logging sink publishes GKE's Cloud Audit Logs to. It verifies the push's OIDC token ({@link PushTokenVerifier})
 * before reading a byte of the body, reads the body under the webhook's limits (same port, connections, header
 * timeout, body cap, in-flight budget and per-client share), reads the envelope ({@link PushEnvelopeReader}) and
 * writes the {@code LogEntry} to Kafka exactly as Cloud Logging published it (key {@code <insertId>@<timestamp>},
 * the usual headers, {@code auditkeeper.source} {@value #SOURCE}, {@code auditkeeper.format}
 * {@value AuditHeaders#FORMAT_GKE_LOG_ENTRY}), answering 200 only once Kafka has acknowledged it.
 *
 * <p>Answers are chosen for what Pub/Sub does with them: 102, 200, 201, 202 and 204 acknowledge the message; any other
 * status, or no answer within the subscription's ack deadline, is a negative acknowledgement, redelivered with
 * back-off until the message expires (the subscription's retention, 7 days by default) or, with a dead-letter topic,
 * after its maximum delivery attempts. So whatever a retry or a fix on this side can deliver (a wrong token or
 * audience, a cluster not accepted or not allowed, Kafka down, a body over the cap) gets a non-2xx and nothing is stored; a body that can
 * never become an audit event is kept in the dead-letter topic and then acknowledged with 200, as retrying it for days
 * would change nothing.
 */
public final class PubSubHandler extends LogServiceHandler<PubSubExchange> {
    /** {@code auditkeeper.source} of entries that came this way. */
    public static final String SOURCE = "gke-pubsub";
    public static final String PATH = "/pubsub/gke";

    private final PushTokenVerifier verifier;
    private final PushEnvelopeReader envelopeReader;

    /** @param authenticator applies {@code auth.cluster-bindings} to the push service account's email */
    public PubSubHandler(PushTokenVerifier verifier, ClientAuthenticator authenticator,
                         PushEnvelopeReader envelopeReader, DoorServices door) {
        super(new DoorPath(PATH, "Pub/Sub pushes GKE audit logs to " + PATH), "a Pub/Sub push", authenticator, door);
        this.verifier = verifier;
        this.envelopeReader = envelopeReader;
    }

    @Override
    protected PubSubExchange exchange(Request request, Response response, Callback callback) {
        return new PubSubExchange(response, callback, door.metrics(), door.clock());
    }

    @Override
    protected void deliver(PubSubExchange exchange, RequestBodyReader.Intake.Read read) throws WebhookException {
        RequestBodyReader.Body body = read.body();
        GkePush push;
        try {
            push = envelopeReader.read(body.bytes(), body.length());
        } catch (InvalidPushException e) {
            exchange.message(e.messageId());
            intake.refuse(exchange, body, DeadLetterReason.NOT_A_GKE_PUSH,
                    new WebhookException(400, DeadLetterReason.NOT_A_GKE_PUSH.code(), e.getMessage()));
            return;
        } catch (GkeClusters.UnknownClusterException e) {
            throw new WebhookException(400, "unknown-cluster", e.getMessage());
        }
        exchange.message(push.messageId());
        exchange.reservation().charge(push.logEntry().length);
        clusters.check(exchange.client(), push.cluster());
        publish(exchange, push);
    }

    @Override
    protected ClientIdentity authenticate(Request request) throws WebhookException {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new WebhookException(401, "unauthenticated", "a push subscription's OIDC token (Authorization: Bearer) is required");
        }
        try {
            return verifier.verify(authorization.substring(7).trim());
        } catch (PushTokenVerifier.TokenRejectedException e) {
            throw new WebhookException(e.status(), e.status() == 401 ? "unauthenticated" : "forbidden", e.getMessage());
        }
    }

    /** Answers 200 once Kafka has acknowledged the entry, 503 if it did not in time. */
    private void publish(PubSubExchange exchange, GkePush push) {
        KafkaHandover handover = new KafkaHandover(exchange, door);
        CompletableFuture<Void> acked = handover.sendEvent(push.logEntry(), push.entryId(),
                AuditHeaders.FORMAT_GKE_LOG_ENTRY, exchange.origin(push.cluster()));
        handover.answerOnceAcked(acked, counts -> exchange.acknowledge(false, null, push.logEntry().length));
    }
}
