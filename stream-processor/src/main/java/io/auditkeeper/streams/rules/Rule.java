package io.auditkeeper.streams.rules;

import java.util.List;
import java.util.Objects;

/**
 * One PHI access rule, as a rule file states it. It matches an event when any block of {@link #anyOf} matches and no
 * block of {@link #unless} does, and, for {@link Scope#PHI}, the event is in or reaches into a PHI namespace (for
 * {@link Scope#PHI_OR_CLUSTER}, that or a request on a cluster-scoped object).
 *
 * @param id          stable identifier, recorded in {@code phi.rules}
 * @param description one sentence: what it catches and why it matters for PHI
 * @param severity    how much a match matters
 * @param safeguard   the HIPAA safeguard(s) the rule serves, e.g. {@code 164.312(b) Audit controls}
 * @param scope       {@link Scope#PHI} (default), {@link Scope#PHI_OR_CLUSTER} or {@link Scope#ANY}
 * @param anyOf       the match blocks (a rule file's {@code match:} is one block); at least one
 * @param unless      exception blocks; an event matching any of them is not flagged by this rule (may be empty)
 */
public record Rule(String id, String description, Severity severity, String safeguard, Scope scope,
                   List<Match> anyOf, List<Match> unless) {

    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(safeguard, "safeguard");
        scope = scope == null ? Scope.PHI : scope;
        anyOf = List.copyOf(anyOf);
        if (anyOf.isEmpty()) {
            throw new IllegalArgumentException("rule " + id + " has no match block");
        }
        unless = unless == null ? List.of() : List.copyOf(unless);
    }

    /** A rule without exceptions. */
    public Rule(String id, String description, Severity severity, String safeguard, Scope scope, List<Match> anyOf) {
        this(id, description, severity, safeguard, scope, anyOf, List.of());
    }
}
