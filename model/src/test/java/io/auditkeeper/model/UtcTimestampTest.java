package io.auditkeeper.model;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

class UtcTimestampTest {
    @Test
    void shouldCountTheFractionDigitsWhenTheTimeIsAValidUtcOne() {
        assertThat(UtcTimestamp.fractionDigits("2026-12-06T09:46:26Z")).isZero();
        assertThat(UtcTimestamp.fractionDigits("2026-12-06T09:46:26.123Z")).isEqualTo(3);
        assertThat(UtcTimestamp.fractionDigits("2024-02-29T23:59:59.739299Z")).isEqualTo(6);
        assertThat(UtcTimestamp.fractionDigits("2026-12-06T09:46:26.123456789Z")).isEqualTo(9);
        assertThat(UtcTimestamp.date("2024-02-29T23:59:59.739299Z")).isEqualTo(LocalDate.of(2024, 2, 29));
    }

    @Test
    void shouldLeaveEveryOtherShapeToTheFullParserWhenItIsNotExactlyThatForm() {
        for (String s : new String[]{"2023-02-29T00:00:00Z", "2026-12-06T24:00:00Z", "2026-12-06T09:60:00Z",
                "2026-12-06T09:46:60Z", "2026-12-06t09:46:26Z", "2026-12-06T09:46:26z", "2026-12-06T09:46:26.Z",
                "2026-12-06T09:46:26.1234567890Z", "2026-12-06T09:46:26+00:00", "2026-12-06 09:46:26Z",
                "0000-01-01T00:00:00Z", "+2026-12-06T09:46:26Z", "2026-12-06T09:46Z", "", null}) {
            assertThat(UtcTimestamp.fractionDigits(s)).as(String.valueOf(s)).isEqualTo(UtcTimestamp.NOT_UTC);
        }
    }
}
