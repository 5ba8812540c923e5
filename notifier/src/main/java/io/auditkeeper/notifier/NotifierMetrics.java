package io.auditkeeper.notifier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * The notifier's meters, {@code auditkeeper_notifier_*} on {@code /metrics}, per receiver: what was delivered and what
 * went to the dead-letter topic, the retries and their causes, how long a delivery took (retries included), and what
 * was passed over by the receiver's filters. Labels are the receiver's name (from the config) and bounded codes.
 */
public final class NotifierMetrics {
    public static final String DELIVERED = "delivered";
    public static final String DEAD_LETTERED = "dead-lettered";

    private final MeterRegistry registry;

    public NotifierMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers a receiver's counters at 0, so that its series exist from the start. */
    void register(String receiver) {
        deliveries(receiver, DELIVERED);
        deliveries(receiver, DEAD_LETTERED);
        latency(receiver);
        skipped(receiver);
    }

    void delivered(String receiver, Duration took) {
        deliveries(receiver, DELIVERED).increment();
        latency(receiver).record(took);
    }

    void deadLettered(String receiver, String cause) {
        deliveries(receiver, DEAD_LETTERED).increment();
        Counter.builder("auditkeeper_notifier_dead_letters").description("alerts written to the dead-letter topic, by cause")
                .tag("receiver", receiver).tag("cause", cause).register(registry).increment();
    }

    void retried(String receiver, String cause) {
        Counter.builder("auditkeeper_notifier_retries").description("failed attempts followed by another, by cause")
                .tag("receiver", receiver).tag("cause", cause).register(registry).increment();
    }

    void passedOver(String receiver) {
        skipped(receiver).increment();
    }

    void deadLetterWriteFailed(String receiver) {
        Counter.builder("auditkeeper_notifier_dead_letter_write_failures")
                .description("writes to the dead-letter topic that failed and were tried again")
                .tag("receiver", receiver).register(registry).increment();
    }

    private Counter deliveries(String receiver, String outcome) {
        return Counter.builder("auditkeeper_notifier_deliveries")
                .description("alerts done with: delivered (2xx) or dead-lettered").tag("receiver", receiver)
                .tag("outcome", outcome).register(registry);
    }

    private Counter skipped(String receiver) {
        return Counter.builder("auditkeeper_notifier_passed_over")
                .description("records below the receiver's min-severity, not sent").tag("receiver", receiver).register(registry);
    }

    private Timer latency(String receiver) {
        return Timer.builder("auditkeeper_notifier_delivery")
                .description("from the first attempt to the 2xx answer, retries included").tag("receiver", receiver)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofMinutes(30)).register(registry);
    }
}
