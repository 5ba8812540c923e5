package io.auditkeeper.cli.investigate;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IndexCoverageTest {
    private static final String HOT = "audit-events";
    private static final String RE = "audit-rehydrated-events";

    @Test
    void shouldNameTheDaysOlderThanTheOldestHotIndexThatNoRehydratedIndexHolds() {
        IndexCoverage c = IndexCoverage.of(TimeWindow.parse("2025-02-27", "2025-03-03"), HOT, RE,
                List.of("audit-events-2025.03.02", "audit-events-2025.03.03", "audit-rehydrated-events-2025.02.28",
                        "audit-events-undated", "audit-alerts", "other-2025.02.27"));

        assertThat(c.known()).isTrue();
        assertThat(c.missing()).containsExactly(LocalDate.of(2025, 2, 27), LocalDate.of(2025, 3, 1));
        assertThat(c.describe()).isEqualTo("2025-02-27, 2025-03-01");
        assertThat(c.message()).get().asString()
                .startsWith("events of 2025-02-27, 2025-03-01 are not in OpenSearch (older than the hot retention)")
                .contains("'auditkeeper rehydrate --from 2025-02-27 --to 2025-03-01'");
    }

    @Test
    void shouldNotNameADayWithoutEventsWithinTheRetention() {
        IndexCoverage c = IndexCoverage.of(TimeWindow.parse("2026-03-01", "2026-03-05"), HOT, RE,
                List.of("audit-events-2026.03.01", "audit-events-2026.03.04"));

        assertThat(c.complete()).isTrue();
        assertThat(c.message()).isEmpty();
    }

    @Test
    void shouldSayRangesOfConsecutiveDaysAndTheDaysAnInstantPeriodTouches() {
        IndexCoverage c = IndexCoverage.of(TimeWindow.parse("2024-12-30T23:00:00Z", "2025-01-02T00:00:00Z"), HOT, RE,
                List.of("audit-events-2026.01.01"));

        assertThat(c.describe()).isEqualTo("2024-12-30 to 2025-01-01");
        assertThat(IndexCoverage.days(TimeWindow.parse("2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z")))
                .containsExactly(LocalDate.of(2025, 1, 1));
    }

    @Test
    void shouldKnowNothingWithoutAHotDailyIndex() {
        IndexCoverage c = IndexCoverage.of(TimeWindow.parse("2025-01-01", "2025-01-01"), "my-index", RE,
                List.of("audit-rehydrated-events-2024.12.31"));

        assertThat(c.known()).isFalse();
        assertThat(c.missing()).isEmpty();
    }

    @Test
    void shouldNameOnlyTheDaysTheArchiveHasEventsOnWhenToldThem() {
        TimeWindow march = TimeWindow.parse("2025-03-01", "2025-03-31");
        IndexCoverage c = IndexCoverage.of(march, HOT, RE, List.of("audit-events-2026.01.01"));
        List<LocalDate> archived = IndexCoverage.daysOf(march, Instant.parse("2025-03-30T23:59:00Z"),
                Instant.parse("2025-04-01T00:00:30Z"));

        assertThat(c.missing()).hasSize(31);
        assertThat(archived).containsExactly(LocalDate.of(2025, 3, 30), LocalDate.of(2025, 3, 31));
        assertThat(c.archivedOnly(java.util.Set.copyOf(archived)).describe()).isEqualTo("2025-03-30 to 2025-03-31");
        assertThat(c.archivedOnly(java.util.Set.of()).complete()).as("nothing archived: nothing to rehydrate").isTrue();
        assertThat(IndexCoverage.daysOf(march, null, Instant.parse("2025-03-02T00:00:00Z"))).isEmpty();
    }
}
