package io.auditkeeper.ingest.kafka;

import io.auditkeeper.ingest.auth.ClientIdentity;
import io.auditkeeper.ingest.batch.EventSlice;
import io.auditkeeper.ingest.batch.RejectedItem;
import io.auditkeeper.ingest.batch.SplitBatch;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.DeadLetterReason;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One clock for a record's timestamp and its received-at header: ingest's, whatever the host's says. */
class AuditRecordPublisherTest {
    @Test
    void shouldStampEveryRecordWithTheBatchsReceiveTimeWhenIngestsClockIsTwoHoursBehind() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        AuditRecordPublisher publisher = new AuditRecordPublisher(producer, "raw", "dlq");
        Instant receivedAt = Instant.now().minusSeconds(7200).plusNanos(123_456);
        byte[] body = "{\"auditID\":\"a\",\"stage\":\"x\"}{\"auditID\":\"b\"}".getBytes(StandardCharsets.UTF_8);
        SplitBatch batch = new SplitBatch(List.of(new EventSlice(0, 27, "a", "x")),
                List.of(new RejectedItem(27, 15, DeadLetterReason.MISSING_STAGE, "no stage", "b")));

        publisher.publishBatch(body, batch, new BatchOrigin("east", receivedAt, new ClientIdentity("token:t", List.of())))
                .get();

        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        assertThat(sent).hasSize(2).allSatisfy(r -> {
            assertThat(r.timestamp()).isEqualTo(receivedAt.toEpochMilli());
            assertThat(AuditHeaders.get(r.headers(), AuditHeaders.RECEIVED_AT).map(Instant::parse))
                    .contains(Instant.ofEpochMilli(receivedAt.toEpochMilli()));
        });
    }
}
