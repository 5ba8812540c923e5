package io.auditkeeper.archiver.index;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The NDJSON bulk body, built from the source bytes. */
class BulkRequestBodyTest {
    @Test
    void chunksRespectCountAndBytesAndNeverCreateEmptyRequests() {
        List<BulkRequestBody.Item> items = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            items.add(new BulkRequestBody.Item(i, "id" + i, "ix", new byte[100]));
        }
        long one = items.get(0).ndjsonSize();
        assertThat(BulkRequestBody.chunks(items, Long.MAX_VALUE, 3)).extracting(List::size).containsExactly(3, 3, 3, 1);
        assertThat(BulkRequestBody.chunks(items, one * 4, 1000)).extracting(List::size).containsExactly(4, 4, 2);
        assertThat(BulkRequestBody.chunks(items, 1, 1000)).hasSize(10); // larger than the limit: one per request
        assertThat(BulkRequestBody.chunks(List.of(), 1, 1)).isEmpty();
    }

    @Test
    void ndjsonIsActionLinePlusSourceLine() throws Exception {
        byte[] src = "{\n  \"cluster\": \"c\"\n}".getBytes(StandardCharsets.UTF_8);
        byte[] line = BulkRequestBody.singleLine(src);
        assertThat(new String(line, StandardCharsets.UTF_8)).isEqualTo("{\"cluster\":\"c\"}");
        byte[] compact = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(BulkRequestBody.singleLine(compact)).isSameAs(compact);
        String body = new String(BulkRequestBody.ndjson(List.of(new BulkRequestBody.Item(0, "abc", "audit-events-undated", line))),
                StandardCharsets.UTF_8);
        assertThat(body).isEqualTo("{\"index\":{\"_index\":\"audit-events-undated\",\"_id\":\"abc\"}}\n{\"cluster\":\"c\"}\n");
    }

    @Test
    void shouldAddTheRecordsPlaceAsTheLastFieldWhenSplicingItIntoTheDocument() throws Exception {
        byte[] doc = "{\"auditID\":\"a\",\"event\":{\"x\":[1]}} \n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        byte[] out = BulkRequestBody.withRecord(doc, "audit.events", 3, 42);

        var tree = io.auditkeeper.model.AuditJson.mapper().readTree(out);
        assertThat(tree.path("auditID").asText()).isEqualTo("a");
        assertThat(tree.at("/event/x/0").asInt()).isEqualTo(1);
        assertThat(tree.at("/record/topic").asText()).isEqualTo("audit.events");
        assertThat(tree.at("/record/partition").asInt()).isEqualTo(3);
        assertThat(tree.at("/record/offset").asLong()).isEqualTo(42);
        assertThat(io.auditkeeper.model.AuditJson.mapper().readTree(BulkRequestBody.withRecord("{ }".getBytes(), "t", 0, 0))
                .at("/record/topic").asText()).isEqualTo("t");
    }

    @Test
    void shouldMakeTheSourceLineFromTheBytesAndAddTheRecordOnlyWhenItsTopicIsKnown() throws Exception {
        byte[] compact = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

        assertThat(BulkRequestBody.sourceLine(compact, null, -1, -1)).isSameAs(compact);
        assertThat(new String(BulkRequestBody.sourceLine("{\n\"a\": 1\n}".getBytes(StandardCharsets.UTF_8),
                "audit.events", 1, 7), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":1,\"record\":{\"topic\":\"audit.events\",\"partition\":1,\"offset\":7}}");
        assertThatThrownBy(() -> BulkRequestBody.withRecord("[1]".getBytes(StandardCharsets.UTF_8), "t", 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCountTheActionLineTheSourceAndTheLineBreakInTheSizeOfAnItem() {
        BulkRequestBody.Item item = new BulkRequestBody.Item(0, "abc", "ix", new byte[10]);

        assertThat(item.ndjsonSize()).isEqualTo(BulkRequestBody.actionLine("ix", "abc").length + 10 + 1);
        assertThat(BulkRequestBody.ndjson(List.of(item, item))).hasSize((int) (2 * item.ndjsonSize()));
    }
}
