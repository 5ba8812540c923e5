package io.auditkeeper.archiver.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every query of {@code docs/queries/} (the very files docs/queries.md shows) against the local stack's real
 * OpenSearch, over a small hand-made set of normalized events, alerts and archive entries indexed with the real
 * templates by {@link OpenSearchIndexer}. Each query has matches and near misses (other namespace, just outside the
 * period, another actor, a similar resource), and each test asserts exactly which documents come back, in order.
 *
 * <p>The query files use fixed example values (Q3 2026, {@code jane@example.org} on 2026-11-27, partition 2 offset
 * 1841, ...), and the data here is built around them. The indices have a random prefix so that other ITs sharing the
 * stack do not disturb them; the query bodies name no index, so they run unchanged.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditorQueriesIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path QUERIES = Path.of("..", "docs", "queries");
    /** The auditID of the example in docs/schema.md, used by event-record.json. */
    private static final String SCHEMA_EXAMPLE_ID = "4e2a4193-cb3d-4ff7-bf37-32c392fbc23b";

    private static final String JANE = "jane@example.org";
    private static final String BOB = "bob@example.org";
    private static final String CONTRACTOR = "contractor@vendor.example";
    private static final String ADMIN = "admin@example.org";
    private static final String SCANNER = "scanner@vendor.example";
    private static final String MALLORY = "mallory@contractor.example";

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String eventsAlias = "akq-" + run;
    private final String alertsIndex = "akqa-" + run;
    private final String archiveIndex = "akqr-" + run;
    private OpenSearchClient client;

    @BeforeAll
    void indexTheTestData(LocalStack stack) throws Exception {
        client = OpenSearchClientFactory.create(OpenSearchConnection.of(URI.create(stack.openSearchUrl())));
        OpenSearchIndexer indexer = new OpenSearchIndexer(client, OpenSearchIndexer.Settings.defaults()
                .withIndexPrefix(eventsAlias).withReplicas(0).withRetries(3, Duration.ofMillis(100)));
        SingleIndexDocuments alerts = SingleIndexDocuments.alerts(alertsIndex);
        SingleIndexDocuments archive = SingleIndexDocuments.archiveEntries(archiveIndex);
        indexer.ensureTemplate();
        indexer.ensureTemplate(alerts);
        indexer.ensureTemplate(archive);

        List<OpenSearchIndexer.Doc> events = events();
        OpenSearchIndexer.BulkResult e = indexer.index(events);
        assertThat(e.rejected()).isEmpty();
        assertThat(e.indexed()).isEqualTo(events.size());
        OpenSearchIndexer.BulkResult a = indexer.index(alerts(), alerts);
        assertThat(a.rejected()).isEmpty();
        OpenSearchIndexer.BulkResult r = indexer.index(archiveEntries(), archive);
        assertThat(r.rejected()).isEmpty();
        // searchable now, no waiting
        call("POST", "/" + eventsAlias + "," + alertsIndex + "," + archiveIndex + "/_refresh", null);
        assertThat(call("GET", "/" + eventsAlias + "/_count", null).path("count").asLong()).isEqualTo(events.size());
    }

    @AfterAll
    void removeTheIndices() throws IOException {
        if (client == null) {
            return;
        }
        call("DELETE", "/" + eventsAlias + "-*," + alertsIndex + "," + archiveIndex, null);
        for (String template : List.of(eventsAlias, alertsIndex, archiveIndex)) {
            call("DELETE", "/_index_template/" + template, null);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldFindQ3SecretReadsInPhiNamespacesOncePerRequestWhenSecretReadsOutsideThePeriodOrPhiOrReadExist() throws Exception {
        JsonNode response = search(eventsAlias, "secret-reads-in-phi.json");

        assertThat(ids(response, "auditID")).containsExactly("s-bob-q3-start", SCHEMA_EXAMPLE_ID, "s-contractor-all-ns",
                "s-jane-q3-end");
        // by actor, then namespace; a cluster-wide list reaches every PHI namespace and has none of its own
        assertThat(buckets(response.path("aggregations").path("by_actor"))).isEqualTo(Map.of(
                BOB, Map.of("phi-records", 1L),
                CONTRACTOR, Map.of("(all namespaces)", 1L),
                JANE, Map.of("phi-imaging", 1L, "phi-records", 1L)));
        assertThat(orderOf(response.path("aggregations").path("by_actor"))).containsExactly(BOB, CONTRACTOR, JANE);
        // requests, not stages: jane's first read has two stages and counts once
        JsonNode jane = response.path("aggregations").path("by_actor").path("buckets").get(2);
        assertThat(jane.path("doc_count").asLong()).isEqualTo(3);
        assertThat(jane.path("requests").path("value").asLong()).isEqualTo(2);
    }

    @Test
    void shouldListEverythingJaneDidThatDayInTimeOrderWhenOthersAndNeighbouringDaysHaveEvents() throws Exception {
        JsonNode response = search(eventsAlias, "actor-day.json");

        assertThat(ids(response, "auditID")).containsExactly("d-jane-get-pods", "d-jane-exec", "d-jane-as-backup",
                "d-jane-delete-cm");
        // the impersonation is there because jane authenticated, though it acted as the service account
        JsonNode impersonation = response.path("hits").path("hits").get(2).path("_source");
        assertThat(impersonation.path("actor").asText()).isEqualTo("system:serviceaccount:phi-records:backup");
        assertThat(impersonation.path("user").path("username").asText()).isEqualTo(JANE);
    }

    @Test
    void shouldFindExecAttachAndPortForwardIntoPhiPodsWhenOtherPodRequestsAndNonPhiExecsExist() throws Exception {
        JsonNode response = search(eventsAlias, "exec-into-phi-pods.json");

        assertThat(ids(response, "auditID")).containsExactly("e-bob-attach", "e-contractor-portforward", "d-jane-exec");
    }

    @Test
    void shouldFindEveryRbacChangeInAndOutsidePhiWhenRbacReadsAndLookalikeResourcesExist() throws Exception {
        JsonNode response = search(eventsAlias, "rbac-changes.json");

        assertThat(ids(response, "auditID")).containsExactly("r-admin-rolebinding", "r-admin-clusterrolebinding",
                "r-admin-delete-clusterrole", "r-bob-role-default");
    }

    @Test
    void shouldFindForbiddenAndFailedWith403OncePerRequestWhenOtherErrorsExist() throws Exception {
        JsonNode response = search(eventsAlias, "denied-attempts.json");

        assertThat(ids(response, "auditID")).containsExactly("e-contractor-portforward", "x-scanner-secret",
                "x-anonymous-403", "x-scanner-forbid-without-code");
        JsonNode byActor = response.path("aggregations").path("by_actor");
        Map<String, Long> requests = new LinkedHashMap<>();
        for (JsonNode b : byActor.path("buckets")) {
            requests.put(b.path("key").asText(), b.path("requests").path("value").asLong());
        }
        assertThat(requests).containsExactly(Map.entry(CONTRACTOR, 1L), Map.entry(SCANNER, 2L),
                Map.entry("system:anonymous", 1L));
    }

    @Test
    void shouldListTheActorsAlertsNewestFirstWhenOtherActorsHaveAlerts() throws Exception {
        JsonNode response = search(alertsIndex, "alerts-for-actor.json");

        assertThat(ids(response, "alertId")).containsExactly("a-mallory-denied-burst", "a-mallory-secret-enumeration");
    }

    @Test
    void shouldLeadFromTheEventToTheArchiveObjectHoldingItsOffsetWhenNeighbouringObjectsExist() throws Exception {
        JsonNode event = search(eventsAlias, "event-record.json");
        assertThat(ids(event, "stage")).containsExactly("RequestReceived", "ResponseComplete");
        JsonNode record = event.path("hits").path("hits").get(1).path("_source").path("record");
        assertThat(record.path("topic").asText()).isEqualTo("audit.events");
        assertThat(record.path("partition").asInt()).isEqualTo(2);
        assertThat(record.path("offset").asLong()).isEqualTo(1841);

        JsonNode response = search(archiveIndex, "archive-object-for-event.json");

        assertThat(ids(response, "key")).containsExactly("audit.events/partition=2/hit-1800-1899.ndjson.gz");
        JsonNode entry = response.path("hits").path("hits").get(0).path("_source");
        assertThat(entry.path("versionId").asText()).isEqualTo("v-hit");
        assertThat(entry.has("signature")).isFalse();
    }

    @Test
    void shouldHaveATestForEveryQueryFileWhenQueriesAreAdded() throws Exception {
        List<String> files = new ArrayList<>();
        try (var list = Files.list(QUERIES)) {
            list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().forEach(files::add);
        }
        assertThat(files).containsExactly("actor-day.json", "alerts-for-actor.json", "archive-object-for-event.json",
                "denied-attempts.json", "event-record.json", "exec-into-phi-pods.json", "rbac-changes.json",
                "secret-reads-in-phi.json");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The data: each query's matches and near misses

    private static List<OpenSearchIndexer.Doc> events() throws IOException {
        List<ObjectNode> e = new ArrayList<>();
        // secret reads in PHI namespaces, Q3 2026 (2026-07-01 inclusive to 2026-10-01 exclusive)
        e.add(received(ev(SCHEMA_EXAMPLE_ID, "2026-08-14T09:00:00.000000Z", JANE, "get", "secrets", null, "phi-records",
                null, 200, "allow", true, "secret-read")));
        e.add(ev(SCHEMA_EXAMPLE_ID, "2026-08-14T09:00:00.000000Z", JANE, "get", "secrets", null, "phi-records", null,
                200, "allow", true, "secret-read"));
        e.add(ev("s-jane-q3-end", "2026-09-30T23:59:59.999999Z", JANE, "list", "secrets", null, "phi-imaging", null,
                200, "allow", true, "secret-read"));
        e.add(ev("s-bob-q3-start", "2026-07-01T00:00:00.000000Z", BOB, "watch", "secrets", null, "phi-records", null,
                200, "allow", true, "secret-read"));
        e.add(ev("s-contractor-all-ns", "2026-08-20T13:30:00.000000Z", CONTRACTOR, "list", "secrets", null, null, null,
                200, "allow", true, "secret-read"));
        //   near misses: not PHI, before, after, a write, a configmap read
        e.add(ev("n-secret-default", "2026-08-14T09:05:00.000000Z", JANE, "get", "secrets", null, "default", null,
                200, "allow", false));
        e.add(ev("n-secret-before-q3", "2026-06-30T23:59:59.999999Z", JANE, "get", "secrets", null, "phi-records", null,
                200, "allow", true, "secret-read"));
        e.add(ev("n-secret-after-q3", "2026-10-01T00:00:00.000000Z", BOB, "get", "secrets", null, "phi-records", null,
                200, "allow", true, "secret-read"));
        e.add(ev("n-secret-write", "2026-08-15T10:00:00.000000Z", JANE, "update", "secrets", null, "phi-records", null,
                200, "allow", true, "secret-write"));
        e.add(ev("n-configmap-read", "2026-08-15T10:01:00.000000Z", JANE, "get", "configmaps", null, "phi-records", null,
                200, "allow", true));

        // jane on 2026-11-27
        e.add(received(ev("d-jane-get-pods", "2026-11-27T00:00:00.000000Z", JANE, "get", "pods", null, "phi-records",
                null, 200, "allow", true)));
        e.add(ev("d-jane-get-pods", "2026-11-27T00:00:00.000000Z", JANE, "get", "pods", null, "phi-records", null,
                200, "allow", true));
        e.add(ev("d-jane-exec", "2026-11-27T10:15:00.000000Z", JANE, "create", "pods", "exec", "phi-records", null,
                101, "allow", true, "pod-exec"));
        ObjectNode asBackup = ev("d-jane-as-backup", "2026-11-27T12:00:00.000000Z",
                "system:serviceaccount:phi-records:backup", "list", "persistentvolumeclaims", null, "phi-records", null,
                200, "allow", true, "impersonation");
        ((ObjectNode) asBackup.path("user")).put("username", JANE);
        asBackup.putObject("impersonatedUser").put("username", "system:serviceaccount:phi-records:backup");
        e.add(asBackup);
        e.add(ev("d-jane-delete-cm", "2026-11-27T23:59:59.999999Z", JANE, "delete", "configmaps", null, "phi-records",
                null, 200, "allow", true, "configmap-change", "delete"));
        //   near misses: the days before and after, another actor, a similar name
        e.add(ev("n-jane-day-before", "2026-11-26T23:59:59.999999Z", JANE, "get", "pods", null, "phi-records", null,
                200, "allow", true));
        e.add(ev("n-jane-day-after", "2026-11-28T00:00:00.000000Z", JANE, "get", "pods", null, "phi-records", null,
                200, "allow", true));
        e.add(ev("n-bob-same-day", "2026-11-27T11:00:00.000000Z", BOB, "get", "pods", null, "phi-records", null,
                200, "allow", true));
        e.add(ev("n-janet-same-day", "2026-11-27T11:30:00.000000Z", "janet@example.org", "get", "pods", null,
                "phi-records", null, 200, "allow", true));

        // exec, attach, port-forward into PHI pods (d-jane-exec above)
        e.add(ev("e-bob-attach", "2026-11-20T08:00:00.000000Z", BOB, "create", "pods", "attach", "phi-imaging", null,
                101, "allow", true, "pod-exec"));
        e.add(ev("e-contractor-portforward", "2026-11-21T08:00:00.000000Z", CONTRACTOR, "create", "pods", "portforward",
                "phi-records", null, 403, "forbid", true, "pod-exec", "access-denied"));
        //   near misses: exec outside PHI, pod logs, a pod's status
        e.add(ev("n-exec-default", "2026-11-21T09:00:00.000000Z", BOB, "create", "pods", "exec", "default", null,
                101, "allow", false));
        e.add(ev("n-pod-log", "2026-11-21T09:10:00.000000Z", BOB, "get", "pods", "log", "phi-records", null,
                200, "allow", true));
        e.add(ev("n-pod-status", "2026-11-21T09:20:00.000000Z", BOB, "patch", "pods", "status", "phi-records", null,
                200, "allow", true));

        // RBAC changes, in PHI and not
        String rbac = "rbac.authorization.k8s.io";
        e.add(ev("r-admin-rolebinding", "2026-11-10T10:00:00.000000Z", ADMIN, "create", "rolebindings", null,
                "phi-records", rbac, 201, "allow", true, "rbac-change"));
        e.add(ev("r-admin-clusterrolebinding", "2026-11-11T10:00:00.000000Z", ADMIN, "patch", "clusterrolebindings",
                null, null, rbac, 200, "allow", true, "rbac-change"));
        e.add(ev("r-admin-delete-clusterrole", "2026-11-12T10:00:00.000000Z", ADMIN, "delete", "clusterroles", null,
                null, rbac, 200, "allow", false));
        e.add(ev("r-bob-role-default", "2026-11-13T10:00:00.000000Z", BOB, "update", "roles", null, "default", rbac,
                200, "allow", false));
        //   near misses: reads of RBAC objects, a custom resource called roles in another group
        e.add(ev("n-rbac-get", "2026-11-13T11:00:00.000000Z", ADMIN, "get", "rolebindings", null, "phi-records", rbac,
                200, "allow", true));
        e.add(ev("n-rbac-list", "2026-11-13T11:01:00.000000Z", ADMIN, "list", "clusterroles", null, null, rbac,
                200, "allow", false));
        e.add(ev("n-crd-roles", "2026-11-13T11:02:00.000000Z", ADMIN, "create", "roles", null, "default",
                "games.example.com", 201, "allow", false));

        // denied attempts (e-contractor-portforward above)
        e.add(received(ev("x-scanner-secret", "2026-11-22T03:00:00.000000Z", SCANNER, "get", "secrets", null,
                "phi-records", null, 403, "forbid", true, "secret-read")));
        e.add(ev("x-scanner-secret", "2026-11-22T03:00:00.000000Z", SCANNER, "get", "secrets", null, "phi-records",
                null, 403, "forbid", true, "secret-read", "access-denied"));
        ObjectNode anonymous = ev("x-anonymous-403", "2026-11-23T03:00:00.000000Z", "system:anonymous", "get", null,
                null, null, null, 403, null, false, "access-denied", "anonymous-access");
        e.add(anonymous);
        // forbidden, and the event has no response status (a field the apiserver did not send is absent)
        e.add(ev("x-scanner-forbid-without-code", "2026-11-24T03:00:00.000000Z", SCANNER, "list", "secrets", null,
                "phi-imaging", null, 0, "forbid", true, "secret-read"));
        //   near misses: unauthenticated (401), not found, allowed
        e.add(ev("n-401", "2026-11-22T04:00:00.000000Z", "system:anonymous", "get", null, null, null, null, 401, null,
                false));
        e.add(ev("n-404", "2026-11-22T04:01:00.000000Z", SCANNER, "get", "secrets", null, "phi-records", null, 404,
                "allow", true, "secret-read"));
        e.add(ev("n-allowed", "2026-11-22T04:02:00.000000Z", SCANNER, "get", "pods", null, "default", null, 200,
                "allow", false));

        List<OpenSearchIndexer.Doc> docs = new ArrayList<>();
        // the records' place in audit.events: the schema example's two stages at partition 2, offsets 1840 and 1841
        long offset = 1840;
        for (ObjectNode n : e) {
            docs.add(new OpenSearchIndexer.Doc(MAPPER.writeValueAsBytes(n), "audit.events", 2, offset++));
        }
        return docs;
    }

    /** A ResponseComplete event (responseCode 0 = none); {@code resource} null = a non-resource URL. */
    private static ObjectNode ev(String auditID, String timestamp, String actor, String verb, String resource,
                                 String subresource, String namespace, String apiGroup, int code, String decision,
                                 boolean phiNamespace, String... rules) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("schemaVersion", 1).put("cluster", "prod-east").put("auditID", auditID).put("stage", "ResponseComplete")
                .put("level", "Metadata").put("timestamp", timestamp).put("stageTimestamp", timestamp)
                .put("verb", verb).put("actor", actor);
        n.putObject("user").put("username", actor).putArray("groups").add("system:authenticated");
        n.putArray("sourceIPs").add("10.0.0.7");
        n.put("userAgent", "kubectl/v1.29.0");
        if (resource != null) {
            ObjectNode ref = n.putObject("objectRef").put("resource", resource);
            if (subresource != null) {
                ref.put("subresource", subresource);
            }
            if (namespace != null) {
                ref.put("namespace", namespace);
            }
            if (apiGroup != null) {
                ref.put("apiGroup", apiGroup);
            }
            n.put("requestURI", "/apis/" + (apiGroup == null ? "v1" : apiGroup + "/v1")
                    + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + resource);
        } else {
            n.put("requestURI", "/api");
        }
        if (code != 0) {
            n.put("responseCode", code);
        }
        if (decision != null) {
            n.put("decision", decision);
        }
        ObjectNode phi = n.putObject("phi").put("namespace", phiNamespace).put("flagged", rules.length > 0);
        if (rules.length > 0) {
            ArrayNode ids = phi.putArray("rules");
            for (String r : rules) {
                ids.add(r);
            }
            phi.put("severity", "high");
        }
        n.putObject("event").put("auditID", auditID).put("note", "stored, not indexed");
        return n;
    }

    /** The RequestReceived stage of the same request: no response code, and no access-denied (rules.md). */
    private static ObjectNode received(ObjectNode responseComplete) {
        ObjectNode n = responseComplete.deepCopy();
        n.put("stage", "RequestReceived");
        n.remove("responseCode");
        JsonNode rules = n.path("phi").path("rules");
        if (rules.isArray()) {
            for (int i = rules.size() - 1; i >= 0; i--) {
                if (rules.get(i).asText().equals("access-denied")) {
                    ((ArrayNode) rules).remove(i);
                }
            }
        }
        return n;
    }

    private static List<OpenSearchIndexer.Doc> alerts() throws IOException {
        List<OpenSearchIndexer.Doc> docs = new ArrayList<>();
        docs.add(alert("a-mallory-secret-enumeration", "secret-enumeration", MALLORY, "2026-11-27T10:00:00.000000Z"));
        docs.add(alert("a-mallory-denied-burst", "denied-burst", MALLORY, "2026-11-28T09:00:00.000000Z"));
        docs.add(alert("a-trudy-new-exec", "new-exec", "trudy@example.org", "2026-11-28T10:00:00.000000Z"));
        docs.add(alert("a-mallory-other-realm", "denied-burst", "mallory", "2026-11-29T10:00:00.000000Z"));
        return docs;
    }

    private static OpenSearchIndexer.Doc alert(String id, String type, String actor, String windowStart) throws IOException {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("schemaVersion", 1).put("alertId", id).put("type", type).put("severity", "high")
                .put("cluster", "prod-east").put("actor", actor).put("windowStart", windowStart)
                .put("windowEnd", windowStart.replace("00:00.000000Z", "09:59.000000Z")).put("count", 10)
                .put("threshold", 10);
        n.putArray("auditIDs").add(id + "-1").add(id + "-2");
        n.putArray("namespaces").add("phi-records");
        n.put("description", actor + " " + type);
        return new OpenSearchIndexer.Doc(MAPPER.writeValueAsBytes(n));
    }

    private static List<OpenSearchIndexer.Doc> archiveEntries() throws IOException {
        return List.of(
                entry("audit.events", 2, 1800, 1899, "hit"),
                entry("audit.events", 2, 1700, 1799, "before"),
                entry("audit.events", 2, 1900, 1999, "after"),
                entry("audit.events", 1, 1800, 1899, "other-partition"),
                entry("audit.raw", 2, 1800, 1899, "other-topic"));
    }

    private static OpenSearchIndexer.Doc entry(String topic, int partition, long first, long last, String name)
            throws IOException {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("version", 1).put("topic", topic).put("partition", partition).put("firstOffset", first)
                .put("lastOffset", last).put("count", last - first + 1)
                .put("firstEventTime", "2026-08-14T08:00:00.000000Z").put("lastEventTime", "2026-08-14T10:00:00.000000Z")
                .put("key", topic + "/partition=" + partition + "/" + name + "-" + first + "-" + last + ".ndjson.gz")
                .put("versionId", "v-" + name).put("sha256", "00".repeat(32)).put("previousHash", "11".repeat(32))
                .put("retentionMode", "COMPLIANCE").put("retainUntil", "2032-08-14T00:00:00Z")
                .put("signature", "not-checked-here");
        return new OpenSearchIndexer.Doc(MAPPER.writeValueAsBytes(n));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** POST {@code <target>/_search} with the query file's bytes, exactly as docs/queries.md shows them. */
    private JsonNode search(String target, String file) throws IOException {
        byte[] body = Files.readAllBytes(QUERIES.resolve(file));
        JsonNode response = call("POST", "/" + target + "/_search", body);
        assertThat(response.has("error")).as(response.toString()).isFalse();
        assertThat(response.path("_shards").path("failed").asInt()).as(response.toString()).isZero();
        return response;
    }

    private static List<String> ids(JsonNode response, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode hit : response.path("hits").path("hits")) {
            out.add(hit.path("_source").path(field).asText());
        }
        return out;
    }

    /** actor -> namespace -> distinct requests. */
    private static Map<String, Map<String, Long>> buckets(JsonNode byActor) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (JsonNode a : byActor.path("buckets")) {
            Map<String, Long> ns = new LinkedHashMap<>();
            for (JsonNode b : a.path("by_namespace").path("buckets")) {
                ns.put(b.path("key").asText(), b.path("requests").path("value").asLong());
            }
            out.put(a.path("key").asText(), ns);
        }
        return out;
    }

    private static List<String> orderOf(JsonNode agg) {
        List<String> out = new ArrayList<>();
        agg.path("buckets").forEach(b -> out.add(b.path("key").asText()));
        return out;
    }

    private JsonNode call(String method, String endpoint, Object body) throws IOException {
        var builder = Requests.builder().method(method).endpoint(endpoint);
        if (body != null) {
            byte[] bytes = body instanceof byte[] b ? b : MAPPER.writeValueAsBytes(body);
            builder.body(Body.from(bytes, "application/json"));
        }
        try (Response response = client.generic().execute(builder.build())) {
            String text = response.getBody().map(Body::bodyAsString).orElse("{}");
            return MAPPER.readTree(text.isEmpty() ? "{}" : text);
        }
    }
}
