package io.auditkeeper.archiver.index;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a bulk request or item is worth sending again, how long to wait before the next round, and when to give up.
 *
 * <p>Transient: 429 and 5xx, for whole requests and for items; for items also a missing status (0). Whole requests
 * that fail with an I/O error are transient too (the sender decides that, as no status is known). The wait before
 * round {@code n + 1} is {@code initialBackoff * 2^n}, capped at 30 s, plus up to a fifth of it as jitter; after
 * {@code maxRetries} retry rounds the sender gives up.
 */
final class BulkRetryStrategy {
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final int maxRetries;
    private final Duration initialBackoff;

    BulkRetryStrategy(int maxRetries, Duration initialBackoff) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0");
        }
        this.maxRetries = maxRetries;
        this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
    }

    int maxRetries() {
        return maxRetries;
    }

    /** A whole {@code _bulk} request answered with this status may succeed when sent again. */
    static boolean transientRequestStatus(int status) {
        return status == 429 || status >= 500;
    }

    /** An item answered with this status (0: none) may succeed when sent again; any other non-2xx is for good. */
    static boolean transientItemStatus(int status) {
        return status == 429 || status >= 500 || status == 0;
    }

    /** Whether {@code round} retry rounds are all there may be. */
    boolean exhausted(int round) {
        return round >= maxRetries;
    }

    /** The wait before retry round {@code round + 1}. */
    Duration backoff(int round) {
        return backoff(initialBackoff, round);
    }

    /** Sleeps for {@code wait}; an interrupt ends it as an I/O error (the interrupt flag stays set). */
    void backOff(Duration wait) throws InterruptedIOException {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while backing off");
        }
    }

    static Duration backoff(Duration initial, int round) {
        long base = initial.toMillis() << Math.min(round, 20);
        long capped = Math.min(Math.max(base, 0), MAX_BACKOFF.toMillis());
        long jitter = capped <= 0 ? 0 : ThreadLocalRandom.current().nextLong(capped / 5 + 1);
        return Duration.ofMillis(capped + jitter);
    }
}
