package io.auditkeeper.archiver.index.retention;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DailyIndexRetentionTest {
    private static final LocalDate TODAY = LocalDate.of(2026, 5, 1);

    @Test
    void shouldSelectOnlyDailyIndicesOfThePrefixOlderThanTheRetentionWhenGivenAMixedList() {
        List<String> indices = List.of(
                "audit-events-2026.01.30", // 91 days before today: expired
                "audit-events-2026.01.31", // 90 days: kept
                "audit-events-2026.05.01", // today
                "audit-events-2026.05.02", // tomorrow (clock skew)
                "audit-events-2020.04.21",
                "audit-events-undated",
                "audit-events-2026.02.30", // not a date
                "audit-events-2020.04.21-restored",
                "audit-events-archive-2020.04.21",
                "other-2020.04.21",
                "audit-eventsx-2020.04.21");

        assertThat(DailyIndexRetention.expired(indices, "audit-events", TODAY, 90))
                .containsExactly("audit-events-2020.04.21", "audit-events-2026.01.30");
    }

    @Test
    void shouldNeverSelectTodayWhenTheRetentionIsOneDay() {
        assertThat(DailyIndexRetention.expired(List.of("p-2026.05.01", "p-2026.04.30", "p-2026.04.29"), "p", TODAY, 1))
                .containsExactly("p-2026.04.29");
    }
}
