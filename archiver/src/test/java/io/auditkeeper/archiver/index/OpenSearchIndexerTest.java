package io.auditkeeper.archiver.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import io.auditkeeper.opensearch.schema.EventIndexTemplate;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OpenSearchIndexerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

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
        assertThat(t.path("template").path("settings").path("index").path(EventIndexTemplate.DOC_ID_BLOOM_FILTER)
                .asBoolean()).as("the Bloom filter over _id is on by default").isTrue();
    }

    @Test
    void shouldLeaveTheBloomFilterOutWhenTurnedOffForAnOlderCluster() throws Exception {
        OpenSearchIndexer indexer = new OpenSearchIndexer(OpenSearchClientFactory.create(
                OpenSearchConnection.of(java.net.URI.create("http://127.0.0.1:1"))),
                OpenSearchIndexer.Settings.defaults().withReplicas(0).withDocIdBloomFilter(false));
        JsonNode index = MAPPER.readTree(indexer.templateJson()).path("template").path("settings").path("index");
        assertThat(index.has(EventIndexTemplate.DOC_ID_BLOOM_FILTER)).isFalse();
        assertThat(index.path("number_of_replicas").asInt()).isZero();
        assertThat(index.path("refresh_interval").asText()).isEqualTo("1s");
    }
}
