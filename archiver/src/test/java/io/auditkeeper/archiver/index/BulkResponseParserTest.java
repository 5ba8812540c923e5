package io.auditkeeper.archiver.index;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A {@code _bulk} answer read into indexed, to retry and refused. */
class BulkResponseParserTest {
    private static final List<BulkRequestBody.Item> FIVE = List.of(item(0), item(2), item(3), item(5), item(8));

    private static BulkRequestBody.Item item(int position) {
        return new BulkRequestBody.Item(position, "id" + position, "ix", new byte[0]);
    }

    private static BulkResponseParser.Outcome parse(String json, List<BulkRequestBody.Item> chunk) throws IOException {
        return BulkResponseParser.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), chunk);
    }

    @Test
    void shouldCountTheIndexedRetryTheTransientAndRefuseTheRestWithTheirPositions() throws Exception {
        BulkResponseParser.Outcome outcome = parse("{\"errors\":true,\"items\":["
                + "{\"index\":{\"_id\":\"id0\",\"status\":201}},"
                + "{\"index\":{\"_id\":\"id2\",\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\"}}},"
                + "{\"index\":{\"_id\":\"id3\",\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"bad\","
                + "\"caused_by\":{\"type\":\"number_format_exception\",\"reason\":\"nan\"}}}},"
                + "{\"index\":{\"_id\":\"id5\",\"status\":200}},"
                + "{\"index\":{\"_id\":\"id8\",\"status\":503,\"error\":{\"type\":\"unavailable_shards_exception\"}}}]}", FIVE);

        assertThat(outcome.indexed()).isEqualTo(2);
        assertThat(outcome.retry()).extracting(BulkRequestBody.Item::position).containsExactly(2, 8);
        assertThat(outcome.rejected()).containsExactly(new OpenSearchIndexer.Rejected(3, "id3", "ix", 400,
                "mapper_parsing_exception", "bad (caused by number_format_exception: nan)"));
        assertThat(outcome.lastReason()).startsWith("503 ").contains("unavailable_shards_exception");
    }

    @Test
    void shouldRetryAnItemWithoutAStatusAndNameAnErrorWithoutReasonByItsJson() throws Exception {
        BulkResponseParser.Outcome outcome = parse("{\"items\":[{}, {\"index\":{\"status\":403,\"error\":{\"type\":\"x\"}}}]}",
                List.of(item(0), item(1)));

        assertThat(outcome.indexed()).isZero();
        assertThat(outcome.retry()).extracting(BulkRequestBody.Item::position).containsExactly(0);
        assertThat(outcome.rejected()).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo("{\"type\":\"x\"}"))
                .satisfies(r -> assertThat(r.errorType()).isEqualTo("x"));
        assertThat(outcome.lastReason()).isNotNull();
    }

    @Test
    void shouldHaveNoLastReasonWhenEveryItemWasIndexed() throws Exception {
        BulkResponseParser.Outcome outcome = parse("{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}",
                List.of(item(4)));

        assertThat(outcome.indexed()).isEqualTo(1);
        assertThat(outcome.retry()).isEmpty();
        assertThat(outcome.rejected()).isEmpty();
        assertThat(outcome.lastReason()).isNull();
    }

    @Test
    void shouldRefuseAnAnswerWithoutOneItemPerDocument() {
        assertThatThrownBy(() -> parse("{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}", FIVE))
                .isInstanceOf(BulkResponseParser.ItemCountMismatch.class)
                .hasMessage("bulk response has 1 items for 5 documents");
        assertThatThrownBy(() -> parse("not json", FIVE)).isInstanceOf(IOException.class);
    }
}
