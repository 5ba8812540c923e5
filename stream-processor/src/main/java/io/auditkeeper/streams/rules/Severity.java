package io.auditkeeper.streams.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.Optional;

/** How much a matched rule matters, lowest first. Written in lowercase in rule files and in records. */
public enum Severity {
    LOW, MEDIUM, HIGH, CRITICAL;

    private final String code = name().toLowerCase(Locale.ROOT);

    /** The lowercase name used in rule files and in {@code phi.severity}: {@code low}, {@code medium}, ... */
    @JsonValue
    public String code() {
        return code;
    }

    /** The severity named {@code code} (any case), or empty. */
    public static Optional<Severity> fromCode(String code) {
        if (code == null) {
            return Optional.empty();
        }
        for (Severity s : values()) {
            if (s.code.equalsIgnoreCase(code.strip())) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    @JsonCreator
    static Severity parse(String code) {
        return fromCode(code).orElseThrow(() -> new IllegalArgumentException("unknown severity '" + code + "'"));
    }
}
