package io.auditkeeper.streams.rules;

import io.auditkeeper.model.NormalizedEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@link PhiAccessClassifier} found for one event.
 *
 * @param phiNamespace whether the request's namespace is a PHI namespace, or the request reaches into PHI namespaces
 * @param matched      the rules that matched, in rule-file order
 */
public record Classification(boolean phiNamespace, List<Rule> matched) {

    static final Classification NOT_PHI_UNFLAGGED = new Classification(false, List.of());
    static final Classification PHI_UNFLAGGED = new Classification(true, List.of());

    public Classification {
        matched = List.copyOf(matched);
    }

    /** Whether any rule matched. */
    public boolean flagged() {
        return !matched.isEmpty();
    }

    /** The ids of the matched rules, in rule-file order. */
    public List<String> ruleIds() {
        List<String> ids = new ArrayList<>(matched.size());
        for (Rule r : matched) {
            ids.add(r.id());
        }
        return List.copyOf(ids);
    }

    /** The highest severity among the matched rules; empty when none matched. */
    public Optional<Severity> maxSeverity() {
        Severity max = null;
        for (Rule r : matched) {
            if (max == null || r.severity().compareTo(max) > 0) {
                max = r.severity();
            }
        }
        return Optional.ofNullable(max);
    }

    /**
     * The {@code phi} field of the normalized record (docs/schema.md): {@code rules} and {@code severity} are absent
     * (null) when nothing matched.
     */
    public NormalizedEvent.Phi toPhi() {
        if (!flagged()) {
            return new NormalizedEvent.Phi(phiNamespace, false, null, null);
        }
        return new NormalizedEvent.Phi(phiNamespace, true, ruleIds(), maxSeverity().map(Severity::code).orElseThrow());
    }
}
