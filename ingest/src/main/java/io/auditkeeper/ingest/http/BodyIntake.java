package io.auditkeeper.ingest.http;

import io.auditkeeper.ingest.kafka.BatchOrigin;
import io.auditkeeper.model.DeadLetterReason;
import org.eclipse.jetty.server.Request;

/**
 * Takes a request's body as every door of ingest does, once its client is known: under that client's share of the
 * in-flight budget, decoded, counted; and refuses a body as a whole only once it is safe in the dead-letter topic (a
 * body over the cap by its size and SHA-256), so that no door answers a body it did not keep a record of. What each
 * door answers then is its exchange's ({@link DoorExchange#answerKept}, {@link DoorExchange#oversizeAnswer}).
 */
public final class BodyIntake {
    private final DoorServices door;

    public BodyIntake(DoorServices door) {
        this.door = door;
    }

    /**
     * Reads the body of the request {@code exchange} stands for, holding its bytes in flight for its client.
     *
     * @return the body, read and decoded; null when it was refused as a whole (its answer is on its way)
     * @throws WebhookException when the encoding is not accepted, the body did not arrive in time, or the client's
     *                          bytes in flight ran out
     */
    public RequestBodyReader.Intake.Read take(Request request, DoorExchange exchange)
            throws WebhookException, InterruptedException {
        String encoding = RequestBodyReader.contentEncoding(request);
        exchange.hold(door.limiter().open(exchange.client().value()));
        RequestBodyReader.Intake intake = door.bodyReader().intake(request, exchange, encoding);
        if (intake instanceof RequestBodyReader.Intake.BadEncoding bad) {
            refuse(exchange, bad.wire(), DeadLetterReason.BAD_CONTENT_ENCODING, bad.answer());
            return null;
        }
        if (intake instanceof RequestBodyReader.Intake.TooLarge tooLarge) {
            refuseOversize(exchange, tooLarge.error(), encoding);
            return null;
        }
        RequestBodyReader.Intake.Read read = (RequestBodyReader.Intake.Read) intake;
        door.metrics().bytes(read.wire().wireLength(), read.body().length());
        return read;
    }

    /**
     * Keeps a body refused as a whole in the dead-letter topic for {@code reason}, then answers it as its door does
     * ({@code answer}, or 503 if it could not be stored).
     */
    public void refuse(DoorExchange exchange, RequestBodyReader.Body body, DeadLetterReason reason,
                       WebhookException answer) {
        exchange.answerOnceStored(door.publisher().publishRefusedBody(body.bytes(), body.length(), reason,
                        exchange.deadLetterDetail(answer.getMessage()), deadLetterOrigin(exchange)), door.ackTimeout(),
                reason, () -> exchange.answerKept(answer, reason, body.length()), false);
    }

    /**
     * A body, on the wire or decoded ({@code encoding}), over {@code limits.max-body-bytes}: its size and SHA-256 go
     * to the dead-letter topic, then its door's answer. A body not read to its end closes the connection.
     */
    public void refuseOversize(DoorExchange exchange, BodyTooLargeException e, String encoding) {
        exchange.refusingOversize(e);
        long limit = door.bodyReader().maxBodyBytes();
        WebhookException answer = exchange.oversizeAnswer(e, limit);
        exchange.answerOnceStored(door.publisher().publishBodySummary(e.summary(limit, encoding),
                        DeadLetterReason.BATCH_TOO_LARGE, exchange.deadLetterDetail(e.detail(limit)),
                        deadLetterOrigin(exchange)), door.ackTimeout(), DeadLetterReason.BATCH_TOO_LARGE,
                () -> exchange.fail(answer, !e.complete()), !e.complete());
    }

    /** A body refused as a whole is recorded for the cluster its URL names, else for {@code cluster.default}. */
    private BatchOrigin deadLetterOrigin(DoorExchange exchange) {
        String cluster = exchange.cluster();
        return exchange.origin(cluster != null ? cluster : door.defaultCluster());
    }
}
