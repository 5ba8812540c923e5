package io.auditkeeper.archiver.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against the local stack's OpenSearch: the corpus, normalized, lands once per (auditID, stage) in daily indices
 * behind the {@code audit-events} alias, replays overwrite, {@code event} is kept but not indexed, bad documents come
 * back as rejected, and undated ones go to the undated index.
 */
@ExtendWith(LocalStackExtension.class)
class OpenSearchIndexerIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void shouldIndexTheCorpusOncePerAuditIdAndStageBehindTheAlias(LocalStack stack) throws Exception {
        OpenSearchClient client = OpenSearchClientFactory.create(
                OpenSearchConnection.of(URI.create(stack.openSearchUrl())));
        // start from no audit-events index, so a reused stack does not skew the counts
        String prefix = "audit-events";
        call(client, "DELETE", "/" + prefix + "-*", null);
        OpenSearchIndexer indexer = new OpenSearchIndexer(client, OpenSearchIndexer.Settings.defaults()
                .withReplicas(0).withRetries(3, Duration.ofMillis(50)).withBulkLimits(64 * 1024, 100));
        indexer.ensureTemplate();
        indexer.ensureTemplate(); // idempotent

        List<JsonNode> events = corpus();
        List<OpenSearchIndexer.Doc> docs = new ArrayList<>();
        Set<String> distinct = new HashSet<>();
        int undated = 0;
        for (JsonNode e : events) {
            docs.add(new OpenSearchIndexer.Doc(MAPPER.writeValueAsBytes(normalize(e))));
            distinct.add(e.path("auditID").asText() + "\n" + e.path("stage").asText());
            if (!e.hasNonNull("requestReceivedTimestamp")) {
                undated++;
            }
        }
        assertThat(distinct).hasSize(482);

        OpenSearchIndexer.BulkResult result = indexer.index(docs);
        assertThat(result.rejected()).isEmpty();
        assertThat(result.indexed()).isEqualTo(docs.size());
        refresh(client, prefix);
        assertThat(count(client, prefix, null)).isEqualTo(distinct.size());

        // undated documents are in the undated index, dated ones in their UTC day
        assertThat(undated).as("the corpus has events without requestReceivedTimestamp").isPositive();
        assertThat(count(client, prefix + "-undated", null)).isEqualTo(undated);
        assertThat(count(client, prefix + "-2020.04.21", null)).isPositive();

        // a term query on auditID finds the document with the normalized fields
        JsonNode sample = events.stream().filter(e -> e.hasNonNull("requestReceivedTimestamp")
                && e.path("objectRef").hasNonNull("resource") && e.path("responseStatus").has("code")).findFirst().orElseThrow();
        JsonNode hits = search(client, prefix, Map.of("term", Map.of("auditID", sample.path("auditID").asText())));
        long sameId = events.stream().filter(e -> e.path("auditID").asText().equals(sample.path("auditID").asText())).count();
        assertThat(hits.path("hits").path("total").path("value").asLong()).isEqualTo(sameId);
        JsonNode hit = hits.path("hits").path("hits").get(0);
        JsonNode src = hit.path("_source");
        assertThat(src.path("cluster").asText()).isEqualTo("it");
        assertThat(src.path("verb").asText()).isEqualTo(sample.path("verb").asText());
        assertThat(src.path("objectRef").path("resource").asText()).isEqualTo(sample.path("objectRef").path("resource").asText());
        assertThat(src.path("responseCode").asInt()).isEqualTo(sample.path("responseStatus").path("code").asInt());
        assertThat(src.path("event")).as("_source keeps the original event").isEqualTo(
                events.stream().filter(e -> e.path("auditID").asText().equals(src.path("auditID").asText())
                        && e.path("stage").asText().equals(src.path("stage").asText())).findFirst().orElseThrow());
        assertThat(hit.path("_id").asText()).isEqualTo(IndexRouting.documentId("it", src.path("auditID").asText(),
                src.path("stage").asText()));
        assertThat(hit.path("_index").asText()).isEqualTo(IndexRouting.indexName(prefix,
                sample.path("requestReceivedTimestamp").asText(), null));
        // keyword, ip and integer fields are queryable
        assertThat(search(client, prefix, Map.of("bool", Map.of("filter", List.of(
                Map.of("term", Map.of("auditID", sample.path("auditID").asText())),
                Map.of("term", Map.of("verb", sample.path("verb").asText())),
                Map.of("term", Map.of("responseCode", sample.path("responseStatus").path("code").asInt())),
                Map.of("term", Map.of("sourceIPs", sample.path("sourceIPs").get(0).asText()))))))
                .path("hits").path("total").path("value").asLong()).isEqualTo(sameId);
        // event is not indexed: a query on a field inside it finds nothing
        assertThat(search(client, prefix, Map.of("term", Map.of("event.auditID", sample.path("auditID").asText())))
                .path("hits").path("total").path("value").asLong()).isZero();

