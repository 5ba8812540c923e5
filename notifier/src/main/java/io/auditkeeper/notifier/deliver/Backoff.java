package io.auditkeeper.notifier.deliver;

import io.auditkeeper.notifier.config.ReceiverConfig.RetryPolicy;

import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before the next attempt: exponential from {@code retry.backoff-initial-ms}, doubled per failed
 * attempt up to {@code retry.backoff-max-ms}, with "equal jitter" (between half and all of it, at random), so that
 * many alerts failing at once do not hit a recovering receiver in step; and never shorter than a {@code Retry-After}
 * the receiver asked for, itself capped at the maximum so one answer cannot stall a receiver for hours.
 */
public final class Backoff {
    private final RetryPolicy policy;
    private final DoubleSupplier random;

    public Backoff(RetryPolicy policy, DoubleSupplier random) {
        this.policy = policy;
        this.random = random;
    }

    /** Whether another attempt follows the {@code failedAttempts}-th failure. */
    public boolean another(int failedAttempts) {
        return failedAttempts < policy.maxAttempts();
    }

    /** The wait after the {@code failedAttempts}-th failed attempt (1 after the first). */
    public Duration delay(int failedAttempts, Optional<Duration> retryAfter) {
        long initial = policy.initialBackoff().toMillis();
        long max = policy.maxBackoff().toMillis();
        int shift = Math.min(Math.max(failedAttempts - 1, 0), 40);
        long full = initial > (max >> shift) ? max : Math.min(max, initial << shift);
        long jittered = full / 2 + (long) (random.getAsDouble() * (full - full / 2));
        long asked = retryAfter.map(d -> Math.min(d.toMillis(), max)).orElse(0L);
        return Duration.ofMillis(Math.max(jittered, asked));
    }
}
