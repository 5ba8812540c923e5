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
 * (key = auditID), each unusable item to the dead-letter topic with its reason. The returned future completes only
 * when every record of the batch is acknowledged, and fails as soon as one fails: the webhook answers 2xx on the
 * first and 503 on the second, so the apiserver resends whatever was not certainly written.
 *
 * <p>Every record's Kafka timestamp is the batch's {@link BatchOrigin#receivedAt} (its {@code auditkeeper.received-at}
 * header, to the millisecond), rather than the producer's own reading of the host clock at send: one clock, ingest's
 * receiving clock, for both, which the stream-processor compares with the events' own times (clock skew) and which a
 * test can set.
 */
public final class AuditRecordPublisher {
    private final Producer<byte[], byte[]> producer;
    private final String rawTopic;
    private final String deadLetterTopic;

    public AuditRecordPublisher(Producer<byte[], byte[]> producer, String rawTopic, String deadLetterTopic) {
        this.producer = producer;
        this.rawTopic = rawTopic;
        this.deadLetterTopic = deadLetterTopic;
    }

    public CompletableFuture<Void> publishBatch(byte[] body, SplitBatch batch, BatchOrigin origin) {
        Acks acks = new Acks(batch.itemCount());
        if (batch.itemCount() == 0) {
            return acks.future;
        }
        RecordHeader[] common = commonHeaders(origin);
        Long timestamp = origin.receivedAt().toEpochMilli();
        for (EventSlice e : batch.events()) {
            RecordHeaders headers = new RecordHeaders(common);
            byte[] value = Arrays.copyOfRange(body, e.offset(), e.offset() + e.length());
            if (!acks.send(new ProducerRecord<>(rawTopic, null, timestamp, utf8(e.auditId()), value, headers))) {
                return acks.future;
            }
        }
        for (RejectedItem r : batch.rejected()) {
            RecordHeaders headers = deadLetterHeaders(common, r.reason(), r.detail());
            byte[] value = Arrays.copyOfRange(body, r.offset(), r.offset() + r.length());
            byte[] key = r.auditId() == null ? null : utf8(r.auditId());
            if (!acks.send(new ProducerRecord<>(deadLetterTopic, null, timestamp, key, value, headers))) {
                return acks.future;
            }
        }
        return acks.future;
    }

    /** Keeps a body that was refused as a whole (400), so that nothing a client sent is lost. */
    public CompletableFuture<Void> publishRefusedBody(byte[] body, int length, DeadLetterReason reason, String detail,
                                                      BatchOrigin origin) {
        Acks acks = new Acks(1);
        RecordHeaders headers = deadLetterHeaders(commonHeaders(origin), reason, detail);
        acks.send(new ProducerRecord<byte[], byte[]>(deadLetterTopic, null, origin.receivedAt().toEpochMilli(), null,
                Arrays.copyOf(body, length), headers));
        return acks.future;
    }

    private static RecordHeader[] commonHeaders(BatchOrigin origin) {
        return new RecordHeader[]{
                new RecordHeader(AuditHeaders.CLUSTER, utf8(origin.cluster())),
                new RecordHeader(AuditHeaders.RECEIVED_AT,
                        utf8(DateTimeFormatter.ISO_INSTANT.format(origin.receivedAt().truncatedTo(ChronoUnit.MILLIS)))),
                new RecordHeader(AuditHeaders.CLIENT, utf8(origin.client().value()))
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

    private final class Acks implements Callback {
        private final CompletableFuture<Void> future = new CompletableFuture<>();
        private final AtomicInteger pending;

        Acks(int count) {
            pending = new AtomicInteger(count);
            if (count == 0) {
                future.complete(null);
            }
        }

        /** Sends one record; false once the batch has failed, so that the rest is not sent in vain. */
        boolean send(ProducerRecord<byte[], byte[]> record) {
            if (future.isDone()) {
                return false;
            }
            try {
                producer.send(record, this);
                return true;
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
                return false;
            }
        }

        @Override
        public void onCompletion(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception exception) {
            if (exception != null) {
                future.completeExceptionally(exception);
            } else if (pending.decrementAndGet() == 0) {
                future.complete(null);
            }
        }
    }
}
