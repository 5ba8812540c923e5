package io.auditkeeper.demo;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Timestamps as the kube-apiserver writes them ({@code metav1.MicroTime}: RFC 3339 in UTC with exactly six digits of
 * fraction), for the traffic the bench and the soak send. {@link Instant#toString()} would not do: on Linux it has
 * nanoseconds, a form no apiserver sends, which takes the stream-processor's slow path for timestamps and would charge
 * the pipeline, in a benchmark, for work it does not do in production.
 */
public final class ApiserverClock {
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private ApiserverClock() {
    }

    /** Now, as the apiserver would stamp an event. */
    public static String now() {
        return format(Instant.now());
    }

    /** {@code instant} as the apiserver writes it (truncated to the microsecond). */
    public static String format(Instant instant) {
        return MICRO_TIME.format(instant);
    }
}
