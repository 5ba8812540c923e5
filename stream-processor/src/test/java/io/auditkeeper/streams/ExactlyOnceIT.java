package io.auditkeeper.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.TopicSnapshot;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On the real broker: a read_committed consumer of the outputs sees every event exactly once, although the app is
 * stopped in the middle of its input, restarted on an empty state directory (a moved task, rebuilt from the
 * changelog), and the apiserver resends a batch after the restart.
 */
@ExtendWith(LocalStackExtension.class)
class ExactlyOnceIT {
    @Test
    void shouldWriteEachEventOnceAcrossARestartInTheMiddleOfTheInput(LocalStack stack) throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String suffix = Long.toString(System.nanoTime());
        String raw = "eos-raw-" + suffix;
        Map<String, Object> settings = new HashMap<>(Map.of(
                "kafka.bootstrap-servers", bootstrap,
                "application.id", "eos-it-" + suffix,
                "topics.raw.name", raw,
                "topics.events.name", "eos-events-" + suffix,
                "topics.phi-access.name", "eos-phi-" + suffix,
                "topics.alerts.name", "eos-alerts-" + suffix,
                "topics.dlq.name", "eos-dlq-" + suffix,
                "phi.namespaces", "phi-*",
                "admin.enabled", "false"));
        settings.put("kafka.streams.commit.interval.ms", "200");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(raw, 3, (short) 1));
        }
        List<byte[]> events = events(3000);
        produce(bootstrap, raw, events);

        StreamProcessorService first = start(settings, "state-a-" + suffix);
        String eventsTopic = "eos-events-" + suffix;
        waitFor(() -> TopicSnapshot.read(bootstrap, eventsTopic).size() >= 1000, "a third of the input processed");
        first.close();

        StreamProcessorService second = start(settings, "state-b-" + suffix);
        produce(bootstrap, raw, events.subList(0, 400));
        try {
            waitFor(() -> caughtUp(bootstrap, "eos-it-" + suffix, raw), "the app to consume all of its input");
        } finally {
            second.close();
        }

        List<ConsumerRecord<byte[], byte[]>> out = TopicSnapshot.read(bootstrap, eventsTopic);
        Map<String, Long> perStage = out.stream().collect(Collectors.groupingBy(r -> stageKey(r.value()), Collectors.counting()));
        assertThat(out).hasSize(3000);
        assertThat(perStage).hasSize(3000).allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1L));
        List<ConsumerRecord<byte[], byte[]>> phi = TopicSnapshot.read(bootstrap, "eos-phi-" + suffix);
        Set<String> phiRequests = new HashSet<>();
        phi.forEach(r -> phiRequests.add(new String(r.key(), StandardCharsets.UTF_8)));
        assertThat(phi).hasSize(phiRequests.size()).isNotEmpty();
    }

    private static StreamProcessorService start(Map<String, Object> settings, String stateDir) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", stateDir));
        Map<String, Object> s = new HashMap<>(settings);
        s.put("streams.state-dir", dir.toAbsolutePath().toString());
        return new StreamProcessorService(StreamProcessorConfig.of(s)).start();
    }

    /** Corpus events with fresh auditIDs; every third in a PHI namespace, so some are flagged. */
    private static List<byte[]> events(int n) throws Exception {
        List<String> lines = Files.readAllLines(corpus().resolve("events.ndjson"));
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ObjectNode e = (ObjectNode) AuditJson.mapper().readTree(lines.get(i % lines.size()));
            e.put("auditID", "eos-" + i);
            e.put("stage", "ResponseComplete");
            if (i % 3 == 0 && e.has("objectRef")) {
                ((ObjectNode) e.get("objectRef")).put("namespace", "phi-records");
                ((ObjectNode) e.get("objectRef")).put("resource", "secrets");
                e.put("verb", "get");
            }
            out.add(AuditJson.mapper().writeValueAsBytes(e));
        }
        return out;
    }

    private static void produce(String bootstrap, String topic, List<byte[]> events) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] e : events) {
                RecordHeaders h = new RecordHeaders();
                AuditHeaders.put(h, AuditHeaders.CLUSTER, "eos");
                String id = AuditJson.mapper().readTree(e).get("auditID").asText();
                p.send(new ProducerRecord<>(topic, null, id.getBytes(StandardCharsets.UTF_8), e, h));
            }
            p.flush();
        }
    }

    private static boolean caughtUp(String bootstrap, String group, String topic) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get();
            return ends.entrySet().stream().allMatch(en -> committed.containsKey(en.getKey())
                    && committed.get(en.getKey()).offset() >= en.getValue().offset());
        } catch (Exception e) {
            return false;
        }
    }

    private static String stageKey(byte[] normalized) {
        try {
            JsonNode n = AuditJson.mapper().readTree(normalized);
            return n.get("cluster").asText() + "/" + n.get("auditID").asText() + "/" + n.get("stage").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path corpus() {
        return Path.of(System.getProperty("auditkeeper.corpus", "../testdata/corpus"));
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
