package io.auditkeeper.ingest.kafka;

import io.auditkeeper.ingest.auth.ClientIdentity;
import io.auditkeeper.ingest.batch.EventListSplitter;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class AuditRecordPublisherTest {
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final AuditRecordPublisher publisher = new AuditRecordPublisher(producer, "audit.raw", "audit.dlq");
    private final BatchOrigin origin = new BatchOrigin("east", Instant.parse("2026-12-06T10:00:00Z"),
            new ClientIdentity("token:apiserver-east", List.of("apiserver-east")));

    @Test
    void shouldCompleteABatchSentInRoundsOnlyWhenSealedAndEveryRecordOfEveryRoundIsAcknowledged() throws Exception {
        byte[] body = body(5);
        AuditRecordPublisher.Publication publication = publisher.begin(origin);
        List<SplitBatch> rounds = new ArrayList<>();
        new EventListSplitter(2).split(body, body.length, rounds::add);

        for (SplitBatch round : rounds) {
            assertThat(publication.send(body, round)).isTrue();
        }
        while (producer.completeNext()) {
            // acknowledge every record sent so far
        }
        assertThat(producer.history()).hasSize(5);
        CompletableFuture<Void> acked = publication.seal();

        assertThat(rounds).hasSize(3);
        assertThat(acked).isCompleted();
        assertThat(producer.history()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("id-0", "id-1", "id-2", "id-3", "id-4");
        assertThat(AuditHeaders.get(producer.history().get(4).headers(), AuditHeaders.CLUSTER)).contains("east");
    }

    @Test
    void shouldNameTheSourceOnEveryRecordAndTheFormatOnRawRecordsWhenWritingABatch() throws Exception {
        byte[] body = ("{\"items\":[{\"auditID\":\"a\",\"stage\":\"ResponseComplete\"},{\"auditID\":\"b\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        SplitBatch batch = new EventListSplitter(10).split(body, body.length);
        BatchOrigin firehose = new BatchOrigin("east", origin.receivedAt(), origin.client(), "eks-firehose");

        publisher.publishBatch(body, batch, origin);
        publisher.publishBatch(body, batch, firehose);

        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        assertThat(sent).extracting(ProducerRecord::topic).containsExactly("audit.raw", "audit.dlq", "audit.raw", "audit.dlq");
        assertThat(sent).extracting(r -> AuditHeaders.get(r.headers(), AuditHeaders.SOURCE).orElse(null))
                .containsExactly("webhook", "webhook", "eks-firehose", "eks-firehose");
        assertThat(sent).extracting(r -> AuditHeaders.get(r.headers(), AuditHeaders.FORMAT).orElse(null))
                .containsExactly("audit.k8s.io/v1", null, "audit.k8s.io/v1", null);
    }

    @Test
    void shouldWaitForTheLastRecordAndFailWithTheFirstFailedOneAndStopSendingAfterIt() throws Exception {
        byte[] body = body(4);
        List<SplitBatch> rounds = new ArrayList<>();
        new EventListSplitter(2).split(body, body.length, rounds::add);
        AuditRecordPublisher.Publication publication = publisher.begin(origin);
        publication.send(body, rounds.get(0));
        CompletableFuture<Void> acked = publication.seal();
        assertThat(acked).isNotDone();

        producer.completeNext();
        assertThat(acked).isNotDone();
        producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("test"));

        assertThat(acked).isCompletedExceptionally();
        assertThat(publication.send(body, rounds.get(1))).as("no more rounds sent after a failure").isFalse();
        assertThat(producer.history()).hasSize(2);
    }

    @Test
    void shouldWriteAnOversizeItemsSummaryInsteadOfItsBytes() throws Exception {
        String big = "{\"auditID\":\"big\",\"stage\":\"ResponseComplete\",\"requestObject\":\"" + "x".repeat(2000) + "\"}";
        byte[] body = ("{\"items\":[" + big + "]}").getBytes(StandardCharsets.UTF_8);
        SplitBatch batch = new EventListSplitter(10, 1024).split(body, body.length);

        publisher.publishBatch(body, batch, origin);

        ProducerRecord<byte[], byte[]> r = producer.history().get(0);
        assertThat(r.topic()).isEqualTo("audit.dlq");
        assertThat(r.value()).isEqualTo(batch.rejected().get(0).summary());
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain("xxxx");
        assertThat(AuditHeaders.get(r.headers(), AuditHeaders.DLQ_REASON)).contains("event-too-large");
    }

    private static byte[] body(int n) {
        StringBuilder sb = new StringBuilder("{\"items\":[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"auditID\":\"id-").append(i).append("\",\"stage\":\"ResponseComplete\"}");
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

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
