package io.auditkeeper.kafka;

import io.auditkeeper.kafka.TopicCheck.Described;
import io.auditkeeper.kafka.TopicCheck.Mismatch;
import io.auditkeeper.kafka.TopicCheck.Mode;
import io.auditkeeper.kafka.TopicCheck.Settings;
import io.auditkeeper.kafka.TopicCheck.Wanted;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TopicCheckTest {
    private static final long DAY = 86_400_000L;
    private static final Wanted WANTED = new Wanted("audit.raw", 1000, 3, 2, DAY);

    private static Map<String, Described> described(long maxMessageBytes, int rf, int minIsr, long retentionMs) {
        return Map.of("audit.raw", new Described("audit.raw", maxMessageBytes, rf, minIsr, retentionMs));
    }

    @Test
    void shouldPassWhenEverySettingEqualsWhatIsWanted() {
        assertThat(TopicCheck.compare(described(1000, 3, 2, DAY), List.of(WANTED))).isEmpty();
    }

    @Test
    void shouldPassWhenEverySettingIsAboveWhatIsWanted() {
        assertThat(TopicCheck.compare(described(5000, 5, 3, 2 * DAY), List.of(WANTED))).isEmpty();
    }

    @Test
    void shouldReportEachSettingOneBelowItsEdgeAllAtOnce() {
        List<Mismatch> m = TopicCheck.compare(described(999, 2, 1, DAY - 1), List.of(WANTED));

        assertThat(m).containsExactly(
                new Mismatch("audit.raw", "max.message.bytes", 999, 1000),
                new Mismatch("audit.raw", "replication.factor", 2, 3),
                new Mismatch("audit.raw", "min.insync.replicas", 1, 2),
                new Mismatch("audit.raw", "retention.ms", DAY - 1, DAY));
    }

    @Test
    void shouldNameTopicSettingValueAndWantedWhenPrinted() {
        assertThat(new Mismatch("audit.raw", "retention.ms", 3_600_000, DAY))
                .hasToString("topic audit.raw: retention.ms is 3600000, wanted at least 86400000");
    }

    @Test
    void shouldTakeInfiniteRetentionAsEnoughWhenAMinimumIsWanted() {
        assertThat(TopicCheck.compare(described(1000, 3, 2, -1), List.of(WANTED))).isEmpty();
    }

    @Test
    void shouldCheckNothingWhenTheWantedValuesAreZero() {
        Wanted any = new Wanted("audit.raw", 0, 0, 0, 0);

        assertThat(TopicCheck.compare(described(1, 1, 1, 1), List.of(any))).isEmpty();
    }

    @Test
    void shouldSkipATopicWhenItIsNotDescribed() {
        assertThat(TopicCheck.compare(Map.of(), List.of(WANTED))).isEmpty();
    }

    @Test
    void shouldWantAsManyReplicasAsMinInsyncWhenTheReplicationFactorIsLower() {
        Settings settings = new Settings(Mode.FAIL, 2, DAY);

        assertThat(settings.wanted("t", 10, 0)).isEqualTo(new Wanted("t", 10, 2, 2, DAY));
        assertThat(settings.wanted("t", 10, 3)).isEqualTo(new Wanted("t", 10, 3, 2, DAY));
    }

    @Test
    void shouldReadTheModeWhenWrittenInLowerCase() {
        assertThat(Mode.of("warn")).isEqualTo(Mode.WARN);
        assertThat(Mode.of("off")).isEqualTo(Mode.OFF);
    }
}
