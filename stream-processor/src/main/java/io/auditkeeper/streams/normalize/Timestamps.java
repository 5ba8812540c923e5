package io.auditkeeper.streams.normalize;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
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
        if (isNormalForm(s)) {
            return s;
        }
        Instant i = parse(s);
        return i == null ? null : OUT.format(i);
    }

    /**
     * Whether {@code s} is already {@code yyyy-MM-ddTHH:mm:ss.SSSSSSZ} and a valid date and time, as the apiserver
     * writes it: checked by position, which is many times cheaper than parsing and formatting, for nearly every event.
     */
    static boolean isNormalForm(String s) {
        if (s == null || s.length() != 27 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(19) != '.' || s.charAt(26) != 'Z') {
            return false;
        }
        for (int i = 0; i < 26; i++) {
            char c = s.charAt(i);
            if ((i == 4 || i == 7 || i == 10 || i == 13 || i == 16 || i == 19) != (c < '0' || c > '9')) {
                return false;
            }
        }
        int year = number(s, 0, 4);
        int month = number(s, 5, 7);
        int day = number(s, 8, 10);
        return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= YearMonth.of(year, month).lengthOfMonth()
                && number(s, 11, 13) <= 23 && number(s, 14, 16) <= 59 && number(s, 17, 19) <= 59;
    }

    private static int number(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n = n * 10 + (s.charAt(i) - '0');
        }
        return n;
    }

    /**
     * The epoch milliseconds of a timestamp in any form {@link #parse} reads, or {@link RawRecordContext#UNKNOWN}: the
     * apiserver's form read by position (nearly every event), without building an {@link Instant}.
     */
    public static long epochMillis(String s) {
        if (isNormalForm(s)) {
            long days = java.time.LocalDate.of(number(s, 0, 4), number(s, 5, 7), number(s, 8, 10)).toEpochDay();
            long seconds = days * 86_400 + number(s, 11, 13) * 3_600L + number(s, 14, 16) * 60L + number(s, 17, 19);
            return seconds * 1000 + number(s, 20, 23);
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
