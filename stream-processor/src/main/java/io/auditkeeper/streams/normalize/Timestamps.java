package io.auditkeeper.streams.normalize;

import io.auditkeeper.model.UtcTimestamp;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/**
 * Audit timestamps in one form: RFC 3339 in UTC with microseconds, as the apiserver writes them. Also reads the
 * offset form and the space-separated form without zone that some log shippers produce (taken as UTC). A timestamp
 * that none of these read stays out of the normalized fields; the original remains in {@code event}.
 */
public final class Timestamps {
    private static final DateTimeFormatter OUT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SPACED = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();

    private Timestamps() {
    }

    /** The instant, or null if absent or unreadable. */
    public static Instant parse(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return LocalDateTime.parse(s, SPACED).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** RFC 3339 UTC with microseconds, or null if absent or unreadable. */
    public static String normalize(String s) {
        int digits = zuluFractionDigits(s);
        if (digits == 6) {
            return s;
        }
        if (digits >= 0) {
            return microForm(s, digits);
        }
        Instant i = parse(s);
        return i == null ? null : OUT.format(i);
    }

    /**
     * Whether {@code s} is already {@code yyyy-MM-ddTHH:mm:ss.SSSSSSZ} and a valid date and time, as the apiserver
     * writes it: checked by position, which is many times cheaper than parsing and formatting, for nearly every event.
     */
    static boolean isNormalForm(String s) {
        return zuluFractionDigits(s) == 6;
    }

    /** {@link UtcTimestamp#fractionDigits}: the shape read by position, without java.time's parser. */
    static int zuluFractionDigits(String s) {
        return UtcTimestamp.fractionDigits(s);
    }

    /** A valid {@code yyyy-MM-ddTHH:mm:ss[.f]Z} with {@code digits} of fraction, as six: cut or padded with zeros. */
    private static String microForm(String s, int digits) {
        StringBuilder b = new StringBuilder(27).append(s, 0, 19).append('.');
        b.append(s, 20, 20 + Math.min(digits, 6));
        for (int i = digits; i < 6; i++) {
            b.append('0');
        }
        return b.append('Z').toString();
    }

    private static int number(String s, int from, int to) {
        return UtcTimestamp.digits(s, from, to);
    }

    /**
     * The epoch milliseconds of a timestamp in any form {@link #parse} reads, or {@link RawRecordContext#UNKNOWN}: the
     * UTC forms of {@link #zuluFractionDigits} read by position (nearly every event), without building an
     * {@link Instant}.
     */
    public static long epochMillis(String s) {
        int digits = zuluFractionDigits(s);
        if (digits >= 0) {
            long days = UtcTimestamp.date(s).toEpochDay();
            long seconds = days * 86_400 + number(s, 11, 13) * 3_600L + number(s, 14, 16) * 60L + number(s, 17, 19);
            int millis = number(s, 20, 20 + Math.min(digits, 3));
            for (int i = digits; i < 3; i++) {
                millis *= 10;
            }
            return seconds * 1000 + millis;
        }
        Instant i = parse(s);
        if (i == null) {
            return RawRecordContext.UNKNOWN;
        }
        try {
            return i.toEpochMilli();
        } catch (ArithmeticException e) {
            return RawRecordContext.UNKNOWN;
        }
    }

    public static String format(Instant i) {
        return OUT.format(i);
    }
}
