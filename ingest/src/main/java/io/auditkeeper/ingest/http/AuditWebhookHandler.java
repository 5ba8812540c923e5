package io.auditkeeper.ingest.http;

import io.auditkeeper.ingest.auth.AuthenticationException;
import io.auditkeeper.ingest.auth.ClientAuthenticator;
import io.auditkeeper.ingest.auth.ClientIdentity;
import io.auditkeeper.ingest.batch.InvalidBatchException;
import io.auditkeeper.ingest.kafka.AuditRecordPublisher.Publication;
import io.auditkeeper.model.ClusterNames;
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
    private final ClusterAccess clusters;
    private final DoorServices door;
    private final BodyIntake intake;

    public AuditWebhookHandler(ClientAuthenticator authenticator, DoorServices door) {
        super(InvocationType.BLOCKING);
        this.authenticator = authenticator;
        this.clusters = new ClusterAccess(authenticator);
        this.door = door;
        this.intake = new BodyIntake(door);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        WebhookExchange exchange = new WebhookExchange(response, callback, door.metrics(), door.clock());
        return exchange.run(LOG, "an audit batch", () -> door.bodyReader().drainQuietly(request), () -> {
            exchange.routedTo(route(request));
            exchange.authenticatedAs(authenticate(request));
            clusters.check(exchange.client(), exchange.cluster());
            RequestBodyReader.Intake.Read read = intake.take(request, exchange);
            if (read == null) {
                return;
            }
            RequestBodyReader.Body body = read.body();
            Publication publication = door.publisher().begin(exchange.origin());
            KafkaHandover handover = new KafkaHandover(exchange, door);
            try {
                handover.sendRounds(publication, body.bytes(), body.length());
            } catch (InvalidBatchException e) {
                publication.seal();
                intake.refuse(exchange, body, e.reason(), new WebhookException(400, e.reason().code(), e.getMessage()));
                return;
            }
            handover.answerOnceAcked(publication.seal(),
                    counts -> exchange.accept(counts.accepted(), counts.rejected(), body.length()));
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
            cluster = door.defaultCluster();
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

}
