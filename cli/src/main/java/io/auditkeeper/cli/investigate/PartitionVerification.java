package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.Leftover;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.Problem;

import java.util.List;

/**
 * What {@code verify} found for one partition in the period: the entries it checked (so a summary can say how much of
 * the record was examined, not only that nothing was wrong), every problem the verifier named, and the leftovers it
 * explained (what an archiver that lost the partition left behind: not problems).
 *
 * @param entries the manifest entries in the period, in chain order
 */
public record PartitionVerification(String topic, int partition, List<ManifestEntry> entries, List<Problem> problems,
                                    List<Leftover> leftovers) {
    public PartitionVerification {
        entries = List.copyOf(entries);
        problems = List.copyOf(problems);
        leftovers = List.copyOf(leftovers);
    }

    /** Without leftovers. */
    public PartitionVerification(String topic, int partition, List<ManifestEntry> entries, List<Problem> problems) {
        this(topic, partition, entries, problems, List.of());
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    public long events() {
        return entries.stream().mapToLong(ManifestEntry::count).sum();
    }

    public long firstOffset() {
        return entries.isEmpty() ? -1 : entries.get(0).firstOffset();
    }

    public long lastOffset() {
        return entries.isEmpty() ? -1 : entries.get(entries.size() - 1).lastOffset();
    }

    public String firstEventTime() {
        return entries.isEmpty() ? null : entries.get(0).firstEventTime();
    }

    public String lastEventTime() {
        return entries.isEmpty() ? null : entries.get(entries.size() - 1).lastEventTime();
    }
}
