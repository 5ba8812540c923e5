package io.auditkeeper.ingest.kafka;

import io.auditkeeper.ingest.batch.EventSlice;
import io.auditkeeper.ingest.batch.RejectedItem;
import io.auditkeeper.ingest.batch.SplitBatch;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.DeadLetterReason;
import io.auditkeeper.model.DeadLetterSource;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes one batch to Kafka and tells when all of it is acknowledged: each event's original bytes to the raw topic
 * (key = auditID; headers: cluster, received-at, client, source and, on the raw topic only, format), each unusable item to the dead-letter topic with its reason (an item too large to forward as its
 * summary, never its content). A batch may be handed over in rounds; it is one batch for the acknowledgement. The
 * returned future completes only
 * when every record of the batch is acknowledged, and fails as soon as one fails: the webhook answers 2xx on the
 * first and 503 on the second, so the apiserver resends whatever was not certainly written.
 *
 * <p>Every record's Kafka timestamp is the batch's {@link BatchOrigin#receivedAt} (its {@code auditkeeper.received-at}
 * header, to the millisecond), rather than the producer's own reading of the host clock at send: one clock, ingest's
 * receiving clock, for both, which the stream-processor compares with the events' own times (clock skew) and which a
 * test can set.
 */
public final class AuditRecordPublisher {
    private static final byte[] FORMAT_K8S_EVENT = utf8(AuditHeaders.FORMAT_K8S_EVENT);

    private final Producer<byte[], byte[]> producer;
    private final String rawTopic;
    private final String deadLetterTopic;

    public AuditRecordPublisher(Producer<byte[], byte[]> producer, String rawTopic, String deadLetterTopic) {
        this.producer = producer;
        this.rawTopic = rawTopic;
        this.deadLetterTopic = deadLetterTopic;
    }

    /**
     * Starts writing a batch whose rounds are then handed over one by one ({@link Publication#send}); its future,
     * from {@link Publication#seal}, completes once every record of every round is acknowledged.
     */
    public Publication begin(BatchOrigin origin) {
        return new Publication(commonHeaders(origin), origin.receivedAt().toEpochMilli());
    }

    /** Writes a whole batch in one round. */
    public CompletableFuture<Void> publishBatch(byte[] body, SplitBatch batch, BatchOrigin origin) {
        Publication publication = begin(origin);
        publication.send(body, batch);
        return publication.seal();
    }

    /** The records of one batch, written round after round; see {@link #begin}. */
    public final class Publication {
        private final RecordHeader[] common;
        private final Long timestamp;
        private final Acks acks = new Acks();

        private Publication(RecordHeader[] common, Long timestamp) {
            this.common = common;
            this.timestamp = timestamp;
        }

        /**
         * Sends the records of one round: each event to the raw topic, each rejected item to the dead-letter topic
         * (its summary instead of its bytes when it has one). False once the batch has failed, so that the rest is
         * not sent in vain.
         */
        public boolean send(byte[] body, SplitBatch round) {
            for (EventSlice e : round.events()) {
                RecordHeaders headers = new RecordHeaders(common);
                headers.add(AuditHeaders.FORMAT, FORMAT_K8S_EVENT);
                byte[] value = Arrays.copyOfRange(body, e.offset(), e.offset() + e.length());
                if (!acks.send(new ProducerRecord<>(rawTopic, null, timestamp, utf8(e.auditId()), value, headers))) {
                    return false;
                }
            }
            for (RejectedItem r : round.rejected()) {
                RecordHeaders headers = deadLetterHeaders(common, r.reason(), r.detail());
                byte[] value = r.summary() != null ? r.summary() : Arrays.copyOfRange(body, r.offset(), r.offset() + r.length());
                byte[] key = r.auditId() == null ? null : utf8(r.auditId());
                if (!acks.send(new ProducerRecord<>(deadLetterTopic, null, timestamp, key, value, headers))) {
                    return false;
                }
            }
            return !acks.future.isDone();
        }

        /** No more rounds: the future completes when all sent records are acknowledged, fails with the first failure. */
        public CompletableFuture<Void> seal() {
            acks.acknowledged();
            return acks.future;
        }
    }

