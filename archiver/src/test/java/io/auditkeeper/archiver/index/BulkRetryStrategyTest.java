package io.auditkeeper.archiver.index;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which statuses are retried, the backoff, and when to give up. */
class BulkRetryStrategyTest {
    @Test
    void backoffDoublesAndIsCapped() {
        Duration first = BulkRetryStrategy.backoff(Duration.ofMillis(100), 0);
        Duration third = BulkRetryStrategy.backoff(Duration.ofMillis(100), 2);
        assertThat(first.toMillis()).isBetween(100L, 120L);
        assertThat(third.toMillis()).isBetween(400L, 480L);
        assertThat(BulkRetryStrategy.backoff(Duration.ofSeconds(1), 40).toMillis()).isBetween(30_000L, 36_000L);
    }

    @Test
    void shouldRetry429And5xxRequestsAndItemsAndItemsWithoutAStatus() {
        assertThat(BulkRetryStrategy.transientRequestStatus(429)).isTrue();
        assertThat(BulkRetryStrategy.transientRequestStatus(503)).isTrue();
        assertThat(BulkRetryStrategy.transientRequestStatus(400)).isFalse();
        assertThat(BulkRetryStrategy.transientRequestStatus(413)).isFalse();
        assertThat(BulkRetryStrategy.transientItemStatus(429)).isTrue();
        assertThat(BulkRetryStrategy.transientItemStatus(500)).isTrue();
        assertThat(BulkRetryStrategy.transientItemStatus(0)).isTrue();
        assertThat(BulkRetryStrategy.transientItemStatus(400)).isFalse();
        assertThat(BulkRetryStrategy.transientItemStatus(409)).isFalse();
    }

    @Test
    void shouldGiveUpAfterMaxRetriesRounds() {
        BulkRetryStrategy strategy = new BulkRetryStrategy(2, Duration.ZERO);

        assertThat(strategy.exhausted(0)).isFalse();
        assertThat(strategy.exhausted(1)).isFalse();
        assertThat(strategy.exhausted(2)).isTrue();
        assertThat(new BulkRetryStrategy(0, Duration.ofMillis(5)).exhausted(0)).isTrue();
        assertThat(strategy.backoff(3)).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> new BulkRetryStrategy(-1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
