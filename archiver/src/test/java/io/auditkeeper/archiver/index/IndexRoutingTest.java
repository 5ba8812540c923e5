package io.auditkeeper.archiver.index;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The events' id and index-name scheme. */
class IndexRoutingTest {
    @Test
    void documentIdIsLowercaseHexSha256OfClusterAuditIdAndStage() {
        // printf 'c\na\nResponseComplete' | sha256sum
        assertThat(IndexRouting.documentId("c", "a", "ResponseComplete"))
                .isEqualTo("adc3a5b27f60aca3d38365e5fe3d6158a071b6bc1dd6ef8c39db3d15c1d58bb6");
        assertThat(IndexRouting.documentId("c", "a", "ResponseStarted"))
                .isNotEqualTo(IndexRouting.documentId("c", "a", "ResponseComplete"));
        // the separator keeps field boundaries apart
        assertThat(IndexRouting.documentId("ca", "b", "s")).isNotEqualTo(IndexRouting.documentId("c", "ab", "s"));
    }

    @Test
    void indexNameIsTheUtcDayOfTimestampThenReceivedAtThenUndated() {
        assertThat(IndexRouting.indexName("audit-events", "2026-11-27T23:59:59.999999Z", null))
                .isEqualTo("audit-events-2026.11.27");
        assertThat(IndexRouting.indexName("audit-events", "2026-11-28T01:30:00.000000+02:00", null))
                .isEqualTo("audit-events-2026.11.27");
        assertThat(IndexRouting.indexName("audit-events", null, "2026-01-02T00:00:00.123Z"))
                .isEqualTo("audit-events-2026.01.02");
        assertThat(IndexRouting.indexName("audit-events", "not a date", "2026-01-02T00:00:00Z"))
                .isEqualTo("audit-events-2026.01.02");
        assertThat(IndexRouting.indexName("audit-events", null, null)).isEqualTo("audit-events-undated");
        assertThat(IndexRouting.indexName("x", "", "garbage")).isEqualTo("x-undated");
    }

    @Test
    void targetReadsOnlyTheTopLevelFieldsAndSkipsTheEvent() throws Exception {
        String json = "{\"schemaVersion\":1,\"event\":{\"cluster\":\"inner\",\"auditID\":\"inner\",\"x\":[1,{\"stage\":\"y\"}]},"
                + "\"cluster\":\"prod\",\"auditID\":\"id-1\",\"stage\":\"ResponseComplete\",\"timestamp\":\"2020-04-21T17:57:05.541358Z\","
                + "\"user\":{\"username\":\"u\"},\"receivedAt\":null}";
        IndexRouting.Target t = IndexRouting.target(json.getBytes(StandardCharsets.UTF_8));
        assertThat(t).isEqualTo(new IndexRouting.Target("prod", "id-1", "ResponseComplete",
                "2020-04-21T17:57:05.541358Z", null));
    }

    @Test
    void targetRefusesDocumentsWithoutIdentity() {
        assertThatThrownBy(() -> IndexRouting.target("{\"cluster\":\"c\",\"auditID\":\"a\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stage");
        assertThatThrownBy(() -> IndexRouting.target("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IndexRouting.target("{\"cluster\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IndexRouting.target("{\"cluster\":1,\"auditID\":\"a\",\"stage\":\"s\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldPlaceAnEventInTheIndexOfItsDayUnderTheIdOfClusterAuditIdAndStage() throws Exception {
        byte[] event = ("{\"cluster\":\"c\",\"auditID\":\"a\",\"stage\":\"ResponseComplete\","
                + "\"timestamp\":\"2026-11-27T23:59:59Z\",\"event\":{}}").getBytes(StandardCharsets.UTF_8);

        DocumentKind.Placement placement = IndexRouting.placeEvent("audit-events", event);

        assertThat(placement).isEqualTo(new DocumentKind.Placement("audit-events-2026.11.27",
                "adc3a5b27f60aca3d38365e5fe3d6158a071b6bc1dd6ef8c39db3d15c1d58bb6"));
        assertThatThrownBy(() -> IndexRouting.placeEvent("audit-events", "{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("required");
    }
}
