package io.auditkeeper.streams.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.auditkeeper.streams.dedupe.ContentHash;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.auditkeeper.streams.topology.Events.bytes;
import static io.auditkeeper.streams.topology.Events.event;
import static io.auditkeeper.streams.topology.Events.secretGet;
import static org.assertj.core.api.Assertions.assertThat;

class AuditTopologyTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private SimpleMeterRegistry registry;
    private TestInputTopic<byte[], byte[]> raw;
    private TestOutputTopic<byte[], byte[]> events;
    private TestOutputTopic<byte[], byte[]> phiAccess;
    private TestOutputTopic<byte[], byte[]> deadLetter;
    private TestOutputTopic<byte[], byte[]> alerts;

    @BeforeEach
    void start() {
        start(Map.of());
    }

    void start(Map<String, String> overrides) {
        if (driver != null) {
            driver.close();
        }
        Map<String, Object> settings = new HashMap<>(Map.of("kafka.bootstrap-servers", "unused:9092",
                "phi.namespaces", "phi-*,patients", "streams.state-dir", stateDir.toString()));
        settings.putAll(overrides);
        StreamProcessorConfig config = StreamProcessorConfig.of(settings);
        registry = new SimpleMeterRegistry();
        Properties props = StreamProcessorService.streamsProperties(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(StreamProcessorService.topology(config, registry), props, T0);
        raw = driver.createInputTopic(config.rawTopic(), new ByteArraySerializer(), new ByteArraySerializer(), T0, Duration.ZERO);
        events = driver.createOutputTopic(config.eventsTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        phiAccess = driver.createOutputTopic(config.phiAccessTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetter = driver.createOutputTopic(config.deadLetterTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        alerts = driver.createOutputTopic(config.alertsTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void pipe(String cluster, String json, Instant at) {
        RecordHeaders h = new RecordHeaders();
        AuditHeaders.put(h, AuditHeaders.CLUSTER, cluster);
        AuditHeaders.put(h, AuditHeaders.RECEIVED_AT, at.toString());
        AuditHeaders.put(h, AuditHeaders.CLIENT, "mtls:CN=kube-apiserver");
        raw.pipeInput(new TestRecord<>(null, bytes(json), h, at));
    }

    private static JsonNode json(byte[] value) throws Exception {
        return MAPPER.readTree(value);
    }

    @Test
    void shouldWriteOneEventPerStageWhenTheApiserverResendsABatch() throws Exception {
        String received = secretGet("a-1", "RequestReceived", "default");
        String complete = secretGet("a-1", "ResponseComplete", "default");
        pipe("east", received, T0);
        pipe("east", complete, T0.plusMillis(5));
        pipe("east", received, T0.plusSeconds(10));
        pipe("east", complete, T0.plusSeconds(25));

        List<byte[]> out = events.readValuesToList();

        assertThat(out).hasSize(2);
        assertThat(json(out.get(0)).get("stage").asText()).isEqualTo("RequestReceived");
        assertThat(json(out.get(1)).get("stage").asText()).isEqualTo("ResponseComplete");
        assertThat(registry.get("auditkeeper.streams.events.duplicates").counter().count()).isEqualTo(2.0);
    }

    @Test
    void shouldKeepTheSameAuditIdFromTwoClusters() {
        pipe("east", secretGet("same-id", "ResponseComplete", "default"), T0);
        pipe("west", secretGet("same-id", "ResponseComplete", "default"), T0);

        assertThat(events.readKeyValuesToList()).extracting(kv -> new String(kv.key, StandardCharsets.UTF_8))
                .containsExactly("east/same-id", "west/same-id");
    }

    @Test
    void shouldKeepARepeatWhenItsTimeIsPastTheWindowsTheStoreKeeps() {
        start(Map.of("dedupe.window-ms", "60000"));
        String complete = secretGet("late-1", "ResponseComplete", "default");
        pipe("east", complete, T0);
        pipe("east", complete, T0.plusSeconds(300));
        // an event five windows newer (by its own time) moves the store on past the first one's
        pipe("east", secretGet("later-1", "ResponseComplete", "default")
                .replace("2026-11-27T10:00:00.000900Z", "2026-11-27T10:05:00.000900Z"), T0.plusSeconds(301));
        pipe("east", complete, T0.plusSeconds(302));

        assertThat(events.readValuesToList()).hasSize(3);
        assertThat(registry.get("auditkeeper.streams.events.duplicates").counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldReportAFlaggedRequestOnceFromItsFinalStage() throws Exception {
        pipe("east", secretGet("s-1", "RequestReceived", "phi-records"), T0);
        pipe("east", secretGet("s-1", "ResponseComplete", "phi-records"), T0.plusMillis(3));

        List<byte[]> phi = phiAccess.readValuesToList();

        assertThat(events.readValuesToList()).hasSize(2);
        assertThat(phi).hasSize(1);
        JsonNode e = json(phi.get(0));
        assertThat(e.get("stage").asText()).isEqualTo("ResponseComplete");
        assertThat(e.at("/phi/namespace").asBoolean()).isTrue();
        assertThat(e.at("/phi/flagged").asBoolean()).isTrue();
        assertThat(e.at("/phi/rules").toString()).contains("secret-read");
    }

    @Test
    void shouldReportExecFromResponseStartedAndNotAgainAtResponseComplete() throws Exception {
        String started = event("x-1", "ResponseStarted", "create", "pods", "exec", "phi-records", "ehr-0", "jane", 101, null);
        String complete = event("x-1", "ResponseComplete", "create", "pods", "exec", "phi-records", "ehr-0", "jane", 101, null);
        pipe("east", started, T0);
        pipe("east", complete, T0.plusSeconds(600));

        List<byte[]> phi = phiAccess.readValuesToList();

        assertThat(phi).hasSize(1);
        assertThat(json(phi.get(0)).get("stage").asText()).isEqualTo("ResponseStarted");
        assertThat(json(phi.get(0)).at("/phi/rules").toString()).contains("pod-exec");
    }

    @Test
    void shouldReportAPanicStage() throws Exception {
        pipe("east", secretGet("p-1", "RequestReceived", "phi-records"), T0);
        pipe("east", event("p-1", "Panic", "get", "secrets", null, "phi-records", "db-password", "jane", 500, null), T0.plusMillis(2));

        assertThat(phiAccess.readValuesToList()).singleElement()
                .satisfies(v -> assertThat(json(v).get("stage").asText()).isEqualTo("Panic"));
    }

    @Test
    void shouldNotReportAnUnflaggedRequest() {
        pipe("east", event("n-1", "ResponseComplete", "get", "pods", null, "phi-records", "ehr-0", "jane", 200, null), T0);

        assertThat(events.readValuesToList()).hasSize(1);
        assertThat(phiAccess.isEmpty()).isTrue();
    }

    @Test
    void shouldSendAPoisonRecordToTheDeadLetterTopicAndKeepProcessing() throws Exception {
        pipe("east", "{\"auditID\":\"broken\",", T0);
        pipe("east", "[1,2,3]", T0);
        pipe("east", "{\"kind\":\"Event\",\"auditID\":\"no-stage\"}", T0);
        pipe("east", secretGet("after-1", "ResponseComplete", "default"), T0);

        List<TestRecord<byte[], byte[]>> dlq = deadLetter.readRecordsToList();

        assertThat(dlq).extracting(r -> new String(r.headers().lastHeader(AuditHeaders.DLQ_REASON).value(), StandardCharsets.UTF_8))
                .containsExactly("unparseable-event", "not-an-object", "missing-stage");
        assertThat(dlq.get(0).value()).isEqualTo(bytes("{\"auditID\":\"broken\","));
        assertThat(new String(dlq.get(0).headers().lastHeader(AuditHeaders.DLQ_SOURCE).value(), StandardCharsets.UTF_8))
                .isEqualTo("stream-processor");
        assertThat(new String(dlq.get(0).headers().lastHeader(AuditHeaders.CLUSTER).value(), StandardCharsets.UTF_8))
                .isEqualTo("east");
        assertThat(events.readValuesToList()).hasSize(1);
    }

    @Test
    void shouldNormalizeTheFieldsAndLeaveAbsentOnesAbsent() throws Exception {
        String impersonated = event("n-2", "ResponseComplete", "list", "pods", null, "default", null, "admin", 200,
                "\"impersonatedUser\":{\"username\":\"jane\",\"groups\":[\"devs\"]}");
        pipe("east", impersonated, T0);

        JsonNode e = json(events.readValue());

        assertThat(e.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(e.get("cluster").asText()).isEqualTo("east");
        assertThat(e.get("actor").asText()).isEqualTo("jane");
        assertThat(e.at("/user/username").asText()).isEqualTo("admin");
        assertThat(e.get("timestamp").asText()).isEqualTo("2026-11-27T10:00:00.000001Z");
        assertThat(e.get("responseCode").asInt()).isEqualTo(200);
        assertThat(e.get("decision").asText()).isEqualTo("allow");
        assertThat(e.get("client").asText()).isEqualTo("mtls:CN=kube-apiserver");
        assertThat(e.at("/source/topic").asText()).isEqualTo("audit.raw");
        assertThat(e.at("/objectRef/namespace").asText()).isEqualTo("default");
        assertThat(e.has("redactions")).isFalse();
        assertThat(e.at("/objectRef").has("name")).isFalse();
        assertThat(e.at("/event/auditID").asText()).isEqualTo("n-2");
    }

    @Test
    void shouldNeverLetASecretValueReachAnyOutputTopic() {
        String secretValue = "c3VwZXItc2VjcmV0LXBhc3N3b3Jk";
        String plain = "super-secret-plain-value";
        String body = "\"requestObject\":{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"db\",\"namespace\":\"phi-records\"},"
                + "\"data\":{\"password\":\"" + secretValue + "\"},\"stringData\":{\"user\":\"" + plain + "\"}},"
                + "\"responseObject\":{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"db\"},\"data\":{\"password\":\"" + secretValue + "\"}}";
        pipe("east", event("r-1", "ResponseComplete", "create", "secrets", null, "phi-records", null, "jane", 201, body), T0);
        String list = "\"responseObject\":{\"kind\":\"SecretList\",\"items\":[{\"kind\":\"Secret\",\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"" + secretValue + "\"}}]}";
        pipe("east", event("r-2", "ResponseComplete", "list", "secrets", null, null, null, "jane", 200, list), T0);

        List<byte[]> all = new java.util.ArrayList<>(events.readValuesToList());
        all.addAll(phiAccess.readValuesToList());
        all.addAll(deadLetter.readValuesToList());

        assertThat(all).hasSize(4);
        for (byte[] v : all) {
            assertThat(new String(v, StandardCharsets.UTF_8)).doesNotContain(secretValue).doesNotContain(plain).contains("[REDACTED]");
        }
    }

    @Test
    void shouldRaiseASecretEnumerationAlertNamingTheActorTheCountAndTheRequests() throws Exception {
        start(Map.of("alerts.secret-enumeration.threshold", "3", "alerts.secret-enumeration.window-ms", "60000"));
        for (int i = 0; i < 3; i++) {
            pipe("east", event("enum-" + i, "ResponseComplete", "get", "secrets", null, "phi-records", "s" + i,
                    "mallory", 200, null), T0.plusSeconds(i));
        }
        pipe("east", event("other-1", "ResponseComplete", "get", "secrets", null, "phi-records", "s9", "alice", 200, null),
                T0.plusSeconds(4));

        List<TestRecord<byte[], byte[]>> out = alerts.readRecordsToList();

        assertThat(out).singleElement().satisfies(r -> {
            JsonNode a = json(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("east/mallory");
            assertThat(a.get("type").asText()).isEqualTo("secret-enumeration");
            assertThat(a.get("actor").asText()).isEqualTo("mallory");
            assertThat(a.get("count").asInt()).isEqualTo(3);
            assertThat(a.get("auditIDs").toString()).contains("enum-0", "enum-1", "enum-2");
            assertThat(a.get("windowStart").asText()).isEqualTo("2026-11-27T10:00:00.000000Z");
        });
    }

    @Test
    void shouldRaiseANewExecAlertOnlyOnTheFirstExecOfAnIdentity() throws Exception {
        pipe("east", event("ex-1", "ResponseStarted", "create", "pods", "exec", "phi-records", "ehr-0", "jane", 101, null), T0);
        pipe("east", event("ex-2", "ResponseStarted", "create", "pods", "exec", "phi-records", "ehr-1", "jane", 101, null),
                T0.plusSeconds(3600));

        assertThat(alerts.readValuesToList()).singleElement()
                .satisfies(v -> assertThat(json(v).get("type").asText()).isEqualTo("new-exec"));
    }

    @Test
    void shouldNormalizeEveryCorpusEventOnceWithTheFlagsOfTheTable() throws Exception {
        start(Map.of("phi.namespaces", "default,ns?"));
        Path corpus = Path.of(System.getProperty("auditkeeper.corpus", "../testdata/corpus"));
        List<String> lines = java.nio.file.Files.readAllLines(corpus.resolve("events.ndjson")).stream()
                .filter(l -> !l.isBlank()).toList();
        for (int i = 0; i < lines.size(); i++) {
            pipe("corpus", lines.get(i), T0.plusMillis(i));
        }

        List<byte[]> out = events.readValuesToList();
        Map<String, Integer> byRule = new java.util.TreeMap<>();
        int phiNamespace = 0;
        int flaggedEvents = 0;
        for (byte[] v : out) {
            JsonNode e = json(v);
            assertThat(e.get("schemaVersion").asInt()).isEqualTo(1);
            phiNamespace += e.at("/phi/namespace").asBoolean() ? 1 : 0;
            flaggedEvents += e.at("/phi/flagged").asBoolean() ? 1 : 0;
            e.at("/phi/rules").forEach(r -> byRule.merge(r.asText(), 1, Integer::sum));
        }

        assertThat(out).as("one normalized record per (auditID, stage) of the corpus").hasSize(482);
        assertThat(deadLetter.isEmpty()).isTrue();
        assertThat(phiNamespace).isEqualTo(169);
        assertThat(flaggedEvents).isEqualTo(115);
        assertThat(byRule).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("secret-read", 1), Map.entry("secret-write", 2), Map.entry("pod-exec", 2),
                Map.entry("rbac-change", 64), Map.entry("configmap-change", 10), Map.entry("delete", 37),
                Map.entry("access-denied", 16), Map.entry("anonymous-access", 1), Map.entry("impersonation", 12),
                Map.entry("privileged-pod", 9),
                // Falco's test traffic in the corpus (see CorpusClassificationTest), read from the request bodies
                Map.entry("service-exposed", 1), Map.entry("role-grants-phi-access", 2),
                Map.entry("system-rbac-change", 2), Map.entry("admin-role-binding", 1)));
    }

    @Test
    void shouldRaiseADeniedBurstOnlyWhenTheDenialsFallWithinTheWindow() throws Exception {
        start(Map.of("alerts.denied-burst.threshold", "3", "alerts.denied-burst.window-ms", "60000"));
        pipe("east", event("d-1", "ResponseComplete", "get", "pods", null, "default", "x", "bot", 403, null), T0);
        pipe("east", event("d-2", "ResponseComplete", "get", "pods", null, "default", "x", "bot", 403, null), T0.plusSeconds(70));
        pipe("east", event("d-3", "ResponseComplete", "get", "pods", null, "default", "x", "bot", 403, null), T0.plusSeconds(100));

        assertThat(alerts.isEmpty()).as("three denials spread over 100 s, more than the window").isTrue();

        pipe("east", event("d-4", "ResponseComplete", "get", "pods", null, "default", "x", "bot", 403, null), T0.plusSeconds(110));

        assertThat(alerts.readValuesToList()).singleElement().satisfies(v -> {
            JsonNode a = json(v);
            assertThat(a.get("type").asText()).isEqualTo("denied-burst");
            assertThat(a.get("auditIDs").toString()).contains("d-2", "d-3", "d-4").doesNotContain("d-1");
        });
    }

    @Test
    void shouldKeepTheFirstAndDeadLetterTheSecondWhenTheSameStageComesWithOtherContent() throws Exception {
        String forged = event("c-1", "ResponseComplete", "get", "secrets", null, "phi-records", "db-password",
                "system:serviceaccount:kube-system:default", 200, null);
        String genuine = event("c-1", "ResponseComplete", "get", "secrets", null, "phi-records", "db-password",
                "mallory@example.org", 200, null);
        pipe("east", forged, T0);
        pipe("east", genuine, T0.plusMillis(800));
        pipe("east", genuine, T0.plusSeconds(30));

        List<byte[]> out = events.readValuesToList();
        assertThat(out).singleElement().satisfies(v -> assertThat(json(v).at("/user/username").asText())
                .as("the first stays").isEqualTo("system:serviceaccount:kube-system:default"));
        List<TestRecord<byte[], byte[]>> dlq = deadLetter.readRecordsToList();
        assertThat(dlq).as("the second, and its resend").hasSize(2).allSatisfy(r -> {
            assertThat(header(r, AuditHeaders.DLQ_REASON)).isEqualTo("conflicting-duplicate");
            assertThat(header(r, AuditHeaders.DLQ_CONTENT_HASH)).isEqualTo(ContentHash.hex(new ContentHash().of(bytes(genuine))));
            assertThat(header(r, AuditHeaders.DLQ_FIRST_CONTENT_HASH)).isEqualTo(ContentHash.hex(new ContentHash().of(bytes(forged))));
            assertThat(header(r, AuditHeaders.DLQ_ORIGIN)).startsWith("audit.raw/0/");
            assertThat(json(r.value()).at("/user/username").asText()).isEqualTo("mallory@example.org");
        });
        List<byte[]> raised = alerts.readValuesToList();
        assertThat(raised).hasSize(2).allSatisfy(v -> {
            JsonNode a = json(v);
            assertThat(a.get("type").asText()).isEqualTo("conflicting-duplicate");
            assertThat(a.get("cluster").asText()).isEqualTo("east");
            assertThat(a.get("auditIDs").toString()).contains("c-1");
            assertThat(a.get("description").asText()).contains(header(dlq.get(0), AuditHeaders.DLQ_CONTENT_HASH),
                    header(dlq.get(0), AuditHeaders.DLQ_FIRST_CONTENT_HASH), "mtls:CN=kube-apiserver");
        });
        assertThat(json(raised.get(0)).get("alertId")).as("a replay of the same pair yields the same id")
                .isEqualTo(json(raised.get(1)).get("alertId"));
        assertThat(registry.get("auditkeeper.streams.events.rejected").tag("reason", "conflicting-duplicate").counter().count())
                .isEqualTo(2.0);
        assertThat(registry.get("auditkeeper.streams.alerts").tag("type", "conflicting-duplicate").counter().count())
                .isEqualTo(2.0);
        assertThat(registry.get("auditkeeper.streams.events.duplicates").counter().count()).isZero();
    }

    @Test
    void shouldRedactTheConflictingDuplicateWhenItHoldsASecret() throws Exception {
        String first = event("c-2", "ResponseComplete", "create", "secrets", null, "default", "api-token", "jane@example.org",
                201, "\"requestObject\":{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"data\":{\"token\":\"Zmlyc3Q=\"}}");
        String second = event("c-2", "ResponseComplete", "create", "secrets", null, "default", "api-token", "jane@example.org",
                201, "\"requestObject\":{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"data\":{\"token\":\"c2Vjb25k\"}}");
        pipe("east", first, T0);
        pipe("east", second, T0.plusMillis(5));

        assertThat(deadLetter.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(header(r, AuditHeaders.DLQ_REASON)).isEqualTo("conflicting-duplicate");
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain("c2Vjb25k");
        });
    }

    @Test
    void shouldSendTheEventToTheDeadLetterTopicWhenItIsLargerThanTheEventsTopicTakes() throws Exception {
        start(Map.of("kafka.streams.producer.max.request.size", "4096"));
        String big = event("big-1", "ResponseComplete", "get", "pods", null, "default", "x", "jane@example.org", 200,
                "\"requestObject\":{\"note\":\"" + "x".repeat(6000) + "\"}");
        pipe("east", big, T0);
        pipe("east", secretGet("small-1", "ResponseComplete", "default"), T0.plusMillis(1));

        assertThat(events.readValuesToList()).singleElement()
                .satisfies(v -> assertThat(json(v).get("auditID").asText()).isEqualTo("small-1"));
        assertThat(deadLetter.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(header(r, AuditHeaders.DLQ_REASON)).isEqualTo("record-too-large");
            assertThat(Long.parseLong(header(r, AuditHeaders.DLQ_SIZE))).isGreaterThan(6000);
            assertThat(header(r, AuditHeaders.DLQ_SHA256)).hasSize(64);
            assertThat(header(r, AuditHeaders.DLQ_ORIGIN)).isEqualTo("audit.raw/0/0");
            assertThat(header(r, AuditHeaders.CLUSTER)).isEqualTo("east");
            assertThat(r.value()).as("metadata only").isEmpty();
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("east/big-1");
        });
        assertThat(registry.get("auditkeeper.streams.events.rejected").tag("reason", "record-too-large").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void shouldLeaveTheValueOutOfADeadLetterWhenItIsLargerThanTheDeadLetterTopicTakes() throws Exception {
        start(Map.of("kafka.streams.producer.max.request.size", "4096"));
        pipe("east", "{\"not\":\"an event\",\"pad\":\"" + "y".repeat(6000) + "\"}", T0);

        assertThat(deadLetter.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(header(r, AuditHeaders.DLQ_REASON)).isIn("missing-audit-id", "not-an-audit-event");
            assertThat(header(r, AuditHeaders.DLQ_DETAIL)).contains("value left out");
            assertThat(header(r, AuditHeaders.DLQ_SHA256)).hasSize(64);
            assertThat(r.value()).isEmpty();
        });
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        return AuditHeaders.get(r.headers(), name).orElse(null);
    }
}
