package io.auditkeeper.demo.soak;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the kube-apiserver's audit webhook does with an answer, as {@code DefaultShouldRetry} in
 * {@code k8s.io/apiserver/pkg/util/webhook} decides it: the batch is sent again after a connection error (reset,
 * refused, timeout), a 500, a 504, a 429, or any answer carrying {@code Retry-After}; every other answer drops the
 * whole batch. The soak's apiserver follows this and nothing kinder, so a batch ingest answered wrongly is counted as
 * lost by the client, not quietly resent.
 *
 * <p>Failures without an answer follow the same function: only a reset connection ({@code ECONNRESET}) is retried. A
 * refused connection, a connection closed before the answer (Go's client sees {@code EOF}, and does not replay a
 * POST), and the webhook's own timeout drop the batch. Those are losses no server can prevent: they are counted
 * apart, by cause, from the drops an answer caused.
 */
final class RetryContract {
    /** The apiserver's own backoff starts at 10 s ({@code --audit-webhook-initial-backoff}); a soak cannot wait that long. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(8);

    private RetryContract() {
    }

    /** A failure before any answer: what it is called, and whether the apiserver sends the batch again. */
    record Transport(String label, boolean retried) {
    }

    /** How the apiserver's client would see an exception of Java's HTTP client. */
    static Transport transport(java.io.IOException e) {
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return new Transport("connect timeout", false);
        }
        if (e instanceof java.net.ConnectException) {
            return new Transport("connection refused", false);
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return new Transport("timeout", false);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("reset")) {
                return new Transport("connection reset", true);
            }
        }
        return new Transport("closed without an answer", false);
    }

    /** Whether an HTTP answer makes the apiserver send the batch again. */
    static boolean retries(int status, Optional<String> retryAfter) {
        return status == 429 || status == 500 || status == 504 || retryAfter.isPresent();
    }

    /** The wait before the next attempt: the answer's {@code Retry-After} seconds if it has them, else the backoff. */
    static Duration wait(OptionalLong retryAfterSeconds, Duration backoff) {
        if (retryAfterSeconds.isPresent()) {
            return Duration.ofSeconds(Math.min(retryAfterSeconds.getAsLong(), MAX_BACKOFF.toSeconds()));
        }
        return backoff;
    }

    static Duration next(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }

    static OptionalLong seconds(Optional<String> retryAfter) {
        try {
            return retryAfter.map(v -> OptionalLong.of(Long.parseLong(v.trim()))).orElse(OptionalLong.empty());
        } catch (NumberFormatException e) {
            return OptionalLong.empty(); // an HTTP date: the apiserver's client ignores it too, and backs off
        }
    }
}
