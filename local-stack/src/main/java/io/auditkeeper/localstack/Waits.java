package io.auditkeeper.localstack;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Polling with a deadline and a pause between looks, for the servers here (which offer no callback for "ready" or
 * "gone") and for tests waiting on a gauge, a port or a count: a test never spins on a condition, which would take a
 * core from the server under test.
 */
public final class Waits {
    private Waits() { }

    /** Returns true as soon as the condition holds, false once the timeout has passed without it holding. */
    public static boolean until(Duration timeout, Duration interval, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Math.max(1, Math.min(interval.toMillis(), left / 1_000_000)));
        }
    }
}
