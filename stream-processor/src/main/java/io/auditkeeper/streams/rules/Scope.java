package io.auditkeeper.streams.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Optional;

/**
 * Where a rule applies. {@link #PHI} (the default): only to requests whose namespace is a PHI namespace or that reach
 * into PHI namespaces (see {@link PhiAccessClassifier}). {@link #PHI_OR_CLUSTER}: those, and requests on cluster-scoped
 * objects (no namespace), while any PHI namespace is configured: a ClusterRole is never in a namespace, yet aggregated
 * into {@code admin} or bound by a RoleBinding it grants inside the PHI namespaces. {@link #ANY}: to every request,
 * PHI or not.
 */
public enum Scope {
    PHI("phi"), PHI_OR_CLUSTER("phi-or-cluster"), ANY("any");

    private final String code;

    Scope(String code) {
        this.code = code;
    }

    /** The lowercase name used in rule files: {@code phi}, {@code phi-or-cluster} or {@code any}. */
    @JsonValue
    public String code() {
        return code;
    }

    /** The scope named {@code code} (any case), or empty. */
    public static Optional<Scope> fromCode(String code) {
        if (code == null) {
            return Optional.empty();
        }
        for (Scope s : values()) {
            if (s.code.equalsIgnoreCase(code.strip())) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    @JsonCreator
    static Scope parse(String code) {
        return fromCode(code).orElseThrow(() -> new IllegalArgumentException("unknown scope '" + code + "'"));
    }
}
