package io.auditkeeper.evidence.manifest;

import java.util.List;

/**
 * The outcome of verifying one partition's chain: every problem found, in chain order, the leftovers found next to it
 * (explained, not problems: {@link Leftover}), and the range covered. {@code firstOffset}/{@code lastOffset} are those
 * of the first and last entry given, -1 for an empty chain.
 */
public record VerificationReport(List<Problem> problems, List<Leftover> leftovers, int entriesChecked,
                                 long firstOffset, long lastOffset) {

    public VerificationReport {
        problems = List.copyOf(problems);
        leftovers = List.copyOf(leftovers);
    }

    /** A report without leftovers. */
    public VerificationReport(List<Problem> problems, int entriesChecked, long firstOffset, long lastOffset) {
        this(problems, List.of(), entriesChecked, firstOffset, lastOffset);
    }

    /** True when nothing is wrong; leftovers are not wrong. */
    public boolean ok() {
        return problems.isEmpty();
    }
}
