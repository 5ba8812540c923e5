package io.auditkeeper.notifier;

import java.util.Locale;
import java.util.Optional;

/**
 * The severities the stream-processor writes (an alert's {@code severity}, a flagged request's {@code phi.severity}),
 * in order, so that a receiver can take only what is at or above its {@code min-severity}. The notifier keeps its own
 * copy of the four names because a service never imports another.
 */
public enum Severity {
    LOW, MEDIUM, HIGH, CRITICAL;

    /** The lowercase name used in alerts, rule files and settings. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Severity> of(String code) {
        if (code == null) {
            return Optional.empty();
        }
        for (Severity s : values()) {
            if (s.code().equalsIgnoreCase(code.strip())) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public boolean atLeast(Severity other) {
        return compareTo(other) >= 0;
    }
}
