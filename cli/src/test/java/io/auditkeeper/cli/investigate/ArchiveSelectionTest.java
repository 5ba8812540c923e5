package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.ManifestEntry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ArchiveSelectionTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    /** An entry of offsets {@code first-last} whose events are from minute {@code fromMin} to minute {@code toMin}. */
    private static ManifestEntry entry(int partition, long first, long last, int fromMin, int toMin) {
        return ManifestEntry.unsigned("audit.events", partition, first, last, (int) (last - first + 1),
                T0.plusSeconds(60L * fromMin), T0.plusSeconds(60L * toMin), "events/p" + partition + "/" + first,
                "v" + first, "0".repeat(64), ManifestEntry.GENESIS, "COMPLIANCE", T0.plusSeconds(86_400), "ab".repeat(32));
    }

    private static List<String> keys(List<ArchiveSelection.Selected> selected) {
        return selected.stream().map(s -> s.entry().key()).toList();
    }

    @Test
    void shouldSelectOnlyEntriesWhoseEventTimesOverlapThePeriodWhenBounded() {
        ManifestEntry before = entry(0, 0, 9, 0, 9);
        ManifestEntry touchingStart = entry(0, 10, 19, 10, 20);
        ManifestEntry inside = entry(0, 20, 29, 21, 25);
        ManifestEntry atEnd = entry(0, 30, 39, 30, 39);
        // [10:20, 10:30): the end is exclusive, the entry's last event time inclusive
        TimeWindow window = new TimeWindow(T0.plusSeconds(20 * 60), T0.plusSeconds(30 * 60));

        List<ArchiveSelection.Selected> selected = ArchiveSelection.select(
                Map.of(0, List.of(before, touchingStart, inside, atEnd)), window);

        assertThat(keys(selected)).containsExactly(touchingStart.key(), inside.key());
    }

    @Test
    void shouldOrderByPartitionThenOffsetWhenChainsAndEntriesComeUnordered() {
        Map<Integer, List<ManifestEntry>> chains = new LinkedHashMap<>();
        chains.put(2, List.of(entry(2, 10, 19, 1, 2), entry(2, 0, 9, 0, 1)));
        chains.put(0, List.of(entry(0, 5, 9, 3, 4), entry(0, 0, 4, 0, 2)));

        List<ArchiveSelection.Selected> selected = ArchiveSelection.select(chains, TimeWindow.ALL);

        assertThat(keys(selected)).containsExactly("events/p0/0", "events/p0/5", "events/p2/0", "events/p2/10");
    }

    @Test
    void shouldKeepTheEntryBeforeInTheChainWhenThatEntryIsOutsideThePeriod() {
        ManifestEntry first = entry(1, 0, 9, 0, 9);
        ManifestEntry second = entry(1, 10, 19, 10, 19);
        TimeWindow window = new TimeWindow(T0.plusSeconds(15 * 60), T0.plusSeconds(16 * 60));

        List<ArchiveSelection.Selected> selected = ArchiveSelection.select(Map.of(1, List.of(second, first)), window);

        assertThat(selected).hasSize(1);
        assertThat(selected.get(0).previous()).isEqualTo(first);
        assertThat(selected.get(0).expectedPreviousHash()).isEqualTo(first.hash());
    }

    @Test
    void shouldAnchorTheFirstEntryOfAChainOnGenesisWhenItIsSelected() {
        List<ArchiveSelection.Selected> selected = ArchiveSelection.select(Map.of(0, List.of(entry(0, 0, 9, 0, 9))),
                TimeWindow.ALL);

        assertThat(selected.get(0).previous()).isNull();
        assertThat(selected.get(0).expectedPreviousHash()).isEqualTo(ManifestEntry.GENESIS);
    }

    @Test
    void shouldSelectAnEntryWhoseTimesCannotBeReadWhenThePeriodIsBounded() {
        ManifestEntry unreadable = new ManifestEntry(1, "audit.events", 0, 0, 9, 10, "garbled", "garbled", "events/x",
                "v", "0".repeat(64), ManifestEntry.GENESIS, "COMPLIANCE", T0.toString(), null);

        List<ArchiveSelection.Selected> selected = ArchiveSelection.select(Map.of(0, List.of(unreadable)),
                TimeWindow.parse("2020-01-01", "2020-01-01"));

        assertThat(keys(selected)).containsExactly("events/x");
    }
}
