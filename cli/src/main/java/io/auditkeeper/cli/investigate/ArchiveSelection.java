package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.ManifestEntry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which archived objects a replay of a period reads, and in which order: the objects whose manifest entries' event
 * times overlap the period, partition by partition and in offset order within a partition, so that a replay gives the
 * events of each partition in the order Kafka had them. Each selected object keeps the entry before it in its chain,
 * because the object is only emitted once its entry is shown to link to that one. Pure, so that the choice can be
 * tested without S3.
 */
final class ArchiveSelection {
    private ArchiveSelection() {
    }

    /** An entry to replay and the entry before it in its partition's chain (null for the first of the chain). */
    record Selected(ManifestEntry entry, ManifestEntry previous) {
        /** The {@code previousHash} the entry must carry. */
        String expectedPreviousHash() {
            return previous == null ? ManifestEntry.GENESIS : previous.hash();
        }
    }

    /**
     * @param chains every entry of each partition, in any order (sorted here by first offset)
     */
    static List<Selected> select(Map<Integer, List<ManifestEntry>> chains, TimeWindow window) {
        List<Selected> out = new ArrayList<>();
        for (Map.Entry<Integer, List<ManifestEntry>> chain : new TreeMap<>(chains).entrySet()) {
            List<ManifestEntry> ordered = new ArrayList<>(chain.getValue());
            ordered.sort(Comparator.comparingLong(ManifestEntry::firstOffset).thenComparingLong(ManifestEntry::lastOffset));
            ManifestEntry previous = null;
            for (ManifestEntry entry : ordered) {
                if (overlaps(window, entry)) {
                    out.add(new Selected(entry, previous));
                }
                previous = entry;
            }
        }
        return out;
    }

    /** An entry whose times cannot be read is selected: its verification then says what is wrong with it. */
    static boolean overlaps(TimeWindow window, ManifestEntry entry) {
        return window.overlaps(ArchiveVerification.instant(entry.firstEventTime()),
                ArchiveVerification.instant(entry.lastEventTime()));
    }
}
