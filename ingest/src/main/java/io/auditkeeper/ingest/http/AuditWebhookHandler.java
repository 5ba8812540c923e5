package io.auditkeeper.ingest.http;

import io.auditkeeper.ingest.admin.IngestMetrics;
import io.auditkeeper.ingest.auth.AuthenticationException;
import io.auditkeeper.ingest.auth.ClientAuthenticator;
import io.auditkeeper.ingest.auth.ClientIdentity;
import io.auditkeeper.ingest.batch.EventListSplitter;
import io.auditkeeper.ingest.batch.InvalidBatchException;
import io.auditkeeper.ingest.kafka.AuditRecordPublisher;
import io.auditkeeper.ingest.kafka.AuditRecordPublisher.Publication;
import io.auditkeeper.model.ClusterNames;
import io.auditkeeper.model.DeadLetterReason;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The kube-apiserver's audit webhook: {@code POST /audit} and {@code POST /audit/{cluster}} with an
 * {@code audit.k8s.io} EventList. It authenticates the client, reads the body under the configured limits, splits
 * it into events, writes them to Kafka, and answers 200 only when Kafka has acknowledged every record of the batch.
 *
 * <p>Every answer is chosen for what the apiserver does with it ({@code DefaultShouldRetry} in
 * {@code k8s.io/apiserver/pkg/util/webhook}): it resends only after a 429, 500, 504, a connection reset or an answer
 * with {@code Retry-After}, and drops the batch on any other. So nothing about one event refuses a batch: an
 * unusable or oversize event goes to the dead-letter topic and the rest is accepted, however many items the batch
 * holds. A body that is not an EventList is answered 400 once it is safe in the dead-letter topic; a body over the
 * memory cap 413 once its size and hash are; every answer worth resending (Kafka did not acknowledge in time, too
 * many bytes in flight, a body that did not arrive in time, shutting down) carries {@code Retry-After}. Resends
 * are deduplicated downstream by cluster, auditID and stage.
 */
