package io.auditkeeper.ingest.pubsub;

import io.auditkeeper.ingest.admin.IngestMetrics;
import io.auditkeeper.ingest.auth.AuthenticationException;
import io.auditkeeper.ingest.auth.ClientAuthenticator;
import io.auditkeeper.ingest.http.BodyTooLargeException;
import io.auditkeeper.ingest.http.CanonicalPath;
import io.auditkeeper.ingest.http.InFlightBytesLimiter;
import io.auditkeeper.ingest.http.RequestBodyReader;
import io.auditkeeper.ingest.http.WebhookException;
import io.auditkeeper.ingest.kafka.AuditRecordPublisher;
import io.auditkeeper.ingest.kafka.BatchOrigin;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.DeadLetterReason;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

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
public final class PubSubHandler extends Handler.Abstract {
    /** {@code auditkeeper.source} of entries that came this way. */
    public static final String SOURCE = "gke-pubsub";
    public static final String PATH = "/pubsub/gke";
    private static final Logger LOG = LoggerFactory.getLogger(PubSubHandler.class);

    private final PushTokenVerifier verifier;
    private final ClientAuthenticator authenticator;
    private final RequestBodyReader bodyReader;
    private final PushEnvelopeReader envelopeReader;
    private final AuditRecordPublisher publisher;
    private final InFlightBytesLimiter limiter;
    private final IngestMetrics metrics;
    private final String defaultCluster;
    private final Duration ackTimeout;
    private final Clock clock;

    /**
     * @param authenticator  applies {@code auth.cluster-bindings} to the push service account's email
     * @param defaultCluster recorded on the dead letter of a body that names no cluster
     */
    public PubSubHandler(PushTokenVerifier verifier, ClientAuthenticator authenticator, RequestBodyReader bodyReader,
                         PushEnvelopeReader envelopeReader, AuditRecordPublisher publisher, InFlightBytesLimiter limiter, IngestMetrics metrics,
                         String defaultCluster, Duration ackTimeout, Clock clock) {
        super(InvocationType.BLOCKING);
        this.verifier = verifier;
        this.authenticator = authenticator;
        this.bodyReader = bodyReader;
        this.envelopeReader = envelopeReader;
        this.publisher = publisher;
        this.limiter = limiter;
        this.metrics = metrics;
        this.defaultCluster = defaultCluster;
        this.ackTimeout = ackTimeout;
        this.clock = clock;
    }

    /** Whether a request is for this endpoint (as sent; anything not canonical is the webhook's to refuse). */
    public static boolean handles(Request request) {
        String raw = request.getHttpURI().getPath();
        return raw != null && (raw.equals(PATH) || raw.startsWith("/pubsub/"));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        PubSubExchange exchange = new PubSubExchange(response, callback, metrics, clock);
        return exchange.run(LOG, "a Pub/Sub push", () -> bodyReader.drainQuietly(request), () -> {
            route(request);
            exchange.authenticatedAs(authenticate(request));
            String encoding = RequestBodyReader.contentEncoding(request);
            InFlightBytesLimiter.Reservation reservation = limiter.open(exchange.client().value());
            exchange.hold(reservation);
            RequestBodyReader.Intake intake = bodyReader.intake(request, exchange, encoding);
            if (intake instanceof RequestBodyReader.Intake.BadEncoding bad) {
                deadLetter(exchange, bad.wire(), DeadLetterReason.BAD_CONTENT_ENCODING, bad.answer().getMessage());
                return;
            }
            if (intake instanceof RequestBodyReader.Intake.TooLarge tooLarge) {
                refuseOversize(exchange, tooLarge.error(), encoding);
                return;
            }
            RequestBodyReader.Intake.Read read = (RequestBodyReader.Intake.Read) intake;
            RequestBodyReader.Body body = read.body();
            metrics.bytes(read.wire().wireLength(), body.length());
            GkePush push;
            try {
                push = envelopeReader.read(body.bytes(), body.length());
            } catch (InvalidPushException e) {
                exchange.message(e.messageId());
                deadLetter(exchange, body, DeadLetterReason.NOT_A_GKE_PUSH, e.getMessage());
                return;
            } catch (GkeClusters.UnknownClusterException e) {
                throw new WebhookException(400, "unknown-cluster", e.getMessage());
            }
            exchange.message(push.messageId());
            reservation.charge(push.logEntry().length);
            authorize(exchange, push.cluster());
            publish(exchange, push);
        });
    }

