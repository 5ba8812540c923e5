package io.auditkeeper.streams.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.AuditJson;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every default rule through the whole topology: a request that breaks it reaches {@code audit.phi-access} with the
 * rule's id, and a near miss does not carry that id on any output.
 */
class RulesThroughTopologyTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static final String PRIVILEGED = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\"},"
            + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\",\"securityContext\":{\"privileged\":true}}]}}";
    private static final String PLAIN_POD = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\"},"
            + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> raw;
    private TestOutputTopic<byte[], byte[]> events;
    private TestOutputTopic<byte[], byte[]> phiAccess;

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("secret-read", TestEvents.request("get", "secrets").in("phi-records").named("db"),
                        TestEvents.request("get", "secrets").in("default").named("db")),
                Arguments.of("secret-write", TestEvents.request("create", "secrets").in("phi-records"),
                        TestEvents.request("create", "secrets").in("default")),
                Arguments.of("pod-exec", TestEvents.request("create", "pods/exec").in("phi-records").named("ehr-0").code(101),
                        TestEvents.request("get", "pods/log").in("phi-records").named("ehr-0")),
                Arguments.of("rbac-change", TestEvents.request("create", "rolebindings").group("rbac.authorization.k8s.io").in("phi-records"),
                        TestEvents.request("get", "rolebindings").group("rbac.authorization.k8s.io").in("phi-records").named("b")),
                Arguments.of("configmap-change", TestEvents.request("update", "configmaps").in("phi-records").named("c"),
                        TestEvents.request("get", "configmaps").in("phi-records").named("c")),
                Arguments.of("delete", TestEvents.request("delete", "pods").in("phi-records").named("ehr-0"),
                        TestEvents.request("delete", "pods").in("default").named("web-0")),
                Arguments.of("access-denied", TestEvents.request("get", "pods").in("default").named("x").code(403).decision("forbid"),
                        TestEvents.request("get", "pods").in("default").named("x")),
                Arguments.of("anonymous-access", TestEvents.request("get", "pods").in("default").by("system:anonymous", "system:unauthenticated"),
                        TestEvents.request("get", "pods").in("default")),
                Arguments.of("impersonation", TestEvents.request("get", "pods").in("phi-records").as("bob@example.org"),
                        TestEvents.request("get", "pods").in("phi-records")),
                Arguments.of("serviceaccount-token-request", TestEvents.request("create", "serviceaccounts/token").in("phi-records").named("ehr-api"),
                        TestEvents.request("create", "serviceaccounts/token").in("phi-records").named("ehr-api")
                                .by("system:node:worker-1", "system:nodes", "system:authenticated")),
                Arguments.of("privileged-pod", TestEvents.request("create", "pods").in("phi-records").code(201).body(PRIVILEGED),
                        TestEvents.request("create", "pods").in("phi-records").code(201).body(PLAIN_POD)),
                Arguments.of("debug-container", TestEvents.request("patch", "pods/ephemeralcontainers").in("phi-records").named("ehr-0").body(DEBUG),
                        TestEvents.request("patch", "pods/ephemeralcontainers").in("default").named("web-0").body(DEBUG)),
                Arguments.of("service-exposed", TestEvents.request("create", "services").in("phi-records").code(201).body(service("LoadBalancer")),
                        TestEvents.request("create", "services").in("phi-records").code(201).body(service("ClusterIP"))),
                Arguments.of("ingress-without-tls", TestEvents.request("create", "ingresses").group(NETWORKING).in("phi-records").code(201).body(ingress("")),
                        TestEvents.request("create", "ingresses").group(NETWORKING).in("phi-records").code(201).body(ingress(TLS))),
                Arguments.of("role-grants-phi-access", TestEvents.request("create", "clusterroles").group(RBAC).code(201).body(clusterRole("{}", EXEC_RULE)),
                        TestEvents.request("create", "clusterroles").group(RBAC).code(201).body(clusterRole("{}", POD_READ_RULE))),
                Arguments.of("aggregated-clusterrole", TestEvents.request("create", "clusterroles").group(RBAC).code(201).body(clusterRole(AGGREGATE, POD_READ_RULE)),
                        TestEvents.request("create", "clusterroles").group(RBAC).code(201).body(clusterRole("{}", POD_READ_RULE))),
                Arguments.of("system-rbac-change", TestEvents.request("update", "clusterroles").group(RBAC).named("system:node").body(clusterRole("{}", POD_READ_RULE)),
                        TestEvents.request("update", "clusterroles").group(RBAC).named("ops-viewer").body(clusterRole("{}", POD_READ_RULE))),
                Arguments.of("admin-role-binding", TestEvents.request("create", "clusterrolebindings").group(RBAC).code(201).body(binding("cluster-admin")),
                        TestEvents.request("create", "clusterrolebindings").group(RBAC).code(201).body(binding("view"))));
    }

    private static final String RBAC = "rbac.authorization.k8s.io";
    private static final String NETWORKING = "networking.k8s.io";
    private static final String DEBUG = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"ehr-0\"},"
            + "\"spec\":{\"containers\":[{\"name\":\"app\"}],\"ephemeralContainers\":[{\"name\":\"debugger\",\"image\":\"busybox\"}]}}";
    private static final String TLS = "\"tls\":[{\"hosts\":[\"ehr.example.org\"],\"secretName\":\"ehr-tls\"}],";
    private static final String EXEC_RULE = "{\"apiGroups\":[\"\"],\"resources\":[\"pods/exec\"],\"verbs\":[\"create\"]}";
    private static final String POD_READ_RULE = "{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\"]}";
    private static final String AGGREGATE = "{\"rbac.authorization.k8s.io/aggregate-to-edit\":\"true\"}";

    private static String service(String type) {
        return "{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"ehr-api\"},\"spec\":{\"type\":\""
                + type + "\",\"ports\":[{\"port\":443}]}}";
    }

    private static String ingress(String tls) {
        return "{\"kind\":\"Ingress\",\"apiVersion\":\"networking.k8s.io/v1\",\"metadata\":{\"name\":\"ehr\"},\"spec\":{"
                + tls + "\"rules\":[{\"host\":\"ehr.example.org\"}]}}";
    }

    private static String clusterRole(String labels, String rule) {
        return "{\"kind\":\"ClusterRole\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":{\"name\":\"r\","
                + "\"labels\":" + labels + "},\"rules\":[" + rule + "]}";
    }

    private static String binding(String role) {
        return "{\"kind\":\"ClusterRoleBinding\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":{\"name\":\"b\"},"
                + "\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"" + role + "\"},"
                + "\"subjects\":[{\"kind\":\"User\",\"name\":\"mallory@contractor.example\"}]}";
    }

    @BeforeEach
    void start() {
        StreamProcessorConfig config = StreamProcessorConfig.of(Map.of("kafka.bootstrap-servers", "unused:9092",
                "phi.namespaces", "phi-*", "streams.state-dir", stateDir.toString()));
        Properties props = StreamProcessorService.streamsProperties(config);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(StreamProcessorService.topology(config, new SimpleMeterRegistry()), props, T0);
        raw = driver.createInputTopic(config.rawTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        events = driver.createOutputTopic(config.eventsTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        phiAccess = driver.createOutputTopic(config.phiAccessTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void shouldReportARequestThatBreaksTheRuleAndNotItsNearMiss(String rule, TestEvents fires, TestEvents nearMiss) throws Exception {
        String firing = pipe(fires);

        List<JsonNode> reported = read(phiAccess.readValuesToList());
        assertThat(reported).singleElement().satisfies(e -> {
            assertThat(e.get("auditID").asText()).isEqualTo(firing);
            assertThat(ids(e)).contains(rule);
        });

        pipe(nearMiss);

        assertThat(read(events.readValuesToList())).hasSize(2).last().satisfies(e -> assertThat(ids(e)).doesNotContain(rule));
        assertThat(read(phiAccess.readValuesToList())).allSatisfy(e -> assertThat(ids(e)).doesNotContain(rule));
    }

    @Test
    void shouldReportClusterRoleGrantingExecWithWhatItGrantsAndOutsidePhiNamespaces() throws Exception {
        String id = pipe(TestEvents.request("create", "clusterroles").group(RBAC).code(201)
                .body(clusterRole("{}", EXEC_RULE)));

        assertThat(read(phiAccess.readValuesToList())).singleElement().satisfies(e -> {
            assertThat(e.get("auditID").asText()).isEqualTo(id);
            assertThat(ids(e)).containsExactly("role-grants-phi-access");
            assertThat(e.at("/phi/severity").asText()).isEqualTo("high");
            assertThat(e.at("/phi/namespace").asBoolean()).as("a ClusterRole is in no namespace").isFalse();
            assertThat(e.toString()).as("the reviewer sees what the role grants").contains("pods/exec");
        });
    }

    private String pipe(TestEvents builder) throws Exception {
        ObjectNode event = (ObjectNode) AuditJson.mapper().valueToTree(builder.build());
        String id = UUID.randomUUID().toString();
        event.put("auditID", id);
        RecordHeaders h = new RecordHeaders();
        AuditHeaders.put(h, AuditHeaders.CLUSTER, "east");
        raw.pipeInput(new TestRecord<>(null, AuditJson.mapper().writeValueAsBytes(event), h, T0));
        return id;
    }

    private static List<JsonNode> read(List<byte[]> values) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (byte[] v : values) {
            out.add(AuditJson.mapper().readTree(v));
        }
        return out;
    }

    private static List<String> ids(JsonNode e) {
        List<String> ids = new ArrayList<>();
        e.at("/phi/rules").forEach(r -> ids.add(r.asText()));
        return ids;
    }
}
