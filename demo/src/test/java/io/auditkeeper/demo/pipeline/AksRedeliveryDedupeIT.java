package io.auditkeeper.demo.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.TopicSnapshot;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.localstack.Waits;
import io.auditkeeper.source.aks.AksSourceService;
import io.auditkeeper.source.aks.config.AksSourceConfig;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AKS source's guarantee end to end: at least once into the raw topic, exactly once into the events topic through
 * the real stream-processor's dedupe. The hub is read twice in full, by two consumer groups, so that every Event
 * reaches the raw topic twice, as a crash between produce and commit makes a batch of them do (the source's
 * AtLeastOnceUnderKillIT shows those copies are identical, value and headers); the stream-processor writes each
 * (cluster, auditID, stage) once and counts the other copy as a repeat.
 */
@ExtendWith(LocalStackExtension.class)
class AksRedeliveryDedupeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MESSAGES = 200;

    @TempDir
    Path dir;

    @Test
    void shouldWriteEachEventOnceWhenTheSourceDeliversItTwice(LocalStack stack) throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String name = "aks-e2e-" + UUID.randomUUID().toString().substring(0, 8);
        String hub = name + ".hub";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(hub, 2, (short) 1),
                    new NewTopic(name + ".raw", 2, (short) 1).configs(Map.of("max.message.bytes", Integer.toString(9 << 20))));
        }
        Set<String> sent = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < MESSAGES; i++) {
                String id = UUID.randomUUID().toString();
                p.send(new ProducerRecord<>(hub, message(record(event(id, "RequestReceived")), record(event(id, "ResponseComplete")))));
                sent.add(id + "/RequestReceived");
                sent.add(id + "/ResponseComplete");
            }
        }

        StreamProcessorConfig processorConfig = StreamProcessorConfig.of(
                PipelineSettings.streamProcessor(stack, name, 2, dir.resolve("state")));
        try (StreamProcessorService processor = new StreamProcessorService(processorConfig).start()) {
            for (String group : List.of(name + "-first", name + "-again")) {
                AksSourceService source = new AksSourceService(AksSourceConfig.of(sourceSettings(bootstrap, hub, name, group)));
                try {
                    source.start();
                    long before = TopicSnapshot.read(bootstrap, name + ".raw").size();
                    assertThat(Waits.until(Duration.ofSeconds(90), Duration.ofMillis(200),
                            () -> TopicSnapshot.read(bootstrap, name + ".raw").size() >= before + sent.size()))
                            .as("group %s wrote every Event to the raw topic", group).isTrue();
                } finally {
                    source.close();
                }
            }
            assertThat(Waits.until(Duration.ofSeconds(120), Duration.ofMillis(200),
                    () -> count(processor, "auditkeeper.streams.events.processed")
                            + count(processor, "auditkeeper.streams.events.duplicates") >= 2L * sent.size()))
                    .as("the stream-processor handled both copies of every Event").isTrue();
            assertThat(Waits.until(Duration.ofSeconds(60), Duration.ofMillis(200),
                    () -> TopicSnapshot.read(bootstrap, processorConfig.eventsTopic()).size() >= sent.size()))
                    .as("its transactions committed").isTrue();

            List<ConsumerRecord<byte[], byte[]>> events = TopicSnapshot.read(bootstrap, processorConfig.eventsTopic());
            Map<String, Long> perEvent = events.stream().map(AksRedeliveryDedupeIT::auditIdAndStage)
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            System.out.printf("AksRedeliveryDedupeIT: %d Events sent, raw %d, events %d, repeats dropped %d%n", sent.size(),
                    TopicSnapshot.read(bootstrap, name + ".raw").size(), events.size(),
                    count(processor, "auditkeeper.streams.events.duplicates"));
            assertThat(TopicSnapshot.read(bootstrap, name + ".raw")).as("each Event twice in the raw topic").hasSize(2 * sent.size());
            assertThat(perEvent.keySet()).isEqualTo(sent);
            assertThat(perEvent).as("each Event once in the events topic").allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1L));
            assertThat(count(processor, "auditkeeper.streams.events.duplicates")).isEqualTo(sent.size());
            assertThat(TopicSnapshot.read(bootstrap, processorConfig.alertsTopic()).stream()
                    .map(r -> new String(r.value())).filter(v -> v.contains("conflicting-duplicate")))
                    .as("no copy seen as a resend with other content").isEmpty();
        }
    }

    private static Map<String, Object> sourceSettings(String bootstrap, String hub, String name, String group) {
        Map<String, Object> s = new HashMap<>();
        s.put("event-hubs.bootstrap-servers", bootstrap);
        s.put("event-hubs.topic", hub);
        s.put("event-hubs.security-protocol", "PLAINTEXT");
        s.put("event-hubs.consumer-group", group);
        s.put("kafka.bootstrap-servers", bootstrap);
        s.put("topics.raw.name", name + ".raw");
        s.put("topics.dlq.name", name + ".dlq");
        s.put("admin.enabled", "false");
        s.put("poll.timeout-ms", "200");
        return s;
    }

    private static String auditIdAndStage(ConsumerRecord<byte[], byte[]> r) {
        try {
            JsonNode n = JSON.readTree(r.value());
            return n.get("auditID").asText() + "/" + n.get("stage").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode record(String log) {
        ObjectNode r = JSON.createObjectNode();
        r.put("time", "2026-12-06T15:00:00.0000000Z");
        r.put("resourceId", "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-CLINICAL-PROD");
        r.put("category", "kube-audit");
        r.put("operationName", "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read");
        ObjectNode p = r.putObject("properties");
        p.put("log", log);
        p.put("stream", "stdout");
        p.put("pod", "kube-apiserver-7f9c6d8b5-x2x8q");
        return r;
    }

    private static byte[] message(ObjectNode... records) throws IOException {
        ArrayNode a = JSON.createArrayNode();
        for (ObjectNode r : records) {
            a.add(r);
        }
        return JSON.writeValueAsBytes(JSON.createObjectNode().set("records", a));
    }

    private static String event(String auditID, String stage) {
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"" + auditID
                + "\",\"stage\":\"" + stage + "\",\"requestURI\":\"/api/v1/namespaces/phi-records/secrets/db-credentials\","
                + "\"verb\":\"get\",\"user\":{\"username\":\"clinician@hospital.example\",\"groups\":[\"system:authenticated\"]},"
                + "\"sourceIPs\":[\"10.20.30.40\"],\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"phi-records\","
                + "\"name\":\"db-credentials\",\"apiVersion\":\"v1\"},\"responseStatus\":{\"metadata\":{},\"code\":200},"
                + "\"requestReceivedTimestamp\":\"2026-12-06T14:59:59.912345Z\",\"stageTimestamp\":\"2026-12-06T14:59:59.921234Z\"}\n";
    }

    private static long count(StreamProcessorService processor, String name) {
        return (long) processor.registry().find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
