package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.archiver.index.OpenSearchIndexer;
import io.auditkeeper.archiver.index.SingleIndexDocuments;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Requests;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The events, alert and archive of the report ITs ({@code ReportCommandIT}, {@code RehydrateCommandIT}): a handful of
 * requests on 2026-03-01 (and one on 2026-03-02) indexed with the archiver's real templates, one alert, and the same
 * events archived by the real archiver.
 */
final class ReportFixture {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String ALICE = "alice@example.org";
    static final String EVIL = "<script>alert(1)</script>";
    static final String RBAC = "rbac.authorization.k8s.io";

    private ReportFixture() {
    }

    /** Six documents of five requests on 2026-03-01 (one with two stages), and one request on 2026-03-02. */
    static List<ObjectNode> events(String id) {
        return events(id, LocalDate.of(2026, 3, 1));
    }

    /**
     * The same on {@code day} and the day after (a test whose archive is written today verifies a recent period
     * faster: the digests that seal it are listed a day at a time from the period on).
     */
    static List<ObjectNode> events(String id, LocalDate day) {
        List<ObjectNode> events = new ArrayList<>();
        for (ObjectNode e : march(id)) {
            for (String field : List.of("timestamp", "stageTimestamp")) {
                e.put(field, e.path(field).asText().replace("2026-03-02", day.plusDays(1).toString())
                        .replace("2026-03-01", day.toString()));
            }
            events.add(e);
        }
        return events;
    }

    private static List<ObjectNode> march(String id) {
        return List.of(
                received(ev(id + "-s1", "2026-03-01T10:00:00.000000Z", ALICE, "get", "secrets", null, "phi-records",
                        "db-password", null, 200, "allow", true, "secret-read")),
                ev(id + "-s1", "2026-03-01T10:00:00.000000Z", ALICE, "get", "secrets", null, "phi-records",
                        "db-password", null, 200, "allow", true, "secret-read"),
                ev(id + "-x1", "2026-03-01T10:05:00.000000Z", EVIL, "create", "pods", "exec", "phi-records", "web-0",
                        null, 101, "allow", true, "pod-exec"),
                ev(id + "-d1", "2026-03-01T10:10:00.000000Z", EVIL, "get", "secrets", null, "phi-records",
                        "db-password", null, 403, "forbid", true, "secret-read", "access-denied"),
                ev(id + "-r1", "2026-03-01T10:15:00.000000Z", ALICE, "create", "rolebindings", null, "phi-records",
                        "read-secrets", RBAC, 201, "allow", true, "rbac-change"),
                ev(id + "-n1", "2026-03-01T10:20:00.000000Z", ALICE, "get", "pods", null, "default", "web-1", null,
                        200, "allow", false),
                ev(id + "-o1", "2026-03-02T09:00:00.000000Z", ALICE, "get", "secrets", null, "phi-records",
                        "db-password", null, 200, "allow", true, "secret-read"));
    }

    /** The events as archive records of partition 0, at their own times. */
    static List<TestArchive.Event> records(List<ObjectNode> events) throws Exception {
        List<TestArchive.Event> records = new ArrayList<>();
        for (ObjectNode e : events) {
            records.add(new TestArchive.Event(0, Instant.parse(e.path("timestamp").asText()), MAPPER.writeValueAsString(e)));
        }
        return records;
    }

    static List<String> csv(Path out, String name) throws Exception {
        String text = Files.readString(out.resolve(name + ".csv"));
        assertThat(text).endsWith("\r\n");
        return List.of(text.split("\r\n"));
    }

    static void index(LocalStack stack, List<ObjectNode> events, String eventsAlias, String alertsIndex,
                              String id) throws Exception {
        OpenSearchClient client = OpenSearchClientFactory.create(OpenSearchConnection.of(URI.create(stack.openSearchUrl())));
        OpenSearchIndexer indexer = new OpenSearchIndexer(client, OpenSearchIndexer.Settings.defaults()
                .withIndexPrefix(eventsAlias).withReplicas(0).withRetries(3, Duration.ofMillis(100)));
        SingleIndexDocuments alerts = SingleIndexDocuments.alerts(alertsIndex);
        indexer.ensureTemplate();
        indexer.ensureTemplate(alerts);
        List<OpenSearchIndexer.Doc> docs = new ArrayList<>();
        long offset = 0;
        for (ObjectNode e : events) {
            docs.add(new OpenSearchIndexer.Doc(MAPPER.writeValueAsBytes(e), "report", 0, offset++));
        }
        assertThat(indexer.index(docs).rejected()).isEmpty();
        ObjectNode alert = MAPPER.createObjectNode();
        alert.put("schemaVersion", 1).put("alertId", id + "-a1").put("type", "denied-burst").put("severity", "high")
                .put("cluster", "test").put("actor", EVIL).put("windowStart", "2026-03-01T10:10:00.000000Z")
                .put("windowEnd", "2026-03-01T10:11:00.000000Z").put("count", 5).put("threshold", 5);
        alert.putArray("auditIDs").add(id + "-d1");
        alert.putArray("namespaces").add("phi-records");
        alert.put("description", "denied requests");
        assertThat(indexer.index(List.of(new OpenSearchIndexer.Doc(MAPPER.writeValueAsBytes(alert))), alerts).rejected())
                .isEmpty();
        client.generic().execute(Requests.builder().method("POST").endpoint("/" + eventsAlias + "," + alertsIndex
                + "/_refresh").build()).close();
    }

    /** A ResponseComplete event; {@code code} 0 = none. */
    static ObjectNode ev(String auditID, String timestamp, String actor, String verb, String resource,
                                 String subresource, String namespace, String name, String apiGroup, int code,
                                 String decision, boolean phiNamespace, String... rules) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("schemaVersion", 1).put("cluster", "test").put("auditID", auditID).put("stage", "ResponseComplete")
                .put("level", "Metadata").put("timestamp", timestamp)
                .put("stageTimestamp", timestamp.replace(".000000Z", ".100000Z")).put("verb", verb).put("actor", actor);
        n.putObject("user").put("username", actor).putArray("groups").add("system:authenticated");
        n.putArray("sourceIPs").add("10.0.0.7");
        ObjectNode ref = n.putObject("objectRef").put("resource", resource).put("namespace", namespace).put("name", name);
        if (subresource != null) {
            ref.put("subresource", subresource);
        }
        if (apiGroup != null) {
            ref.put("apiGroup", apiGroup);
        }
        n.put("requestURI", "/api" + (apiGroup == null ? "" : "s/" + apiGroup) + "/v1/namespaces/" + namespace + "/"
                + resource + "/" + name + (subresource == null ? "" : "/" + subresource));
        if (code != 0) {
            n.put("responseCode", code);
        }
        n.put("decision", decision);
        ObjectNode phi = n.putObject("phi").put("namespace", phiNamespace).put("flagged", rules.length > 0);
        if (rules.length > 0) {
            ArrayNode ids = phi.putArray("rules");
            for (String r : rules) {
                ids.add(r);
            }
            phi.put("severity", "high");
        }
        return n;
    }

    /** The RequestReceived stage of the same request: earlier stage time, no response code. */
    static ObjectNode received(ObjectNode responseComplete) {
        ObjectNode n = responseComplete.deepCopy();
        n.put("stage", "RequestReceived").put("stageTimestamp", n.path("timestamp").asText());
        n.remove("responseCode");
        return n;
    }
}
