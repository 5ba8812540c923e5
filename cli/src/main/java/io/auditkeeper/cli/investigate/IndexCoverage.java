package io.auditkeeper.cli.investigate;

import io.auditkeeper.opensearch.schema.EventIndexNames;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which days of a report's period OpenSearch cannot answer for: days that neither a hot daily index nor a rehydrated
 * one holds, and that are older than the oldest hot daily index, so that the hot retention has deleted them. Such a
 * period would otherwise show as empty tables next to "archive verification: OK", which reads as "nothing happened".
 * A day without an index that is not older than the oldest hot one simply had no events, and is not named. Pure: given
 * the index names, so that it is tested without OpenSearch. {@link #archivedOnly} narrows it to the days the archive
 * has events on, so that a period before Audit Keeper ran is not named.
 *
 * @param known   false when no hot daily index of the prefix was found: then nothing can be said
 * @param missing the days not in OpenSearch, oldest first
 */
record IndexCoverage(boolean known, List<LocalDate> missing) {
    IndexCoverage {
        missing = List.copyOf(missing);
    }

    /**
     * @param indices the names of the indices that exist (hot and rehydrated daily indices among them; others are
     *                ignored)
     */
    static IndexCoverage of(TimeWindow window, String hotPrefix, String rehydratedPrefix, Collection<String> indices) {
        TreeSet<LocalDate> hot = new TreeSet<>();
        TreeSet<LocalDate> rehydrated = new TreeSet<>();
        for (String index : indices) {
            EventIndexNames.day(hotPrefix, index).ifPresent(hot::add);
            EventIndexNames.day(rehydratedPrefix, index).ifPresent(rehydrated::add);
        }
        if (hot.isEmpty()) {
            return new IndexCoverage(false, List.of());
        }
        LocalDate oldest = hot.first();
        List<LocalDate> missing = new ArrayList<>();
        for (LocalDate day : days(window)) {
            if (day.isBefore(oldest) && !rehydrated.contains(day)) {
                missing.add(day);
            }
        }
        return new IndexCoverage(true, missing);
    }

    /** The UTC days that {@code [from, to)} touches, oldest first. */
    static List<LocalDate> days(TimeWindow window) {
        LocalDate first = LocalDate.ofInstant(window.from(), ZoneOffset.UTC);
        LocalDate last = LocalDate.ofInstant(window.to().minusNanos(1), ZoneOffset.UTC);
        List<LocalDate> out = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            out.add(d);
        }
        return out;
    }

    /**
     * Only the missing days on which the archive holds events ({@code archived}): a day before Audit Keeper ran, or
     * with nothing archived, is not "not in OpenSearch", it had nothing to index.
     */
    IndexCoverage archivedOnly(Set<LocalDate> archived) {
        return new IndexCoverage(known, missing.stream().filter(archived::contains).toList());
    }

    /** The UTC days of {@code [first, last]} within the window; none when a time is missing. */
    static List<LocalDate> daysOf(TimeWindow window, Instant first, Instant last) {
        if (first == null || last == null || last.isBefore(first)) {
            return List.of();
        }
        Instant from = first.isBefore(window.from()) ? window.from() : first;
        Instant to = last.isBefore(window.to()) ? last.plusNanos(1) : window.to();
        return from.isBefore(to) ? days(new TimeWindow(from, to)) : List.of();
    }

    boolean complete() {
        return missing.isEmpty();
    }

    /** The missing days as ranges of consecutive days: {@code 2025-03-01 to 2025-03-31, 2025-04-03}. */
    String describe() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < missing.size(); ) {
            int j = i;
            while (j + 1 < missing.size() && missing.get(j + 1).equals(missing.get(j).plusDays(1))) {
                j++;
            }
            parts.add(i == j ? missing.get(i).toString() : missing.get(i) + " to " + missing.get(j));
            i = j + 1;
        }
        return String.join(", ", parts);
    }

    /** What to tell the auditor: which days are not searchable, and the command that makes them so. */
    Optional<String> message() {
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("events of " + describe() + " are not in OpenSearch (older than the hot retention);"
                + " the tables from OpenSearch do not cover " + (missing.size() == 1 ? "that day" : "those days")
                + ". Run 'auditkeeper rehydrate --from " + missing.get(0) + " --to " + missing.get(missing.size() - 1)
                + "' to index them from the verified archive, then this report again.");
    }
}
