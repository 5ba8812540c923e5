package io.auditkeeper.opensearch.schema;

import io.auditkeeper.model.UtcTimestamp;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Optional;

/**
 * The names of the events' daily indices, shared by the archiver's indexer (which writes the hot indices) and
 * {@code auditkeeper rehydrate} and {@code report} (which write and read the rehydrated ones): both must put an event of
 * a day into an index of that day's name, or a report could not tell which days OpenSearch holds.
 *
 * <p>The index is {@code <prefix>-yyyy.MM.dd} of the UTC day of the event's {@code timestamp}, falling back to
 * {@code receivedAt}, and {@code <prefix>-undated} when neither is there or readable.
 */
public final class EventIndexNames {
    /** The hot indices' prefix, which is also their alias. */
    public static final String HOT_PREFIX = "audit-events";
    /** The prefix of the indices {@code rehydrate} fills from the archive. */
    public static final String REHYDRATED_PREFIX = "audit-rehydrated-events";
    public static final String UNDATED_SUFFIX = "undated";

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu.MM.dd")
            .withResolverStyle(ResolverStyle.STRICT);

    private EventIndexNames() {
    }

    /**
     * {@code <prefix>-yyyy.MM.dd} of the UTC day of {@code timestamp}, else of {@code receivedAt}, else
     * {@code <prefix>-undated}. A value that is not RFC 3339 counts as absent.
     */
    public static String indexName(String prefix, String timestamp, String receivedAt) {
        Optional<LocalDate> day = utcDay(timestamp).or(() -> utcDay(receivedAt));
        return day.map(d -> daily(prefix, d)).orElse(prefix + "-" + UNDATED_SUFFIX);
    }

    /** The daily index of {@code day} under the prefix. */
    public static String daily(String prefix, LocalDate day) {
        return prefix + "-" + DAY.format(day);
    }

    /** The day of a daily index of the prefix; empty for any other name (another prefix, {@code -undated}). */
    public static Optional<LocalDate> day(String prefix, String index) {
        String head = prefix + "-";
        if (!index.startsWith(head) || index.length() != head.length() + 10) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(index.substring(head.length()), DAY));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<LocalDate> utcDay(String rfc3339) {
        if (rfc3339 == null || rfc3339.isEmpty()) {
            return Optional.empty();
        }
        if (UtcTimestamp.fractionDigits(rfc3339) != UtcTimestamp.NOT_UTC) {
            return Optional.of(UtcTimestamp.date(rfc3339));
        }
        try {
            return Optional.of(OffsetDateTime.parse(rfc3339).withOffsetSameInstant(ZoneOffset.UTC).toLocalDate());
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }
}
