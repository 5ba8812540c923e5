package io.auditkeeper.archiver.index;

import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenSearchIndexerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void documentIdIsLowercaseHexSha256OfClusterAuditIdAndStage() {
        // printf 'c\na\nResponseComplete' | sha256sum
        assertThat(OpenSearchIndexer.documentId("c", "a", "ResponseComplete"))
                .isEqualTo("adc3a5b27f60aca3d38365e5fe3d6158a071b6bc1dd6ef8c39db3d15c1d58bb6");
        assertThat(OpenSearchIndexer.documentId("c", "a", "ResponseStarted"))
                .isNotEqualTo(OpenSearchIndexer.documentId("c", "a", "ResponseComplete"));
        // the separator keeps field boundaries apart
        assertThat(OpenSearchIndexer.documentId("ca", "b", "s")).isNotEqualTo(OpenSearchIndexer.documentId("c", "ab", "s"));
    }

    @Test
    void indexNameIsTheUtcDayOfTimestampThenReceivedAtThenUndated() {
        assertThat(OpenSearchIndexer.indexName("audit-events", "2026-11-27T23:59:59.999999Z", null))
                .isEqualTo("audit-events-2026.11.27");
        assertThat(OpenSearchIndexer.indexName("audit-events", "2026-11-28T01:30:00.000000+02:00", null))
                .isEqualTo("audit-events-2026.11.27");
        assertThat(OpenSearchIndexer.indexName("audit-events", null, "2026-01-02T00:00:00.123Z"))
                .isEqualTo("audit-events-2026.01.02");
        assertThat(OpenSearchIndexer.indexName("audit-events", "not a date", "2026-01-02T00:00:00Z"))
                .isEqualTo("audit-events-2026.01.02");
        assertThat(OpenSearchIndexer.indexName("audit-events", null, null)).isEqualTo("audit-events-undated");
        assertThat(OpenSearchIndexer.indexName("x", "", "garbage")).isEqualTo("x-undated");
    }

    @Test
    void targetReadsOnlyTheTopLevelFieldsAndSkipsTheEvent() throws Exception {
        String json = "{\"schemaVersion\":1,\"event\":{\"cluster\":\"inner\",\"auditID\":\"inner\",\"x\":[1,{\"stage\":\"y\"}]},"
                + "\"cluster\":\"prod\",\"auditID\":\"id-1\",\"stage\":\"ResponseComplete\",\"timestamp\":\"2020-04-21T17:57:05.541358Z\","
                + "\"user\":{\"username\":\"u\"},\"receivedAt\":null}";
        OpenSearchIndexer.Target t = OpenSearchIndexer.target(json.getBytes(StandardCharsets.UTF_8));
        assertThat(t).isEqualTo(new OpenSearchIndexer.Target("prod", "id-1", "ResponseComplete",
                "2020-04-21T17:57:05.541358Z", null));
    }

    @Test
    void targetRefusesDocumentsWithoutIdentity() {
        assertThatThrownBy(() -> OpenSearchIndexer.target("{\"cluster\":\"c\",\"auditID\":\"a\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stage");
        assertThatThrownBy(() -> OpenSearchIndexer.target("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OpenSearchIndexer.target("{\"cluster\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OpenSearchIndexer.target("{\"cluster\":1,\"auditID\":\"a\",\"stage\":\"s\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void chunksRespectCountAndBytesAndNeverCreateEmptyRequests() {
        List<OpenSearchIndexer.Item> items = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            items.add(new OpenSearchIndexer.Item(i, "id" + i, "ix", new byte[100]));
        }
        long one = items.get(0).ndjsonSize();
        assertThat(OpenSearchIndexer.chunks(items, Long.MAX_VALUE, 3)).extracting(List::size).containsExactly(3, 3, 3, 1);
        assertThat(OpenSearchIndexer.chunks(items, one * 4, 1000)).extracting(List::size).containsExactly(4, 4, 2);
        assertThat(OpenSearchIndexer.chunks(items, 1, 1000)).hasSize(10); // larger than the limit: one per request
        assertThat(OpenSearchIndexer.chunks(List.of(), 1, 1)).isEmpty();
    }

    @Test
    void ndjsonIsActionLinePlusSourceLine() throws Exception {
        byte[] src = "{\n  \"cluster\": \"c\"\n}".getBytes(StandardCharsets.UTF_8);
        byte[] line = OpenSearchIndexer.singleLine(src);
        assertThat(new String(line, StandardCharsets.UTF_8)).isEqualTo("{\"cluster\":\"c\"}");
        byte[] compact = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(OpenSearchIndexer.singleLine(compact)).isSameAs(compact);
        String body = new String(OpenSearchIndexer.ndjson(List.of(new OpenSearchIndexer.Item(0, "abc", "audit-events-undated", line))),
                StandardCharsets.UTF_8);
        assertThat(body).isEqualTo("{\"index\":{\"_index\":\"audit-events-undated\",\"_id\":\"abc\"}}\n{\"cluster\":\"c\"}\n");
    }

    @Test
    void templateTakesPrefixAndReplicasFromSettings() throws Exception {
        OpenSearchIndexer indexer = new OpenSearchIndexer(OpenSearchClientFactory.create(
                OpenSearchConnection.of(java.net.URI.create("http://127.0.0.1:1"))),
                OpenSearchIndexer.Settings.defaults().withIndexPrefix("ak-test").withReplicas(2));
        JsonNode t = MAPPER.readTree(indexer.templateJson());
        assertThat(t.path("index_patterns").toString()).isEqualTo("[\"ak-test-*\"]");
        assertThat(t.path("template").path("aliases").has("ak-test")).isTrue();
        assertThat(t.path("template").path("aliases").size()).isEqualTo(1);
        assertThat(t.path("template").path("settings").path("index").path("number_of_replicas").asInt()).isEqualTo(2);
        JsonNode mappings = t.path("template").path("mappings");
        assertThat(mappings.path("dynamic").asBoolean(true)).isFalse();
        assertThat(mappings.path("properties").path("event").toString()).isEqualTo("{\"type\":\"object\",\"enabled\":false}");
    }

    @Test
    void backoffDoublesAndIsCapped() {
        Duration first = OpenSearchIndexer.backoff(Duration.ofMillis(100), 0);
        Duration third = OpenSearchIndexer.backoff(Duration.ofMillis(100), 2);
        assertThat(first.toMillis()).isBetween(100L, 120L);
        assertThat(third.toMillis()).isBetween(400L, 480L);
        assertThat(OpenSearchIndexer.backoff(Duration.ofSeconds(1), 40).toMillis()).isBetween(30_000L, 36_000L);
    }

    @Test
    void shouldAddTheRecordsPlaceAsTheLastFieldWhenSplicingItIntoTheDocument() throws Exception {
        byte[] doc = "{\"auditID\":\"a\",\"event\":{\"x\":[1]}} \n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        byte[] out = OpenSearchIndexer.withRecord(doc, "audit.events", 3, 42);

        var tree = io.auditkeeper.model.AuditJson.mapper().readTree(out);
        assertThat(tree.path("auditID").asText()).isEqualTo("a");
        assertThat(tree.at("/event/x/0").asInt()).isEqualTo(1);
        assertThat(tree.at("/record/topic").asText()).isEqualTo("audit.events");
        assertThat(tree.at("/record/partition").asInt()).isEqualTo(3);
        assertThat(tree.at("/record/offset").asLong()).isEqualTo(42);
        assertThat(io.auditkeeper.model.AuditJson.mapper().readTree(OpenSearchIndexer.withRecord("{ }".getBytes(), "t", 0, 0))
                .at("/record/topic").asText()).isEqualTo("t");
    }
}
