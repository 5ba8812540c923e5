package io.auditkeeper.streams.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.auditkeeper.streams.topology.Events.bytes;
import static io.auditkeeper.streams.topology.Events.secretGet;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GKE audit log entries (ingest's Pub/Sub endpoint, format {@code gke-log-entry}) through the whole topology: they
 * come out as the same normalized record a webhook event does, and the same rules fire on them.
 */
class GkeLogEntryTopologyTest {
    private static final Instant T0 = Instant.parse("2026-12-06T09:15:33Z");
    private static final String ENTRY_ID = "8f5b1c3e-2a4d-4f6e-9b7a-1c2d3e4f5a6b@2026-12-06T09:15:27.123456Z";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> raw;
    private TestOutputTopic<byte[], byte[]> events;
    private TestOutputTopic<byte[], byte[]> phiAccess;
    private TestOutputTopic<byte[], byte[]> deadLetter;

    @BeforeEach
    void start() {
        StreamProcessorConfig config = StreamProcessorConfig.of(Map.of("kafka.bootstrap-servers", "unused:9092",
                "phi.namespaces", "phi-*", "streams.state-dir", stateDir.toString()));
        Properties props = StreamProcessorService.streamsProperties(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(StreamProcessorService.topology(config, new SimpleMeterRegistry()), props, T0);
        raw = driver.createInputTopic(config.rawTopic(), new ByteArraySerializer(), new ByteArraySerializer(), T0, Duration.ZERO);
        events = driver.createOutputTopic(config.eventsTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        phiAccess = driver.createOutputTopic(config.phiAccessTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetter = driver.createOutputTopic(config.deadLetterTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void shouldNormalizeASecretReadWhenItComesAsAGkeLogEntry() throws Exception {
        pipeEntry(entry());

        assertThat(read(events.readValuesToList())).singleElement().satisfies(n -> {
            assertThat(n.get("cluster").asText()).isEqualTo("phi-gke");
            assertThat(n.get("auditID").asText()).isEqualTo(ENTRY_ID);
            assertThat(n.get("stage").asText()).isEqualTo("ResponseComplete");
            assertThat(n.get("level").asText()).isEqualTo("Metadata");
            assertThat(n.get("verb").asText()).isEqualTo("get");
            assertThat(n.get("actor").asText()).isEqualTo("dev@example.com");
            assertThat(n.at("/objectRef/resource").asText()).isEqualTo("secrets");
            assertThat(n.at("/objectRef/namespace").asText()).isEqualTo("phi-records");
            assertThat(n.at("/objectRef/name").asText()).isEqualTo("db");
            assertThat(n.at("/objectRef/apiGroup").asText()).isEmpty();
            assertThat(n.at("/objectRef/apiVersion").asText()).isEqualTo("v1");
            assertThat(n.get("sourceIPs").toString()).isEqualTo("[\"203.0.113.7\"]");
            assertThat(n.get("userAgent").asText()).startsWith("kubectl/v1.29.2");
            assertThat(n.get("responseCode").asInt()).isEqualTo(200);
            assertThat(n.get("decision").asText()).isEqualTo("allow");
            assertThat(n.get("timestamp").asText()).startsWith("2026-12-06T09:15:27.123456");
            assertThat(n.has("requestURI")).as("a LogEntry holds none; none is made up").isFalse();
            assertThat(n.at("/event/protoPayload/methodName").asText()).as("the entry itself is kept")
                    .isEqualTo("io.k8s.core.v1.secrets.get");
        });
    }

    @Test
    void shouldFlagAGkeSecretReadInAPhiNamespaceWithTheRuleAWebhookSecretReadFires() throws Exception {
        raw.pipeInput(new TestRecord<>(null, bytes(secretGet("webhook-1", "ResponseComplete", "phi-records")),
                headers("phi-webhook", null), T0));
        pipeEntry(entry());

        List<JsonNode> flagged = read(phiAccess.readValuesToList());
        assertThat(flagged).hasSize(2);
        assertThat(rules(flagged.get(1))).isNotEmpty().isEqualTo(rules(flagged.get(0))).contains("secret-read");
        assertThat(flagged.get(1).at("/phi/severity").asText()).isEqualTo(flagged.get(0).at("/phi/severity").asText());
        assertThat(flagged.get(1).get("auditID").asText()).isEqualTo(ENTRY_ID);
    }

    @Test
    void shouldDropARedeliveredLogEntryAsADuplicate() throws Exception {
        pipeEntry(entry());
        pipeEntry(entry());

        assertThat(events.readValuesToList()).as("Pub/Sub's redelivery of the same entry").hasSize(1);
        assertThat(deadLetter.isEmpty()).isTrue();
    }

    @Test
    void shouldRedactSecretValuesInALogEntrysRequestBody() throws Exception {
        String entry = entry().replace("io.k8s.core.v1.secrets.get", "io.k8s.core.v1.secrets.create")
                .replace("\"status\":{}", "\"status\":{},\"request\":{\"@type\":\"core.k8s.io/v1.Secret\",\"apiVersion\":\"v1\","
                        + "\"kind\":\"Secret\",\"metadata\":{\"name\":\"db\"},\"data\":{\"password\":\"aHVudGVyMg==\"}}");

        pipeEntry(entry);

        assertThat(read(events.readValuesToList())).singleElement().satisfies(n -> {
            assertThat(n.get("verb").asText()).isEqualTo("create");
            assertThat(n.get("level").asText()).isEqualTo("Request");
            assertThat(n.toString()).doesNotContain("aHVudGVyMg==");
            assertThat(n.at("/event/protoPayload/request/data/password").asText()).isEqualTo("[REDACTED]");
        });
    }

    @Test
    void shouldSendALogEntryThatIsNoKubernetesCallToTheDeadLetterTopicWithItsReason() throws Exception {
        String entry = entry().replace("io.k8s.core.v1.secrets.get", "google.container.v1.ClusterManager.CreateCluster");

        pipeEntry(entry);

        assertThat(events.isEmpty()).isTrue();
        assertThat(deadLetter.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(header(r, AuditHeaders.DLQ_REASON)).isEqualTo("unmappable-log-entry");
            assertThat(header(r, AuditHeaders.DLQ_DETAIL)).contains("methodName");
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).as("the entry as received").isEqualTo(entry);
        });
    }

    @Test
    void shouldDeadLetterAnUnmappableLogEntryWithoutItsRequestAndResponseBodies() throws Exception {
        String entry = entry().replace("io.k8s.core.v1.secrets.get", "io.k8s.core.v1.secrets.weird-verb-only")
                .replace("\"resourceName\"", "\"otherName\"")
                .replace("\"status\":{}", "\"status\":{},\"response\":{\"@type\":\"core.k8s.io/v1.Secret\","
                        + "\"kind\":\"Secret\",\"data\":{\"password\":\"aHVudGVyMg==\"}}");

        pipeEntry(entry);

        assertThat(deadLetter.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(header(r, AuditHeaders.DLQ_REASON)).isEqualTo("unmappable-log-entry");
            assertThat(header(r, AuditHeaders.DLQ_DETAIL)).contains("protoPayload.request and .response removed");
            String value = new String(r.value(), StandardCharsets.UTF_8);
            assertThat(value).doesNotContain("aHVudGVyMg==").contains("\"otherName\"");
        });
    }

    @Test
    void shouldSendALogEntryWithoutResourceNameToTheDeadLetterTopic() throws Exception {
        pipeEntry(entry().replace("\"resourceName\"", "\"otherName\""));

        assertThat(deadLetter.readRecordsToList()).singleElement()
                .satisfies(r -> assertThat(header(r, AuditHeaders.DLQ_DETAIL)).contains("resourceName"));
    }

    private void pipeEntry(String entry) {
        raw.pipeInput(new TestRecord<>(bytes(ENTRY_ID), bytes(entry), headers("phi-gke", AuditHeaders.FORMAT_GKE_LOG_ENTRY), T0));
    }

    private static RecordHeaders headers(String cluster, String format) {
        RecordHeaders h = new RecordHeaders();
        AuditHeaders.put(h, AuditHeaders.CLUSTER, cluster);
        AuditHeaders.put(h, AuditHeaders.RECEIVED_AT, T0.toString());
        AuditHeaders.put(h, AuditHeaders.SOURCE, format == null ? "webhook" : "gke-pubsub");
        if (format != null) {
            AuditHeaders.put(h, AuditHeaders.FORMAT, format);
        }
        return h;
    }

    private static String entry() throws IOException {
        try (InputStream in = GkeLogEntryTopologyTest.class.getResourceAsStream("/gke-pubsub/secret-get-log-entry.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().replace("CLUSTER", "phi-gke");
        }
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static List<JsonNode> read(List<byte[]> values) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (byte[] v : values) {
            out.add(MAPPER.readTree(v));
        }
        return out;
    }

    private static List<String> rules(JsonNode e) {
        List<String> ids = new ArrayList<>();
        e.at("/phi/rules").forEach(r -> ids.add(r.asText()));
        return ids;
    }
}