        // replay: same ids, same count
        OpenSearchIndexer.BulkResult again = indexer.index(docs);
        assertThat(again.rejected()).isEmpty();
        assertThat(again.indexed()).isEqualTo(docs.size());
        refresh(client, prefix);
        assertThat(count(client, prefix, null)).isEqualTo(distinct.size());

        // the mapping has no field under event, and dynamic false kept unknown fields out
        JsonNode mapping = call(client, "GET", "/" + hit.path("_index").asText() + "/_mapping", null);
        JsonNode props = mapping.path(hit.path("_index").asText()).path("mappings").path("properties");
        assertThat(props.path("event").path("enabled").asBoolean(true)).isFalse();
        assertThat(props.path("event").has("properties")).isFalse();
        assertThat(props.path("sourceIPs").path("type").asText()).isEqualTo("ip");
        assertThat(props.path("timestamp").path("type").asText()).isEqualTo("date");
        JsonNode aliases = call(client, "GET", "/" + prefix + "-undated/_alias", null);
        assertThat(aliases.path(prefix + "-undated").path("aliases").has(prefix)).isTrue();
        // the daily indices look ids up through the Bloom filter; the replay above still overwrote
        JsonNode settings = call(client, "GET", "/" + hit.path("_index").asText() + "/_settings", null);
        assertThat(settings.path(hit.path("_index").asText()).path("settings").path("index")
                .path("optimize_doc_id_lookup").path("fuzzy_set").path("enabled").asText()).isEqualTo("true");
    }

    @Test
    void shouldReturnRefusedDocumentsWithTheirReasonAndIndexTheOthers(LocalStack stack) throws Exception {
        OpenSearchClient client = OpenSearchClientFactory.create(
                OpenSearchConnection.of(URI.create(stack.openSearchUrl())));
        String prefix = "ak-it-" + UUID.randomUUID().toString().substring(0, 8);
        OpenSearchIndexer indexer = new OpenSearchIndexer(client, OpenSearchIndexer.Settings.defaults()
                .withIndexPrefix(prefix).withReplicas(0).withRetries(2, Duration.ofMillis(50)));
        indexer.ensureTemplate();

        ObjectNode good = doc("good", "2026-11-27T10:00:00.000000Z");
        ObjectNode badCode = doc("bad-code", "2026-11-27T10:00:01.000000Z");
        badCode.put("responseCode", "not-a-number");
        ObjectNode badIp = doc("bad-ip", "2026-11-27T10:00:02.000000Z");
        badIp.putArray("sourceIPs").add("x");
        ObjectNode undated = doc("undated", null);
        undated.put("someFutureField", "not mapped, not a problem");
        ObjectNode byReceivedAt = doc("received", null);
        byReceivedAt.put("receivedAt", "2026-11-26T23:00:00.000Z");
        List<OpenSearchIndexer.Doc> docs = new ArrayList<>();
        for (ObjectNode n : List.of(good, badCode, badIp, undated, byReceivedAt)) {
            docs.add(new OpenSearchIndexer.Doc(MAPPER.writeValueAsBytes(n)));
        }
        docs.add(new OpenSearchIndexer.Doc("not json".getBytes(StandardCharsets.UTF_8)));

        OpenSearchIndexer.BulkResult result = indexer.index(docs);
        assertThat(result.indexed()).isEqualTo(4);
        assertThat(result.rejected()).extracting(OpenSearchIndexer.Rejected::position).containsExactly(1, 5);
        OpenSearchIndexer.Rejected code = result.rejected().get(0);
        assertThat(code.status()).isEqualTo(400);
        assertThat(code.errorType()).isEqualTo("mapper_parsing_exception");
        assertThat(code.reason()).contains("responseCode");
        assertThat(code.id()).isEqualTo(IndexRouting.documentId("it", "bad-code", "ResponseComplete"));
        assertThat(code.index()).isEqualTo(prefix + "-2026.11.27");
        assertThat(result.rejected().get(1).errorType()).isEqualTo(OpenSearchIndexer.INVALID_DOCUMENT);
        assertThat(result.rejected().get(1).status()).isZero();
        assertThat(result.rejected().get(1).reason()).contains("not JSON");

        refresh(client, prefix);
        assertThat(count(client, prefix, null)).isEqualTo(4);
        assertThat(count(client, prefix + "-2026.11.27", null)).isEqualTo(2);
        // a malformed source IP (client-controlled X-Forwarded-For) does not keep the event out: kept in _source,
        // listed in _ignored
        JsonNode badIpHit = search(client, prefix, Map.of("term", Map.of("auditID", "bad-ip"))).path("hits").path("hits").get(0);
        assertThat(badIpHit.path("_source").path("sourceIPs").get(0).asText()).isEqualTo("x");
        assertThat(badIpHit.path("_ignored").toString()).contains("sourceIPs");
        assertThat(count(client, prefix + "-2026.11.26", null)).isEqualTo(1);
        assertThat(count(client, prefix + "-undated", null)).isEqualTo(1);
        assertThat(search(client, prefix + "-undated", Map.of("term", Map.of("auditID", "undated")))
                .path("hits").path("total").path("value").asLong()).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static ObjectNode doc(String auditID, String timestamp) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("schemaVersion", 1).put("cluster", "it").put("auditID", auditID).put("stage", "ResponseComplete")
                .put("level", "Metadata");
        if (timestamp != null) {
            n.put("timestamp", timestamp);
        }
        n.put("verb", "get").put("responseCode", 200);
        n.putArray("sourceIPs").add("10.0.0.1");
        n.putObject("event").put("auditID", auditID).putObject("deep").put("anything", 1);
        return n;
    }

    /** The normalized form the IT needs: the fields the indexer reads and the mapping types, plus the event. */
    private static ObjectNode normalize(JsonNode e) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("schemaVersion", 1);
        n.put("cluster", "it");
        n.put("auditID", e.path("auditID").asText());
        n.put("stage", e.path("stage").asText());
        copyText(e, "level", n, "level");
        copyText(e, "requestReceivedTimestamp", n, "timestamp");
        copyText(e, "stageTimestamp", n, "stageTimestamp");
        copyText(e, "verb", n, "verb");
        copyText(e, "requestURI", n, "requestURI");
        copyText(e.path("user"), "username", n, "actor");
        if (e.path("user").isObject()) {
            n.set("user", e.path("user").deepCopy());
        }
        if (e.path("sourceIPs").isArray()) {
            n.set("sourceIPs", e.path("sourceIPs").deepCopy());
        }
        copyText(e, "userAgent", n, "userAgent");
        if (e.path("objectRef").isObject()) {
            ObjectNode ref = n.putObject("objectRef");
            for (String f : List.of("resource", "subresource", "namespace", "name", "apiGroup", "apiVersion")) {
                copyText(e.path("objectRef"), f, ref, f);
            }
        }
        if (e.path("responseStatus").path("code").isInt()) {
            n.put("responseCode", e.path("responseStatus").path("code").asInt());
        }
        copyText(e.path("annotations"), "authorization.k8s.io/decision", n, "decision");
        copyText(e.path("annotations"), "authorization.k8s.io/reason", n, "reason");
        n.putObject("source").put("topic", "audit.raw").put("partition", 0).put("offset", 0);
        n.putObject("phi").put("namespace", false).put("flagged", false);
        n.set("event", e);
        return n;
    }

    private static void copyText(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode v = from.path(field);
        if (v.isTextual()) {
            to.put(as, v.asText());
        }
    }

    private static List<JsonNode> corpus() throws IOException {
        Path dir = Path.of(System.getProperty("auditkeeper.corpus", Path.of("..", "testdata", "corpus").toString()));
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("events.ndjson"), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(MAPPER.readTree(line));
            }
        }
        return out;
    }

    private static void refresh(OpenSearchClient client, String target) throws IOException {
        call(client, "POST", "/" + target + "/_refresh", null);
    }

    private static long count(OpenSearchClient client, String target, Object query) throws IOException {
        return call(client, "GET", "/" + target + "/_count", query == null ? null : Map.of("query", query))
                .path("count").asLong(-1);
    }

    private static JsonNode search(OpenSearchClient client, String target, Object query) throws IOException {
        return call(client, "POST", "/" + target + "/_search",
                Map.of("query", query, "size", 100, "track_total_hits", true));
    }

    private static JsonNode call(OpenSearchClient client, String method, String endpoint, Object body) throws IOException {
        var builder = Requests.builder().method(method).endpoint(endpoint);
        if (body != null) {
            builder.body(Body.from(MAPPER.writeValueAsBytes(body), "application/json"));
        }
        try (Response response = client.generic().execute(builder.build())) {
            String text = response.getBody().map(Body::bodyAsString).orElse("{}");
            if (!method.equals("DELETE")) {
                assertThat(response.getStatus()).as(method + " " + endpoint + ": " + text).isBetween(200, 299);
            }
            return MAPPER.readTree(text);
        }
    }
}
