package io.auditkeeper.cli.investigate;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A half-open period {@code [from, to)} given on the command line as ISO instants or dates. A date stands for its
 * whole UTC day on both ends, so {@code --from 2026-03-01 --to 2026-03-31} is the whole of March, as an investigator
 * means it; an instant is taken as it is.
 */
public record TimeWindow(Instant from, Instant to) {
    /** Everything: from the epoch to the end of representable time. */
    public static final TimeWindow ALL = new TimeWindow(Instant.EPOCH, Instant.MAX);

    public TimeWindow {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("--from " + from + " is not before --to " + to);
        }
    }

    /** Parses the two options; null means unbounded on that side. */
    public static TimeWindow parse(String from, String to) {
        Instant start = from == null ? Instant.EPOCH : parse(from, false);
        Instant end = to == null ? Instant.MAX : parse(to, true);
        return new TimeWindow(start, end);
    }

    /** True when {@code [first, last]} (inclusive event times) overlaps this window; null times overlap everything. */
    public boolean overlaps(Instant first, Instant last) {
        return (last == null || !last.isBefore(from)) && (first == null || first.isBefore(to));
    }

    public boolean contains(Instant t) {
        return !t.isBefore(from) && t.isBefore(to);
    }

    public boolean bounded() {
        return !from.equals(Instant.EPOCH) || !to.equals(Instant.MAX);
    }

    private static Instant parse(String text, boolean end) {
        try {
            if (text.length() == 10) {
                LocalDate day = LocalDate.parse(text);
                return (end ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + text + "' is neither an ISO date (2026-03-01) nor an ISO instant"
                    + " (2026-03-01T08:00:00Z)");
        }
    }

    @Override
    public String toString() {
        return (from.equals(Instant.EPOCH) ? "the beginning" : from.toString()) + " to "
                + (to.equals(Instant.MAX) ? "now" : to.toString());
    }
}