public final class AuditWebhookHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(AuditWebhookHandler.class);
    private static final String PATH = "/audit";

    private final ClientAuthenticator authenticator;
    private final RequestBodyReader bodyReader;
    private final EventListSplitter splitter;
    private final AuditRecordPublisher publisher;
    private final InFlightBytesLimiter limiter;
    private final IngestMetrics metrics;
    private final String defaultCluster;
    private final Duration ackTimeout;
    private final Clock clock;

    public AuditWebhookHandler(ClientAuthenticator authenticator, RequestBodyReader bodyReader, EventListSplitter splitter,
                               AuditRecordPublisher publisher, InFlightBytesLimiter limiter, IngestMetrics metrics,
                               String defaultCluster, Duration ackTimeout) {
        this(authenticator, bodyReader, splitter, publisher, limiter, metrics, defaultCluster, ackTimeout, Clock.systemUTC());
    }

    /** @param clock ingest's receiving clock: each batch's {@code receivedAt}, and its records' Kafka timestamps */
    public AuditWebhookHandler(ClientAuthenticator authenticator, RequestBodyReader bodyReader, EventListSplitter splitter,
                               AuditRecordPublisher publisher, InFlightBytesLimiter limiter, IngestMetrics metrics,
                               String defaultCluster, Duration ackTimeout, Clock clock) {
        super(InvocationType.BLOCKING);
        this.clock = clock;
        this.authenticator = authenticator;
        this.bodyReader = bodyReader;
        this.splitter = splitter;
        this.publisher = publisher;
        this.limiter = limiter;
        this.metrics = metrics;
        this.defaultCluster = defaultCluster;
        this.ackTimeout = ackTimeout;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        WebhookExchange exchange = new WebhookExchange(response, callback, metrics, clock);
        return exchange.run(LOG, "an audit batch", () -> bodyReader.drainQuietly(request), () -> {
            exchange.routedTo(route(request));
            exchange.authenticatedAs(authenticate(request));
            authorize(exchange.client(), exchange.cluster());
            String encoding = RequestBodyReader.contentEncoding(request);
            InFlightBytesLimiter.Reservation reservation = limiter.open(exchange.client().value());
            exchange.hold(reservation);
            RequestBodyReader.Intake intake = bodyReader.intake(request, exchange, encoding);
            if (intake instanceof RequestBodyReader.Intake.BadEncoding bad) {
                refuseBody(exchange, bad.wire(), DeadLetterReason.BAD_CONTENT_ENCODING, bad.answer());
                return;
            }
            if (intake instanceof RequestBodyReader.Intake.TooLarge tooLarge) {
                refuseOversize(exchange, tooLarge.error(), encoding);
                return;
            }
            RequestBodyReader.Intake.Read read = (RequestBodyReader.Intake.Read) intake;
            RequestBodyReader.Body body = read.body();
            metrics.bytes(read.wire().wireLength(), body.length());
            Publication publication = publisher.begin(exchange.origin());
            BatchCounts counts = new BatchCounts();
            long sendStart = System.nanoTime();
            try {
                splitter.split(body.bytes(), body.length(), round -> {
                    counts.add(round);
                    return publication.send(body.bytes(), round);
                });
            } catch (InvalidBatchException e) {
                publication.seal();
                refuseBody(exchange, body, e.reason(), new WebhookException(400, e.reason().code(), e.getMessage()));
                return;
            }
            awaitAcks(exchange, publication.seal(), counts, body.length(), sendStart);
        });
    }

    private String route(Request request) throws WebhookException {
        String raw = request.getHttpURI().getPath();
        if (raw == null || !CanonicalPath.isCanonical(raw)) {
            throw new WebhookException(400, "bad-path", "the path must be /audit or /audit/{cluster} as is: no"
                    + " percent-encoding, dot segments, empty segments or parameters");
        }
        String path = Request.getPathInContext(request);
        String cluster;
        if (path.equals(PATH) || path.equals(PATH + "/")) {
            cluster = defaultCluster;
        } else if (path.startsWith(PATH + "/") && path.indexOf('/', PATH.length() + 1) < 0) {
            cluster = path.substring(PATH.length() + 1);
            if (!ClusterNames.isValid(cluster)) {
                throw new WebhookException(400, "bad-cluster-name", ClusterNames.RULE);
            }
        } else {
            throw new WebhookException(404, "not-found", "POST audit batches to /audit or /audit/{cluster}");
        }
        if (!HttpMethod.POST.is(request.getMethod())) {
            throw new WebhookException(405, "method-not-allowed", "only POST is accepted");
        }
        return cluster;
    }

    private ClientIdentity authenticate(Request request) throws WebhookException {
        X509Certificate[] chain = null;
        if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData ssl) {
            chain = ssl.peerCertificates();
        }
        try {
            return authenticator.authenticate(chain, request.getHeaders().get(HttpHeader.AUTHORIZATION));
        } catch (AuthenticationException e) {
            throw new WebhookException(e.status(), e.status() == 401 ? "unauthenticated" : "forbidden", e.getMessage());
        }
    }

    private void authorize(ClientIdentity client, String cluster) throws WebhookException {
        try {
            authenticator.authorize(client, cluster);
        } catch (AuthenticationException e) {
            throw new WebhookException(e.status(), "cluster-not-allowed", e.getMessage());
        }
    }

    /** Answers 200 once Kafka has acknowledged every record of every round of the batch, 503 if it did not in time. */
    private void awaitAcks(WebhookExchange exchange, CompletableFuture<Void> acked, BatchCounts counts, int bytes,
                           long sendStart) {
        acked.orTimeout(ackTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, error) -> {
            exchange.release();
            if (error == null) {
                metrics.ackLatency(System.nanoTime() - sendStart);
                metrics.accepted(counts.accepted());
                counts.rejectedByReason().forEach((reason, n) -> metrics.rejected(reason.code(), n));
                exchange.accept(counts.accepted(), counts.rejected(), bytes);
            } else {
                exchange.fail(kafkaUnavailable(error), false);
            }
        });
    }

    /**
     * A body over {@code limits.max-body-bytes}: its size and SHA-256 go to the dead-letter topic, then 413, which the
     * apiserver does not resend (a batch this large would never fit). Its events are lost; the record says so.
     */
    private void refuseOversize(WebhookExchange exchange, BodyTooLargeException e, String encoding) {
        exchange.refusingOversize(e);
        long limit = bodyReader.maxBodyBytes();
        WebhookException answer = e.answer(limit);
        exchange.answerOnceStored(publisher.publishBodySummary(e.summary(limit, encoding),
                        DeadLetterReason.BATCH_TOO_LARGE, e.detail(limit), exchange.origin()), ackTimeout,
                DeadLetterReason.BATCH_TOO_LARGE, () -> exchange.fail(answer, !e.complete()), !e.complete(),
                AuditWebhookHandler::kafkaUnavailable);
    }

    /** Answers 400 only once the refused body is safe in the dead-letter topic, 503 if it could not be stored. */
    private void refuseBody(WebhookExchange exchange, RequestBodyReader.Body body, DeadLetterReason reason,
                            WebhookException answer) {
        exchange.answerOnceStored(publisher.publishRefusedBody(body.bytes(), body.length(), reason,
                        answer.getMessage(), exchange.origin()), ackTimeout, reason,
                () -> exchange.fail(answer, false), false, AuditWebhookHandler::kafkaUnavailable);
    }

    private static WebhookException kafkaUnavailable(Throwable error) {
        return WebhookException.kafkaUnavailable(error, "retry the batch", 5);
    }
}
