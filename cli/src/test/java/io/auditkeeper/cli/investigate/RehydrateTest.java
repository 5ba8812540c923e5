package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.opensearch.schema.EventDocumentIds;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RehydrateTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String LINE = "{\"cluster\":\"east\",\"auditID\":\"a-1\",\"stage\":\"ResponseComplete\","
            + "\"timestamp\":\"2025-03-01T23:59:59.5+00:00\",\"verb\":\"get\"}";

    @Test
    void shouldIndexAnArchivedLineAsTheArchiverDoesWithItsRecordIntoTheRehydratedDayOfItsTimestamp() throws Exception {
        RehydrateCommand command = new RehydrateCommand();
        command.indexPrefix = "audit-rehydrated-events";

        BulkLoader.Item gapless = command.item(new ArchiveReplay.ArchivedEvent(LINE, MAPPER.readTree(LINE),
                entry(100, 109, 10), 3));
        BulkLoader.Item withMarkers = command.item(new ArchiveReplay.ArchivedEvent(LINE, MAPPER.readTree(LINE),
                entry(100, 120, 10), 3));

        assertThat(gapless.index()).isEqualTo("audit-rehydrated-events-2025.03.01");
        assertThat(gapless.id()).isEqualTo(EventDocumentIds.documentId("east", "a-1", "ResponseComplete"));
        JsonNode doc = MAPPER.readTree(new String(gapless.source(), StandardCharsets.UTF_8));
        assertThat(doc.path("verb").asText()).isEqualTo("get");
        assertThat(doc.path("record").toString()).isEqualTo("{\"topic\":\"audit.events\",\"partition\":2,\"offset\":103}");
        assertThat(MAPPER.readTree(withMarkers.source()).path("record").path("offset").asLong())
                .as("offsets with gaps: the object's first, which leads to its entry").isEqualTo(100);
        assertThat(command.item(new ArchiveReplay.ArchivedEvent("{\"kind\":\"x\"}", MAPPER.readTree("{\"kind\":\"x\"}"),
                entry(0, 0, 1), 0))).as("not an event").isNull();
    }

    @Test
    void shouldDeleteRehydratedIndicesAfterTheRetentionFromTheirCreation() {
        Instant now = Instant.parse("2026-12-06T12:00:00Z");
        assertThat(RehydratedIndices.expired(Map.of("r-2020.01.01", Instant.parse("2026-11-06T11:00:00Z"),
                "r-2020.01.02", Instant.parse("2026-11-07T13:00:00Z"), "r-2019.01.01", Instant.parse("2026-11-06T12:00:00Z")),
                now, 30)).containsExactly("r-2019.01.01", "r-2020.01.01");
    }

    @Test
    void shouldShipAnIsmPolicyThatDeletesTheRehydratedIndicesAfterTheRetention() {
        JsonNode policy = RehydratedIndices.policy("audit-rehydrated-events", 14).path("policy");

        assertThat(RehydratedIndices.current(policy, "audit-rehydrated-events", 14)).isTrue();
        assertThat(RehydratedIndices.current(policy, "audit-rehydrated-events", 30)).isFalse();
        assertThat(policy.path("ism_template").path(0).path("index_patterns")).hasSize(1);
        assertThat(policy.path("states").path(1).path("actions").path(0).has("delete")).isTrue();
        assertThat(RehydratedIndices.policyId("audit-rehydrated-events")).isEqualTo("audit-rehydrated-events-retention");
    }

    @Test
    void shouldWriteOneActionAndOneSourceLinePerDocument() {
        byte[] body = BulkLoader.ndjson(List.of(new BulkLoader.Item("i", "x", "{}".getBytes(StandardCharsets.UTF_8))));
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("{\"index\":{\"_index\":\"i\",\"_id\":\"x\"}}\n{}\n");
    }

    private static ManifestEntry entry(long first, long last, int count) {
        return new ManifestEntry(2, "audit.events", 2, first, last, count, "2025-03-01T00:00:00Z",
                "2025-03-01T23:59:59Z", "events/k", "v1", "00", ManifestEntry.GENESIS, "COMPLIANCE",
                "2031-03-01T00:00:00Z", "sig");
    }
}
