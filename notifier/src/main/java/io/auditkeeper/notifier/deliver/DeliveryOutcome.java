package io.auditkeeper.notifier.deliver;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What one attempt came to: the receiver took it (2xx), it may take it later (retry, after at least
 * {@code retryAfter} when the receiver said so), or it never will (a dead letter now). {@code cause} is a short,
 * bounded code for metrics and logs ({@code http-503}, {@code timeout}, {@code connection}, {@code tls});
 * {@code detail} says what happened without a URL or a secret.
 */
public sealed interface DeliveryOutcome {
    OptionalInt status();

    String cause();

    record Delivered(int code) implements DeliveryOutcome {
        @Override
        public OptionalInt status() {
            return OptionalInt.of(code);
        }

        @Override
        public String cause() {
            return "http-" + code;
        }
    }

    record Retryable(OptionalInt status, String cause, String detail, Optional<Duration> retryAfter) implements DeliveryOutcome {
    }

    record Permanent(OptionalInt status, String cause, String detail) implements DeliveryOutcome {
    }
}
