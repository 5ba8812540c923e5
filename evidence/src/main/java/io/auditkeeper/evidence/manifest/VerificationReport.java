package io.auditkeeper.evidence.manifest;

import java.util.List;

/**
 * The outcome of verifying one partition's chain: every problem found, in chain order, and the range covered.
 * {@code firstOffset}/{@code lastOffset} are those of the first and last entry given, -1 for an empty chain.
 */
public record VerificationReport(List<Problem> problems, int entriesChecked, long firstOffset, long lastOffset) {

    public VerificationReport {
        problems = List.copyOf(problems);
    }

    /** True when nothing is wrong. */
    public boolean ok() {
        return problems.isEmpty();
    }
}
