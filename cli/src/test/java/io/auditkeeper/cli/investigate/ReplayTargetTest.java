package io.auditkeeper.cli.investigate;

import io.auditkeeper.cli.investigate.ReplayTarget.RecordTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayTargetTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final Map<String, String> WEEK = Map.of("cleanup.policy", "delete", "retention.ms", "604800000",
            "message.timestamp.type", "CreateTime");

    @Test
    void shouldRefuseWhenTheTopicsRetentionWouldDeleteTheOldestReplayedEvent() {
        assertThat(ReplayTarget.problem("t", WEEK, NOW.minus(Duration.ofDays(8)), RecordTime.EVENT, NOW))
                .hasValueSatisfying(p -> assertThat(p).contains("deletes records more than 7 days old")
                        .contains("--record-time now").contains("retention.ms=-1"));
    }

    @Test
    void shouldAcceptWhenTheOldestReplayedEventIsJustWithinRetention() {
        assertThat(ReplayTarget.problem("t", WEEK, NOW.minus(Duration.ofDays(7)), RecordTime.EVENT, NOW)).isEmpty();
        assertThat(ReplayTarget.problem("t", WEEK, NOW.minus(Duration.ofDays(7)).minusMillis(1), RecordTime.EVENT, NOW))
                .isPresent();
    }

    @Test
    void shouldRefuseAReplayFromTheBeginningIntoATopicWithTimeRetention() {
        assertThat(ReplayTarget.problem("t", WEEK, null, RecordTime.EVENT, NOW))
                .hasValueSatisfying(p -> assertThat(p).contains("no --from"));
    }

    @Test
    void shouldAcceptWhenTheRecordsGetTheReplaysTime() {
        assertThat(ReplayTarget.problem("t", WEEK, null, RecordTime.NOW, NOW)).isEmpty();
    }

    @Test
    void shouldAcceptWhenTheTopicKeepsForeverIsCompactedOrUsesAppendTime() {
        Instant old = NOW.minus(Duration.ofDays(900));
        assertThat(ReplayTarget.problem("t", Map.of("retention.ms", "-1"), old, RecordTime.EVENT, NOW)).isEmpty();
        assertThat(ReplayTarget.problem("t", Map.of("retention.ms", "1000", "cleanup.policy", "compact"), old,
                RecordTime.EVENT, NOW)).isEmpty();
        assertThat(ReplayTarget.problem("t", Map.of("retention.ms", "1000", "message.timestamp.type", "LogAppendTime"),
                old, RecordTime.EVENT, NOW)).isEmpty();
    }

    @Test
    void shouldRefuseWhenTheBrokerRejectsTimestampsThatOld() {
        Map<String, String> config = Map.of("retention.ms", "-1", "message.timestamp.before.max.ms", "86400000");

        assertThat(ReplayTarget.problem("t", config, NOW.minus(Duration.ofDays(2)), RecordTime.EVENT, NOW))
                .hasValueSatisfying(p -> assertThat(p).contains("message.timestamp.before.max.ms").contains("1 days"));
        assertThat(ReplayTarget.problem("t", config, NOW.minus(Duration.ofHours(23)), RecordTime.EVENT, NOW)).isEmpty();
    }
}
