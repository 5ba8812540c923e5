package io.auditkeeper.source.aks;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.MetricsScrape;
import io.auditkeeper.localstack.TopicSnapshot;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.localstack.Waits;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.source.aks.config.AksSourceConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.auditkeeper.source.aks.AzureMessages.message;
import static io.auditkeeper.source.aks.AzureMessages.record;
import static io.auditkeeper.source.aks.AzureMessages.secretRead;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The source against a real broker standing in for the event hub (a topic on the local Kafka, read over the Kafka
 * protocol as Event Hubs is): Azure's envelopes go in, and {@code audit.raw} and {@code audit.dlq} are read the way a
 * person checks them.
 */
@ExtendWith(LocalStackExtension.class)
class AksSourceIT {
    private static final long NOW = 1_796_569_200_123L; // 2026-12-06T15:00:00.123Z, the hub's enqueued time

    @Test
    void shouldWriteEachAuditEventAsSentAndDeadLetterTheRestWhenAzureDeliversMixedMessages(LocalStack stack) throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String run = "aks-it-" + System.nanoTime();
        String hub = run + "-hub";
        String raw = run + "-raw";
        String dlq = run + "-dlq";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(hub, 2, (short) 1), new NewTopic(raw, 3, (short) 1),
                    new NewTopic(dlq, 1, (short) 1));
        }
        String secret = secretRead("0b5e1a3c-6f2d-4e8a-9c1b-7d3e5f2a4b6c", "ResponseComplete");
        String secretStarted = secretRead("0b5e1a3c-6f2d-4e8a-9c1b-7d3e5f2a4b6c", "RequestReceived");
        byte[] fixture = AzureMessages.fixture();
        List<byte[]> messages = List.of(
                fixture,
                message(record("AKS-CLINICAL-PROD", "kube-audit", secretStarted),
                        record("AKS-CLINICAL-PROD", "kube-apiserver", "I1206 15:00:00.000000 1 controller.go:615] quota admission added evaluator\n"),
                        record("AKS-CLINICAL-PROD", "kube-audit", secret),
                        record("AKS-CLINICAL-PROD", "kube-audit", "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"trunc")),
                "{\"records\":[{\"category\":\"kube-audit\",\"properties\":{\"log\":".getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] m : messages) {
                p.send(new ProducerRecord<>(hub, 0, NOW, null, m)).get();
            }
        }

        Map<String, Object> s = new HashMap<>();
        s.put("event-hubs.bootstrap-servers", bootstrap);
        s.put("event-hubs.topic", hub);
        s.put("event-hubs.security-protocol", "PLAINTEXT");
        s.put("event-hubs.namespace", "ak-clinical");
        s.put("event-hubs.consumer-group", run);
        s.put("kafka.bootstrap-servers", bootstrap);
        s.put("topics.raw.name", raw);
        s.put("topics.dlq.name", dlq);
        s.put("admin.host", "127.0.0.1");
        s.put("admin.port", "0");
        s.put("poll.timeout-ms", "200");
        AksSourceService source = new AksSourceService(AksSourceConfig.of(s));
        List<ConsumerRecord<byte[], byte[]>> events;
        List<ConsumerRecord<byte[], byte[]>> deadLetters;
        MetricsScrape metrics;
        try {
            source.start();
            assertThat(Waits.until(Duration.ofSeconds(60), Duration.ofMillis(100),
                    () -> TopicSnapshot.read(bootstrap, raw).size() >= 3 && TopicSnapshot.read(bootstrap, dlq).size() >= 2))
                    .as("3 events in %s and 2 dead letters in %s", raw, dlq).isTrue();
            metrics = MetricsScrape.await(source.adminPort(), Duration.ofSeconds(10),
                    m -> m.sum("auditkeeper_source_aks_commits_total") >= 1);
            assertThat(source.notReadyReason()).isEmpty();
        } finally {
            source.close();
        }
        events = TopicSnapshot.read(bootstrap, raw);
        deadLetters = TopicSnapshot.read(bootstrap, dlq);

        String fixtureLog = AzureMessages.JSON.readTree(fixture).get("records").get(0).get("properties").get("log").asText();
        assertThat(events).extracting(r -> utf8(r.key())).containsExactlyInAnyOrder(
                "4e2a4193-cb3d-4ff7-bf37-32c392fbc23b", "0b5e1a3c-6f2d-4e8a-9c1b-7d3e5f2a4b6c",
                "0b5e1a3c-6f2d-4e8a-9c1b-7d3e5f2a4b6c");
        assertThat(events).extracting(r -> utf8(r.value())).as("each Event exactly as properties.log held it")
                .containsExactlyInAnyOrder(strip(fixtureLog), strip(secretStarted), strip(secret));
        assertThat(events).allSatisfy(r -> {
            assertThat(header(r, AuditHeaders.SOURCE)).isEqualTo("aks-event-hubs");
            assertThat(header(r, AuditHeaders.FORMAT)).isEqualTo("audit.k8s.io/v1");
            assertThat(header(r, AuditHeaders.CLIENT)).isEqualTo("event-hubs:ak-clinical/" + hub);
            assertThat(header(r, AuditHeaders.RECEIVED_AT)).isEqualTo("2026-12-06T15:00:00.123Z");
        });
        assertThat(events).extracting(r -> utf8(r.key()) + " " + header(r, AuditHeaders.CLUSTER)).containsExactlyInAnyOrder(
                "4e2a4193-cb3d-4ff7-bf37-32c392fbc23b kubeauditlogtestcluster",
                "0b5e1a3c-6f2d-4e8a-9c1b-7d3e5f2a4b6c aks-clinical-prod",
                "0b5e1a3c-6f2d-4e8a-9c1b-7d3e5f2a4b6c aks-clinical-prod");
        List<ConsumerRecord<byte[], byte[]>> secretStages = events.stream()
                .filter(r -> utf8(r.key()).startsWith("0b5e")).toList();
        assertThat(secretStages).extracting(ConsumerRecord::partition).as("both stages of one request on one partition")
                .containsOnly(secretStages.get(0).partition());

        assertThat(deadLetters).extracting(r -> header(r, AuditHeaders.DLQ_REASON))
                .containsExactlyInAnyOrder("unparseable-event", "malformed-json");
        assertThat(deadLetters).allSatisfy(r -> {
            assertThat(header(r, AuditHeaders.DLQ_SOURCE)).isEqualTo("source-aks");
            assertThat(header(r, AuditHeaders.DLQ_ORIGIN)).startsWith(hub + "/0/");
            assertThat(header(r, AuditHeaders.DLQ_DETAIL)).doesNotContain("trunc");
        });
        ConsumerRecord<byte[], byte[]> broken = deadLetters.stream()
                .filter(r -> header(r, AuditHeaders.DLQ_REASON).equals("unparseable-event")).findFirst().orElseThrow();
        JsonNode brokenRecord = AzureMessages.JSON.readTree(broken.value());
        assertThat(brokenRecord.get("properties").get("log").asText()).as("the broken record as read").endsWith("\"trunc");
        assertThat(header(broken, AuditHeaders.DLQ_DETAIL)).contains("record 3", hub + "/0/1");
        ConsumerRecord<byte[], byte[]> notJson = deadLetters.stream()
                .filter(r -> header(r, AuditHeaders.DLQ_REASON).equals("malformed-json")).findFirst().orElseThrow();
        assertThat(notJson.value()).as("the message as received").isEqualTo(messages.get(2));

        assertThat(metrics.sum("auditkeeper_source_aks_messages_total")).isEqualTo(3);
        assertThat(metrics.sum("auditkeeper_source_aks_events_total")).isEqualTo(3);
        assertThat(metrics.value("auditkeeper_source_aks_records_skipped_total", "category=\"kube-apiserver\"")).isEqualTo(1);
        assertThat(metrics.sum("auditkeeper_source_aks_dead_letters_total")).isEqualTo(2);
    }

    @Test
    void shouldDeadLetterTheSizeAndHashOfAnEventWhenItIsLargerThanTheRawTopicTakes(LocalStack stack) throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String run = "aks-large-" + System.nanoTime();
        String hub = run + "-hub";
        String raw = run + "-raw";
        String dlq = run + "-dlq";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(hub, 1, (short) 1),
                    new NewTopic(raw, 1, (short) 1).configs(Map.of("max.message.bytes", "4000")),
                    new NewTopic(dlq, 1, (short) 1));
        }
        String large = secretRead("5a1b7c3d-0000-4000-8000-00000000large", "ResponseComplete")
                .replace("\"annotations\":{", "\"annotations\":{\"padding\":\"" + "x".repeat(6000) + "\",");
        String small = secretRead("5a1b7c3d-0000-4000-8000-00000000small", "ResponseComplete");
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(hub, 0, NOW, null, message(record("AKS-CLINICAL-PROD", "kube-audit", large),
                    record("AKS-CLINICAL-PROD", "kube-audit", small)))).get();
        }

        AksSourceService source = new AksSourceService(AksSourceConfig.of(settings(bootstrap, run, hub, raw, dlq)));
        try {
            source.start();
            assertThat(Waits.until(Duration.ofSeconds(60), Duration.ofMillis(100),
                    () -> TopicSnapshot.read(bootstrap, raw).size() >= 1 && TopicSnapshot.read(bootstrap, dlq).size() >= 1))
                    .as("the small Event in %s and the large one's dead letter in %s", raw, dlq).isTrue();
        } finally {
            source.close();
        }

        assertThat(TopicSnapshot.read(bootstrap, raw)).singleElement()
                .satisfies(r -> assertThat(utf8(r.value())).isEqualTo(strip(small)));
        String largeEvent = strip(large);
        assertThat(TopicSnapshot.read(bootstrap, dlq)).singleElement().satisfies(r -> {
            assertThat(utf8(r.key())).isEqualTo("5a1b7c3d-0000-4000-8000-00000000large");
            assertThat(r.value()).as("no content").isNull();
            assertThat(header(r, AuditHeaders.DLQ_REASON)).isEqualTo("record-too-large");
            assertThat(header(r, AuditHeaders.DLQ_SHA256)).isEqualTo(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(largeEvent.getBytes(StandardCharsets.UTF_8))));
            assertThat(Long.parseLong(header(r, AuditHeaders.DLQ_SIZE))).isGreaterThan(largeEvent.length());
            assertThat(header(r, AuditHeaders.CLUSTER)).isEqualTo("aks-clinical-prod");
            assertThat(header(r, AuditHeaders.DLQ_DETAIL)).contains(raw, "4000");
        });
    }

    @Test
    void shouldNotStartWhenTheRawTopicDoesNotExist(LocalStack stack) {
        String run = "aks-missing-" + System.nanoTime();
        AksSourceService source = new AksSourceService(AksSourceConfig.of(
                settings(stack.kafkaBootstrap(), run, run + "-hub", run + "-raw", run + "-dlq")));

        assertThatThrownBy(source::start).hasMessageContaining("topic " + run + "-raw does not exist");
    }

    private static Map<String, Object> settings(String bootstrap, String group, String hub, String raw, String dlq) {
        Map<String, Object> s = new HashMap<>();
        s.put("event-hubs.bootstrap-servers", bootstrap);
        s.put("event-hubs.topic", hub);
        s.put("event-hubs.security-protocol", "PLAINTEXT");
        s.put("event-hubs.consumer-group", group);
        s.put("kafka.bootstrap-servers", bootstrap);
        s.put("topics.raw.name", raw);
        s.put("topics.dlq.name", dlq);
        s.put("admin.enabled", "false");
        s.put("poll.timeout-ms", "200");
        return s;
    }

    private static String strip(String log) {
        return log.endsWith("\n") ? log.substring(0, log.length() - 1) : log;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return AuditHeaders.get(r.headers(), name).orElse(null);
    }

    private static String utf8(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
