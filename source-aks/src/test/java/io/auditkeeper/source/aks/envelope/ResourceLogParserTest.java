package io.auditkeeper.source.aks.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.DeadLetterReason;
import io.auditkeeper.source.aks.envelope.ResourceLogMessage.AuditRecord;
import io.auditkeeper.source.aks.envelope.ResourceLogMessage.Rejected;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ResourceLogParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCE_ID = "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/PROD-EAST";
    private final ResourceLogParser parser = new ResourceLogParser(Set.of("kube-audit", "kube-audit-admin"), ClusterResolver.of(List.of()));

    @Test
    void shouldGiveTheEventTextOfTheFixtureWhenAzureDeliversARealKubeAuditRecord() throws IOException {
        byte[] message = fixture();
        String log = JSON.readTree(message).get("records").get(0).get("properties").get("log").asText();

        ResourceLogMessage parsed = parser.parse(message);

        assertThat(parsed.rejected()).isEmpty();
        assertThat(parsed.events()).singleElement().satisfies(e -> {
            assertThat(e.cluster()).isEqualTo("kubeauditlogtestcluster");
            assertThat(e.auditID()).isEqualTo("4e2a4193-cb3d-4ff7-bf37-32c392fbc23b");
            assertThat(e.stage()).isEqualTo("ResponseComplete");
            assertThat(new String(e.event(), StandardCharsets.UTF_8)).as("properties.log without its line end")
                    .isEqualTo(log.substring(0, log.length() - 1));
        });
    }

    @Test
    void shouldKeepEveryAuditRecordInOrderWhenAMessageHoldsSeveral() throws IOException {
        ArrayNode records = JSON.createArrayNode()
                .add(record("kube-audit", event("a", "RequestReceived")))
                .add(record("kube-audit-admin", event("b", "ResponseComplete")))
                .add(record("kube-audit", event("c", "ResponseComplete")));

        ResourceLogMessage parsed = parser.parse(message(records));

        assertThat(parsed.events()).extracting(AuditRecord::auditID).containsExactly("a", "b", "c");
        assertThat(parsed.events()).extracting(AuditRecord::index).containsExactly(0, 1, 2);
        assertThat(parsed.events()).extracting(AuditRecord::cluster).containsOnly("prod-east");
    }

    @Test
    void shouldPassOverRecordsWhenTheirCategoryIsNotAnAuditCategory() throws IOException {
        ArrayNode records = JSON.createArrayNode()
                .add(record("kube-apiserver", "I1206 15:00:00.000000 1 controller.go:1] not an event"))
                .add(record("guard", "{\"kind\":\"Event\"}"))
                .add(record("kube-audit", event("a", "ResponseComplete")));

        ResourceLogMessage parsed = parser.parse(message(records));

        assertThat(parsed.events()).extracting(AuditRecord::auditID).containsExactly("a");
        assertThat(parsed.skippedCategories()).containsExactly("kube-apiserver", "guard");
        assertThat(parsed.rejected()).isEmpty();
    }

    @Test
    void shouldRejectTheWholeMessageAsReceivedWhenItIsNotJson() {
        byte[] message = "{\"records\":[{\"category\":\"kube-au".getBytes(StandardCharsets.UTF_8);

        ResourceLogMessage parsed = parser.parse(message);

        assertThat(parsed.events()).isEmpty();
        assertThat(parsed.rejected()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(DeadLetterReason.MALFORMED_JSON);
            assertThat(r.index()).isEqualTo(-1);
            assertThat(r.content()).isEqualTo(message);
        });
    }

    @Test
    void shouldRejectTheMessageWhenItHasNoRecordsArray() {
        byte[] message = "{\"kind\":\"Event\",\"auditID\":\"x\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(parser.parse(message).rejected()).singleElement()
                .extracting(Rejected::reason).isEqualTo(DeadLetterReason.NOT_A_RESOURCE_LOG);
    }

    @Test
    void shouldRejectOnlyTheBrokenRecordWhenOthersOfTheMessageAreGood() throws IOException {
        ArrayNode records = JSON.createArrayNode()
                .add(record("kube-audit", "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"audi"))
                .add(record("kube-audit", "{\"kind\":\"Pod\",\"apiVersion\":\"v1\"}"))
                .add(record("kube-audit", "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"stage\":\"ResponseComplete\"}"))
                .add(record("kube-audit", "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"s\"}"))
                .add(JSON.createObjectNode().put("category", "kube-audit").put("resourceId", RESOURCE_ID))
                .add("a string")
                .add(record("kube-audit", event("good", "ResponseComplete")));

        ResourceLogMessage parsed = parser.parse(message(records));

        assertThat(parsed.rejected()).extracting(Rejected::reason).containsExactly(
                DeadLetterReason.UNPARSEABLE_EVENT, DeadLetterReason.NOT_AN_AUDIT_EVENT,
                DeadLetterReason.MISSING_AUDIT_ID, DeadLetterReason.MISSING_STAGE,
                DeadLetterReason.NOT_A_RESOURCE_LOG, DeadLetterReason.NOT_A_RESOURCE_LOG);
        assertThat(parsed.rejected()).extracting(Rejected::index).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(parsed.rejected()).allSatisfy(r -> assertThat(r.detail()).doesNotContain("audit.k8s.io/v1\",\"audi"));
        assertThat(JSON.readTree(parsed.rejected().get(0).content()).get("category").asText())
                .as("the dead letter holds the record as read").isEqualTo("kube-audit");
        assertThat(parsed.events()).extracting(AuditRecord::auditID).containsExactly("good");
    }

    @Test
    void shouldRejectTheRecordWhenItsResourceIdNamesNoManagedCluster() throws IOException {
        ObjectNode r = record("kube-audit", event("a", "ResponseComplete"));
        r.put("resourceId", "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/X");

        assertThat(parser.parse(message(JSON.createArrayNode().add(r))).rejected()).singleElement()
                .extracting(Rejected::reason).isEqualTo(DeadLetterReason.UNKNOWN_CLUSTER);
    }

    @Test
    void shouldNameTheClusterByTheMappingWhenOneIsConfigured() throws IOException {
        ResourceLogParser mapped = new ResourceLogParser(Set.of("kube-audit"), ClusterResolver.of(List.of("prod-east=emea-prod-1")));

        assertThat(mapped.parse(message(JSON.createArrayNode().add(record("kube-audit", event("a", "ResponseComplete")))))
                .events()).singleElement().extracting(AuditRecord::cluster).isEqualTo("emea-prod-1");
    }

    private static ObjectNode record(String category, String log) {
        ObjectNode r = JSON.createObjectNode();
        r.put("time", "2026-12-06T15:00:00Z");
        r.put("resourceId", RESOURCE_ID);
        r.put("category", category);
        r.put("operationName", "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read");
        ObjectNode p = r.putObject("properties");
        p.put("log", log);
        p.put("stream", "stdout");
        p.put("pod", "kube-apiserver-6df5497d6d-g2vd7");
        return r;
    }

    private static String event(String auditID, String stage) {
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"" + auditID
                + "\",\"stage\":\"" + stage + "\",\"verb\":\"get\"}\n";
    }

    private static byte[] message(JsonNode records) throws IOException {
        return JSON.writeValueAsBytes(JSON.createObjectNode().set("records", records));
    }

    private static byte[] fixture() throws IOException {
        try (InputStream in = ResourceLogParserTest.class.getResourceAsStream("/azure/kube-audit-record.json")) {
            return in.readAllBytes();
        }
    }
}