    /**
     * Writes one event that arrived on its own (a GKE {@code LogEntry} pushed by Pub/Sub): its bytes as received to the
     * raw topic, keyed by its id, with the origin's headers and {@code format}.
     */
    public CompletableFuture<Void> publishEvent(byte[] value, String key, String format, BatchOrigin origin) {
        Acks acks = new Acks();
        RecordHeaders headers = new RecordHeaders(commonHeaders(origin));
        headers.add(AuditHeaders.FORMAT, utf8(format));
        acks.send(new ProducerRecord<>(rawTopic, null, origin.receivedAt().toEpochMilli(), utf8(key), value, headers));
        acks.acknowledged();
        return acks.future;
    }

    /** Keeps a body that was refused as a whole (400), so that nothing a client sent is lost. */
    public CompletableFuture<Void> publishRefusedBody(byte[] body, int length, DeadLetterReason reason, String detail,
                                                      BatchOrigin origin) {
        Acks acks = new Acks();
        RecordHeaders headers = deadLetterHeaders(commonHeaders(origin), reason, detail);
        acks.send(new ProducerRecord<byte[], byte[]>(deadLetterTopic, null, origin.receivedAt().toEpochMilli(), null,
                Arrays.copyOf(body, length), headers));
        acks.acknowledged();
        return acks.future;
    }

    /**
     * Keeps what is known of a body that was not kept (over {@code limits.max-body-bytes}): {@code summary} is its
     * size and SHA-256, never its content.
     */
    public CompletableFuture<Void> publishBodySummary(byte[] summary, DeadLetterReason reason, String detail,
                                                      BatchOrigin origin) {
        Acks acks = new Acks();
        RecordHeaders headers = deadLetterHeaders(commonHeaders(origin), reason, detail);
        acks.send(new ProducerRecord<byte[], byte[]>(deadLetterTopic, null, origin.receivedAt().toEpochMilli(), null,
                summary, headers));
        acks.acknowledged();
        return acks.future;
    }

    private static RecordHeader[] commonHeaders(BatchOrigin origin) {
        return new RecordHeader[]{
                new RecordHeader(AuditHeaders.CLUSTER, utf8(origin.cluster())),
                new RecordHeader(AuditHeaders.RECEIVED_AT,
                        utf8(DateTimeFormatter.ISO_INSTANT.format(origin.receivedAt().truncatedTo(ChronoUnit.MILLIS)))),
                new RecordHeader(AuditHeaders.CLIENT, utf8(origin.client().value())),
                new RecordHeader(AuditHeaders.SOURCE, utf8(origin.source()))
        };
    }

    private static RecordHeaders deadLetterHeaders(RecordHeader[] common, DeadLetterReason reason, String detail) {
        RecordHeaders headers = new RecordHeaders(common);
        headers.add(AuditHeaders.DLQ_REASON, utf8(reason.code()));
        headers.add(AuditHeaders.DLQ_DETAIL, utf8(detail));
        headers.add(AuditHeaders.DLQ_SOURCE, utf8(DeadLetterSource.INGEST.code()));
        return headers;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Counts what a batch waits for: one for each record sent and not yet acknowledged, and one for the seal (more
     * records may come until then). It completes when it is sealed and every record it sent is acknowledged.
     */
    private final class Acks implements Callback {
        private final CompletableFuture<Void> future = new CompletableFuture<>();
        private final AtomicInteger pending = new AtomicInteger(1);

        /** Sends one record; false once the batch has failed, so that the rest is not sent in vain. */
        boolean send(ProducerRecord<byte[], byte[]> record) {
            if (future.isDone()) {
                return false;
            }
            pending.incrementAndGet();
            try {
                producer.send(record, this);
                return true;
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
                return false;
            }
        }

        /** No more records: the seal, or one record's acknowledgement. */
        void acknowledged() {
            if (pending.decrementAndGet() == 0) {
                future.complete(null);
            }
        }

        @Override
        public void onCompletion(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception exception) {
            if (exception != null) {
                future.completeExceptionally(exception);
            } else {
                acknowledged();
            }
        }
    }
}