    private static void route(Request request) throws WebhookException {
        String raw = request.getHttpURI().getPath();
        if (raw == null || !CanonicalPath.isCanonical(raw)) {
            throw new WebhookException(400, "bad-path", "the path must be " + PATH + " as is: no percent-encoding,"
                    + " dot segments, empty segments or parameters");
        }
        if (!raw.equals(PATH) && !raw.equals(PATH + "/")) {
            throw new WebhookException(404, "not-found", "Pub/Sub pushes GKE audit logs to " + PATH);
        }
        if (!HttpMethod.POST.is(request.getMethod())) {
            throw new WebhookException(405, "method-not-allowed", "only POST is accepted");
        }
    }

    private io.auditkeeper.ingest.auth.ClientIdentity authenticate(Request request) throws WebhookException {
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

    private void authorize(PubSubExchange exchange, String cluster) throws WebhookException {
        try {
            authenticator.authorize(exchange.client(), cluster);
        } catch (AuthenticationException e) {
            throw new WebhookException(e.status(), "cluster-not-allowed", e.getMessage());
        }
    }

    /** Answers 200 once Kafka has acknowledged the entry, 503 if it did not in time. */
    private void publish(PubSubExchange exchange, GkePush push) {
        long sendStart = System.nanoTime();
        publisher.publishEvent(push.logEntry(), push.entryId(), AuditHeaders.FORMAT_GKE_LOG_ENTRY,
                        new BatchOrigin(push.cluster(), exchange.receivedAt(), exchange.client(), SOURCE))
                .orTimeout(ackTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((ok, error) -> {
                    exchange.release();
                    if (error == null) {
                        metrics.ackLatency(System.nanoTime() - sendStart);
                        metrics.accepted(1);
                        exchange.acknowledge(false, null, push.logEntry().length);
                    } else {
                        exchange.fail(kafkaUnavailable(error), false);
                    }
                });
    }

    /**
     * Keeps a body that can never become an audit event in the dead-letter topic, then acknowledges it (200): Pub/Sub
     * would otherwise redeliver it until it expires. 503 if it could not be stored, so that Pub/Sub redelivers it.
     */
    private void deadLetter(PubSubExchange exchange, RequestBodyReader.Body body, DeadLetterReason reason, String detail) {
        exchange.answerOnceStored(publisher.publishRefusedBody(body.bytes(), body.length(), reason, detail,
                        deadLetterOrigin(exchange)), ackTimeout, reason,
                () -> exchange.acknowledge(true, reason.code(), body.length()), false, PubSubHandler::kafkaUnavailable);
    }

    /**
     * A body over {@code limits.max-body-bytes} (Pub/Sub messages are at most 10 MB, so only a lowered cap meets
     * one): its size and SHA-256 go to the dead-letter topic, then 413, which Pub/Sub redelivers (in case the cap is
     * raised) until its own dead-letter topic or the message's expiry takes it.
     */
    private void refuseOversize(PubSubExchange exchange, BodyTooLargeException e, String encoding) {
        exchange.refusingOversize(e);
        long limit = bodyReader.maxBodyBytes();
        WebhookException answer = e.answer(limit);
        exchange.answerOnceStored(publisher.publishBodySummary(e.summary(limit, encoding),
                        DeadLetterReason.BATCH_TOO_LARGE, e.detail(limit), deadLetterOrigin(exchange)), ackTimeout,
                DeadLetterReason.BATCH_TOO_LARGE, () -> exchange.fail(answer, !e.complete()), !e.complete(),
                PubSubHandler::kafkaUnavailable);
    }

    private BatchOrigin deadLetterOrigin(PubSubExchange exchange) {
        return new BatchOrigin(defaultCluster, exchange.receivedAt(), exchange.client(), SOURCE);
    }

    private static WebhookException kafkaUnavailable(Throwable error) {
        return WebhookException.kafkaUnavailable(error, "Pub/Sub redelivers the message", 0);
    }
}
