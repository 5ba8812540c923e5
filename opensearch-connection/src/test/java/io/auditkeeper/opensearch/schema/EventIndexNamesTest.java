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
    void shouldNameTheSameDayAsTheFullParserWhenGivenAnyStringOfTheUtcShape() {
        java.util.Random random = new java.util.Random(3);
        char[] pool = "0123456789-T:.Z+ x".toCharArray();
        for (String template : new String[]{"2026-12-31T23:59:59Z", "2024-02-29T00:00:00.123Z",
                "1999-12-31T23:59:59.999999Z", "2026-01-01T00:00:00.123456789Z"}) {
            for (int n = 0; n < 10_000; n++) {
                char[] c = template.toCharArray();
                for (int k = random.nextInt(3); k > 0; k--) {
                    int i = random.nextInt(c.length);
                    c[i] = random.nextBoolean() ? (char) ('0' + random.nextInt(10)) : pool[random.nextInt(pool.length)];
                }
                String s = new String(c);
                String expected;
                try {
                    expected = EventIndexNames.daily("p", java.time.OffsetDateTime.parse(s)
                            .withOffsetSameInstant(java.time.ZoneOffset.UTC).toLocalDate());
                } catch (java.time.DateTimeException e) {
                    expected = "p-undated";
                }
                assertThat(EventIndexNames.indexName("p", s, null)).as(s).isEqualTo(expected);
            }
        }
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
