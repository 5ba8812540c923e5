package io.auditkeeper.streams;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.TopicSnapshot;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On the real broker, the two ways the stream-processor used to lose records without a word: records of
 * {@code audit.raw} deleted before they were processed, and an output record a broker refuses.
 */
@ExtendWith(LocalStackExtension.class)
class StreamProcessorFailuresIT {
    @Test
    void shouldCountAndLogRawRecordsDeletedBeforeTheyWereProcessed(LocalStack stack) throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String suffix = Long.toString(System.nanoTime());
        Map<String, Object> settings = settings(bootstrap, "lost", suffix);
        String raw = "lost-raw-" + suffix;
        String events = "lost-events-" + suffix;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(raw, 1, (short) 1));
        }
        produce(bootstrap, raw, 0, 10, 200);
        StreamProcessorService first = start(settings, "state-lost-a-" + suffix);
        try {
            waitFor(() -> TopicSnapshot.read(bootstrap, events).size() == 10, "the first ten events processed");
            waitFor(() -> committed(bootstrap, "lost-it-" + suffix, raw) == 10, "offset 10 committed");
        } finally {
            first.close();
        }
        produce(bootstrap, raw, 10, 20, 200);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.deleteRecords(Map.of(new TopicPartition(raw, 0), RecordsToDelete.beforeOffset(15))).all().get();
        }

        StreamProcessorService second = start(settings, "state-lost-b-" + suffix);
        try {
            waitFor(() -> TopicSnapshot.read(bootstrap, events).size() == 15, "the five events left processed");
            assertThat(second.offsetsLost()).isEqualTo(5);
            assertThat(second.registry().get("auditkeeper.streams.offsets.lost").counter().count()).isEqualTo(5.0);
            assertThat(second.registry().scrape()).contains("auditkeeper_streams_offsets_lost_total 5.0");
        } finally {
            second.close();
        }
    }

    @Test
    void shouldSendARecordTheBrokerRefusesToTheDeadLetterTopicAndGoOn(LocalStack stack) throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String suffix = Long.toString(System.nanoTime());
        Map<String, Object> settings = settings(bootstrap, "large", suffix);
        String raw = "large-raw-" + suffix;
        String events = "large-events-" + suffix;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(raw, 1, (short) 1));
        }
        StreamProcessorService service = start(settings, "state-large-" + suffix);
        try {
            // lowered after start, so that only the broker knows: the record is refused in a transaction
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, events), List.of(
                        new AlterConfigOp(new ConfigEntry("max.message.bytes", "8192"), AlterConfigOp.OpType.SET)))).all().get();
            }
            Thread.sleep(1000);
            produce(bootstrap, raw, 0, 3, 200);
            produce(bootstrap, raw, 3, 4, 40_000);
            produce(bootstrap, raw, 4, 7, 200);

            waitFor(() -> TopicSnapshot.read(bootstrap, events).size() == 6, "the six small events written");
            String dlq = "large-dlq-" + suffix;
            waitFor(() -> !TopicSnapshot.read(bootstrap, dlq).isEmpty(), "the large one dead-lettered");
            List<ConsumerRecord<byte[], byte[]>> dead = TopicSnapshot.read(bootstrap, dlq);
            assertThat(dead).singleElement().satisfies(r -> {
                assertThat(AuditHeaders.get(r.headers(), AuditHeaders.DLQ_REASON)).contains("record-too-large");
                assertThat(AuditHeaders.get(r.headers(), AuditHeaders.DLQ_ORIGIN)).contains(raw + "/0/3");
                assertThat(Long.parseLong(AuditHeaders.get(r.headers(), AuditHeaders.DLQ_SIZE).orElseThrow())).isGreaterThan(40_000);
                assertThat(AuditHeaders.get(r.headers(), AuditHeaders.DLQ_SHA256).orElseThrow()).hasSize(64);
                assertThat(r.value()).isEmpty();
            });
            List<ConsumerRecord<byte[], byte[]>> out = TopicSnapshot.read(bootstrap, events);
            assertThat(out).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).doesNotHaveDuplicates()
                    .doesNotContain("it/large-3");
            assertThat(service.registry().get("auditkeeper.streams.output.refused").tag("topic", events).counter().count())
                    .isGreaterThanOrEqualTo(1.0);
            assertThat(service.registry().get("auditkeeper.streams.events.rejected").tag("reason", "record-too-large")
                    .counter().count()).isGreaterThanOrEqualTo(1.0);
        } finally {
            service.close();
        }
    }

    private static Map<String, Object> settings(String bootstrap, String name, String suffix) {
        Map<String, Object> s = new HashMap<>(Map.of(
                "kafka.bootstrap-servers", bootstrap,
                "application.id", name + "-it-" + suffix,
                "topics.raw.name", name + "-raw-" + suffix,
                "topics.events.name", name + "-events-" + suffix,
                "topics.phi-access.name", name + "-phi-" + suffix,
                "topics.alerts.name", name + "-alerts-" + suffix,
                "topics.dlq.name", name + "-dlq-" + suffix,
                "admin.enabled", "false"));
        s.put("kafka.streams.commit.interval.ms", "200");
        return s;
    }

    private static StreamProcessorService start(Map<String, Object> settings, String stateDir) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", stateDir));
        Map<String, Object> s = new HashMap<>(settings);
        s.put("streams.state-dir", dir.toAbsolutePath().toString());
        return new StreamProcessorService(StreamProcessorConfig.of(s)).start();
    }

    /** Events {@code it-<from>} to {@code it-<to - 1>}, each with a note of {@code pad} random (incompressible) bytes. */
    private static void produce(String bootstrap, String topic, int from, int to, int pad) throws Exception {
        SecureRandom random = new SecureRandom();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "max.request.size", 1024 * 1024), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                byte[] noise = new byte[pad * 3 / 4];
                random.nextBytes(noise);
                String e = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"it-" + i
                        + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/default/pods\",\"verb\":\"list\","
                        + "\"user\":{\"username\":\"jane\"},\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"default\",\"apiVersion\":\"v1\"},"
                        + "\"responseStatus\":{\"metadata\":{},\"code\":200},"
                        + "\"annotations\":{\"note\":\"" + Base64.getEncoder().encodeToString(noise) + "\"},"
                        + "\"requestReceivedTimestamp\":\"2026-12-06T10:00:00.000001Z\",\"stageTimestamp\":\"2026-12-06T10:00:00.000900Z\"}";
                RecordHeaders h = new RecordHeaders();
                AuditHeaders.put(h, AuditHeaders.CLUSTER, "it");
                p.send(new ProducerRecord<>(topic, 0, null, ("it-" + i).getBytes(StandardCharsets.UTF_8),
                        e.getBytes(StandardCharsets.UTF_8), h));
            }
            p.flush();
        }
    }

    private static long committed(String bootstrap, String group, String topic) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            var c = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(topic, 0));
            return c == null ? -1 : c.offset();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
