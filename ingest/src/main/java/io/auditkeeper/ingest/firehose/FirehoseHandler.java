package io.auditkeeper.ingest.firehose;

import io.auditkeeper.ingest.auth.ClientAuthenticator;
import io.auditkeeper.ingest.auth.ClientIdentity;
import io.auditkeeper.ingest.batch.InvalidBatchException;
import io.auditkeeper.ingest.firehose.LogGroupClusters.UnknownLogGroupException;
import io.auditkeeper.ingest.http.BodyTooLargeException;
import io.auditkeeper.ingest.http.DoorPath;
import io.auditkeeper.ingest.http.DoorServices;
import io.auditkeeper.ingest.http.KafkaHandover;
import io.auditkeeper.ingest.http.LogServiceHandler;
import io.auditkeeper.ingest.http.RequestBodyReader;
import io.auditkeeper.ingest.http.WebhookException;
import io.auditkeeper.ingest.kafka.AuditRecordPublisher.Publication;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * EKS audit logs through Amazon Data Firehose: {@code POST /firehose/eks}, the HTTP endpoint destination of a
 * Firehose stream fed by a CloudWatch Logs subscription filter on {@code /aws/eks/<cluster>/cluster}. It authenticates
 * the stream by its access key, reads the body under the webhook's limits (same port, connections, header timeout,
 * body cap, in-flight budget and per-client share), reads the records ({@link FirehoseDeliveryReader}) and writes each
 * audit event to Kafka exactly as the webhook does (key auditID, the same headers, with {@code auditkeeper.source}
 * {@value #SOURCE}), answering 200 in Firehose's format only once Kafka has acknowledged every record.
 *
 * <p>Answers are chosen for what Firehose does with them: only 200 is success; 413 is a permanent failure whose data
 * is not even written to the stream's S3 backup; every other status is retried with back-off for the stream's retry
 * duration (up to 2 hours), after which the data goes to the S3 backup. So nothing is answered 413 (a body over the
 * cap gets 400, after its size and hash are in the dead-letter topic), and whatever a retry or a fix on this side can
 * deliver (a wrong key, an unknown log group, Kafka down) is refused without storing anything. A body that is not a
 * Firehose request of CloudWatch Logs records is kept in the dead-letter topic before its 400, as the webhook keeps a
 * malformed batch. Firehose's resends are deduplicated downstream by cluster, auditID and stage.
 */
public final class FirehoseHandler extends LogServiceHandler<FirehoseExchange> {
    /** {@code auditkeeper.source} of events that came this way. */
    public static final String SOURCE = "eks-firehose";
    public static final String PATH = "/firehose/eks";
    static final String REQUEST_ID_HEADER = "X-Amz-Firehose-Request-Id";
    static final String ACCESS_KEY_HEADER = "X-Amz-Firehose-Access-Key";
    private static final Pattern PRINTABLE_ID = Pattern.compile("[\\x21-\\x7e]{1,256}");

    private final FirehoseAccessKeys keys;
    private final FirehoseDeliveryReader deliveryReader;

    /** @param authenticator applies {@code auth.cluster-bindings} to the key's name */
    public FirehoseHandler(FirehoseAccessKeys keys, ClientAuthenticator authenticator,
                           FirehoseDeliveryReader deliveryReader, DoorServices door) {
        super(new DoorPath(PATH, "Firehose delivers EKS audit logs to " + PATH), "a Firehose request", authenticator,
                door);
        this.keys = keys;
        this.deliveryReader = deliveryReader;
    }

    @Override
    protected FirehoseExchange exchange(Request request, Response response, Callback callback) {
        return new FirehoseExchange(response, callback, door.metrics(), door.clock(),
                requestIdOf(request.getHeaders().get(REQUEST_ID_HEADER)));
    }

    @Override
    protected void deliver(FirehoseExchange exchange, RequestBodyReader.Intake.Read read) throws WebhookException {
        RequestBodyReader.Body wire = read.wire();
        RequestBodyReader.Body body = read.body();
        FirehoseDelivery delivery;
        try {
            delivery = deliveryReader.read(body.bytes(), body.length(), exchange.reservation()::charge);
        } catch (InvalidDeliveryException e) {
            intake.refuse(exchange, body, e.reason(), new WebhookException(400, e.error(), e.getMessage()));
            return;
        } catch (DecodedTooLargeException e) {
            intake.refuseOversize(exchange, new BodyTooLargeException(wire.length(), sha256(wire), true),
                    read.encoding());
            return;
        } catch (UnknownLogGroupException e) {
            throw new WebhookException(400, "unknown-log-group", e.getMessage());
        }
        exchange.requestIdFromBody(requestIdOf(delivery.requestId()));
        List<ClusterEventList> lists = new ArrayList<>();
        for (FirehoseDelivery.ClusterLogEvents events : delivery.clusters()) {
            clusters.check(exchange.client(), events.cluster());
            lists.add(ClusterEventList.of(events));
        }
        publish(exchange, lists, body.length());
    }

    @Override
    protected ClientIdentity authenticate(Request request) throws WebhookException {
        String key = request.getHeaders().get(ACCESS_KEY_HEADER);
        if (key == null || key.isEmpty()) {
            throw new WebhookException(401, "unauthenticated", "an access key (" + ACCESS_KEY_HEADER + ") is required");
        }
        return keys.identify(key).orElseThrow(() -> new WebhookException(401, "unauthenticated",
                "the access key is not valid (" + FirehoseAccessKeys.SETTING + ")"));
    }

    /**
     * Writes every cluster's events as one batch each (its own headers) and answers 200 once Kafka has acknowledged
     * all of them, 503 if it did not in time.
     */
    private void publish(FirehoseExchange exchange, List<ClusterEventList> lists, int bytes) {
        KafkaHandover handover = new KafkaHandover(exchange, door);
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (ClusterEventList list : lists) {
            Publication publication = door.publisher().begin(exchange.origin(list.cluster()));
            try {
                handover.sendRounds(publication, list.eventList(), list.eventList().length);
            } catch (InvalidBatchException e) {
                throw new IllegalStateException("an event list made of JSON values did not split", e);
            }
            if (!list.rejected().rejected().isEmpty()) {
                handover.sendRejected(publication, list.unparseable(), list.rejected());
            }
            acks.add(publication.seal());
        }
        handover.answerOnceAcked(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)),
                counts -> exchange.accept(lists.size(), counts.accepted(), counts.rejected(), bytes));
    }

    /** The header's id when it is one (printable, at most 256 characters), else null. */
    private static String requestIdOf(String header) {
        return header != null && PRINTABLE_ID.matcher(header).matches() ? header : null;
    }

    private static String sha256(RequestBodyReader.Body wire) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(wire.bytes(), 0, wire.length());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
