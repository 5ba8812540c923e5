package io.auditkeeper.opensearch.schema;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class EventIndexNamesTest {
    @Test
    void shouldNameTheIndexAfterTheUtcDayOfTheTimestampElseReceivedAtElseUndated() {
        assertThat(EventIndexNames.indexName("audit-events", "2026-11-27T23:30:00-02:00", null))
                .isEqualTo("audit-events-2026.11.28");
        assertThat(EventIndexNames.indexName("audit-rehydrated-events", "garbage", "2025-01-02T00:00:00Z"))
                .isEqualTo("audit-rehydrated-events-2025.01.02");
        assertThat(EventIndexNames.indexName("audit-events", null, null)).isEqualTo("audit-events-undated");
    }

    @Test
    void shouldReadTheDayBackOnlyFromADailyIndexOfThatPrefix() {
        assertThat(EventIndexNames.day("audit-events", "audit-events-2026.03.01")).contains(LocalDate.of(2026, 3, 1));
        assertThat(EventIndexNames.day("audit-events", "audit-events-undated")).isEmpty();
        assertThat(EventIndexNames.day("audit-events", "audit-events-2026.02.30")).isEmpty();
        assertThat(EventIndexNames.day("audit-events", "audit-rehydrated-events-2026.03.01")).isEqualTo(Optional.empty());
        assertThat(EventIndexNames.daily("audit-events", LocalDate.of(2026, 3, 1))).isEqualTo("audit-events-2026.03.01");
    }

    @Test
    void shouldKeepTheIdsOfTheArchiver() {
        assertThat(EventDocumentIds.documentId("c", "a", "s"))
                .isEqualTo(java.util.HexFormat.of().formatHex(sha("c\na\ns")));
    }

    private static byte[] sha(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
