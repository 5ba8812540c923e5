package io.auditkeeper.cli.investigate;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeWindowTest {
    @Test
    void shouldCoverWholeUtcDaysWhenDatesAreGiven() {
        TimeWindow march = TimeWindow.parse("2026-03-01", "2026-03-31");

        assertThat(march.from()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
        assertThat(march.to()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
        assertThat(march.contains(Instant.parse("2026-03-31T23:59:59Z"))).isTrue();
        assertThat(march.contains(Instant.parse("2026-04-01T00:00:00Z"))).isFalse();
    }

    @Test
    void shouldTakeInstantsWithOffsetsAsTheyAreWhenInstantsAreGiven() {
        TimeWindow w = TimeWindow.parse("2026-03-01T10:00:00+02:00", "2026-03-01T10:00:00Z");

        assertThat(w.from()).isEqualTo(Instant.parse("2026-03-01T08:00:00Z"));
        assertThat(w.to()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
    }

    @Test
    void shouldBeUnboundedWhenNeitherIsGiven() {
        TimeWindow all = TimeWindow.parse(null, null);

        assertThat(all.bounded()).isFalse();
        assertThat(all.overlaps(Instant.parse("1999-01-01T00:00:00Z"), Instant.parse("2099-01-01T00:00:00Z"))).isTrue();
    }

    @Test
    void shouldOverlapWhenAnEntryStraddlesAnEnd() {
        TimeWindow w = TimeWindow.parse("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z");

        assertThat(w.overlaps(Instant.parse("2026-03-01T09:30:00Z"), Instant.parse("2026-03-01T10:00:00Z"))).isTrue();
        assertThat(w.overlaps(Instant.parse("2026-03-01T10:59:00Z"), Instant.parse("2026-03-01T12:00:00Z"))).isTrue();
        assertThat(w.overlaps(Instant.parse("2026-03-01T11:00:00Z"), Instant.parse("2026-03-01T12:00:00Z"))).isFalse();
        assertThat(w.overlaps(Instant.parse("2026-03-01T09:00:00Z"), Instant.parse("2026-03-01T09:59:59Z"))).isFalse();
    }

    @Test
    void shouldRefuseTextThatIsNoDateOrInstantAndAnEmptyPeriod() {
        assertThatThrownBy(() -> TimeWindow.parse("last march", null)).hasMessageContaining("'last march'");
        assertThatThrownBy(() -> TimeWindow.parse("2026-03-02", "2026-03-01")).hasMessageContaining("is not before");
    }
}
