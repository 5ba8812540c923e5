package io.auditkeeper.notifier.deliver;

import io.auditkeeper.notifier.config.ReceiverConfig.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    private static final RetryPolicy POLICY = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(10));

    @Test
    void shouldDoubleFromTheInitialWaitUpToTheMaximum() {
        Backoff most = new Backoff(POLICY, () -> 0.999999);

        assertThat(most.delay(1, Optional.empty())).isEqualTo(Duration.ofMillis(999));
        assertThat(most.delay(2, Optional.empty())).isEqualTo(Duration.ofMillis(1999));
        assertThat(most.delay(3, Optional.empty())).isEqualTo(Duration.ofMillis(3999));
        assertThat(most.delay(5, Optional.empty())).isEqualTo(Duration.ofMillis(9999));
        assertThat(most.delay(60, Optional.empty())).as("no overflow after many").isEqualTo(Duration.ofMillis(9999));
    }

    @Test
    void shouldTakeOffAtMostHalfAtRandom() {
        Backoff least = new Backoff(POLICY, () -> 0.0);

        assertThat(least.delay(1, Optional.empty())).isEqualTo(Duration.ofMillis(500));
        assertThat(least.delay(4, Optional.empty())).isEqualTo(Duration.ofMillis(4000));
    }

    @Test
    void shouldWaitAsLongAsRetryAfterAsksUpToTheMaximum() {
        Backoff b = new Backoff(POLICY, () -> 0.0);

        assertThat(b.delay(1, Optional.of(Duration.ofSeconds(7)))).isEqualTo(Duration.ofSeconds(7));
        assertThat(b.delay(1, Optional.of(Duration.ofHours(2)))).isEqualTo(Duration.ofSeconds(10));
        assertThat(b.delay(4, Optional.of(Duration.ofMillis(1)))).isEqualTo(Duration.ofMillis(4000));
    }

    @Test
    void shouldAllowExactlyMaxAttempts() {
        Backoff b = new Backoff(POLICY, () -> 0.5);

        assertThat(b.another(4)).isTrue();
        assertThat(b.another(5)).isFalse();
        assertThat(new Backoff(new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10)), () -> 0).another(1)).isFalse();
    }
}
