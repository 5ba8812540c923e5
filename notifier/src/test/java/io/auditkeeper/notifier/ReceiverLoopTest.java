package io.auditkeeper.notifier;

import io.auditkeeper.localstack.Waits;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.notifier.config.NotifierConfig;
import io.auditkeeper.notifier.deliver.DeliveryOutcome;
import io.auditkeeper.notifier.deliver.Payload;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's order of things, with Kafka's mock clients and a receiver stand-in: a record's offset is committed only
 * after its receiver answered 2xx or its dead letter was acknowledged, never before, so that a crash at any point
 * sends again at most the record in hand.
 */
class ReceiverLoopTest {
    private static final TopicPartition TP = new TopicPartition("audit.alerts", 0);

    private final SlowMockConsumer consumer = new SlowMockConsumer();
    private final List<String> sentWithCommitted = Collections.synchronizedList(new ArrayList<>());
    private Thread worker;
    private ReceiverLoop loop;

    @AfterEach
    void stop() throws InterruptedException {
        if (loop != null) {
            loop.stop();
            worker.join(5_000);
        }
    }

    @Test
    void shouldCommitARecordOnlyAfterItsReceiverAnswered2xx() throws Exception {
        MockProducer<byte[], byte[]> dlq = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        int[] calls = {0};
        start(dlq, id -> ++calls[0] == 2 ? new DeliveryOutcome.Retryable(OptionalInt.of(503), "http-503", "HTTP 503", Optional.empty())
                : new DeliveryOutcome.Delivered(200), "a", "b", "c");

        assertThat(Waits.until(Duration.ofSeconds(10), Duration.ofMillis(10), () -> committed() == 3)).isTrue();
        assertThat(sentWithCommitted).as("each attempt, with the offset committed when it was sent")
                .containsExactly("a@0", "b@1", "b@1", "c@2");
        assertThat(dlq.history()).isEmpty();
    }

    @Test
    void shouldCommitARefusedRecordOnlyAfterItsDeadLetterWasAcknowledged() throws Exception {
        MockProducer<byte[], byte[]> dlq = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        start(dlq, id -> id.equals("b") ? new DeliveryOutcome.Permanent(OptionalInt.of(400), "http-400", "HTTP 400: invalid_payload")
                : new DeliveryOutcome.Delivered(202), "a", "b", "c");

        assertThat(Waits.until(Duration.ofSeconds(10), Duration.ofMillis(10), () -> dlq.history().size() == 1)).isTrue();
        assertThat(committed()).as("b's dead letter is not acknowledged yet").isEqualTo(1);
        assertThat(sentWithCommitted).containsExactly("a@0", "b@1");
        assertThat(dlq.completeNext()).isTrue();

        assertThat(Waits.until(Duration.ofSeconds(10), Duration.ofMillis(10), () -> committed() == 3))
                .as("committed %s after %s", committed(), sentWithCommitted).isTrue();
        ProducerRecord<byte[], byte[]> dead = dlq.history().get(0);
        assertThat(dead.topic()).isEqualTo("audit.dlq");
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).contains("\"alertId\":\"b\"");
        assertThat(AuditHeaders.get(dead.headers(), AuditHeaders.DLQ_RECEIVER)).contains("siem");
        assertThat(AuditHeaders.get(dead.headers(), AuditHeaders.DLQ_HTTP_STATUS)).contains("400");
        assertThat(AuditHeaders.get(dead.headers(), AuditHeaders.DLQ_ORIGIN)).contains("audit.alerts/0/1");
        assertThat(sentWithCommitted).containsExactly("a@0", "b@1", "c@2");
    }

    private void start(MockProducer<byte[], byte[]> dlq, Function<String, DeliveryOutcome> answers, String... ids) {
        NotifierConfig config = NotifierConfig.of(Map.of(
                "kafka.bootstrap-servers", "unused:9092",
                "poll.timeout-ms", "20",
                "receivers.siem.type", "webhook",
                "receivers.siem.url", "https://siem.example.org/in",
                "receivers.siem.retry.backoff-initial-ms", "10",
                "receivers.siem.retry.backoff-max-ms", "20"));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(TP));
            consumer.updateBeginningOffsets(Map.of(TP, 0L));
            for (int i = 0; i < ids.length; i++) {
                consumer.addRecord(new ConsumerRecord<>(TP.topic(), 0, i, null, Alerts.alert(ids[i], "high")));
            }
        });
        loop = new ReceiverLoop(config, config.receivers().get("siem"), consumer, dlq, (Payload p) -> {
            String id = p.headers().get("Idempotency-Key");
            sentWithCommitted.add(id + "@" + committed());
            return answers.apply(id);
        }, new NotifierMetrics(new SimpleMeterRegistry()));
        worker = new Thread(loop, "receiver-loop-test");
        worker.start();
    }

    private long committed() {
        OffsetAndMetadata o = consumer.committed(Set.of(TP)).get(TP);
        return o == null ? 0 : o.offset();
    }

    /** MockConsumer's poll returns at once; this one waits a little when it has nothing, as a real poll would. */
    private static final class SlowMockConsumer extends MockConsumer<byte[], byte[]> {
        SlowMockConsumer() {
            super("earliest");
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            ConsumerRecords<byte[], byte[]> r = super.poll(timeout);
            if (r.isEmpty()) {
                try {
                    Thread.sleep(Math.min(5, timeout.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return r;
        }
    }
}
