package io.auditkeeper.model;

import java.time.LocalDate;
import java.time.YearMonth;

/**
 * Reads, by position, the one shape of timestamp nearly every event carries: RFC 3339 in UTC,
 * {@code yyyy-MM-ddTHH:mm:ss[.f]Z} with 0 to 9 digits of fraction (the apiserver writes 6, {@code
 * auditkeeper.received-at} 3). java.time's parser costs microseconds per call, and the stream-processor and the
 * indexer would run it several times on every event; anything of another shape is left to it ({@link #NOT_UTC}).
 * Shared so that the stream-processor and the indexer read the same strings the same way.
 */
public final class UtcTimestamp {
    /** What {@link #fractionDigits} answers for a string of another shape, or not a valid date and time. */
    public static final int NOT_UTC = -1;

    private UtcTimestamp() {
    }

    /**
     * The number of fraction digits (0 to 9) of a valid date and time written {@code yyyy-MM-ddTHH:mm:ss[.f]Z}, year 1
     * to 9999; {@link #NOT_UTC} for anything else.
     */
    public static int fractionDigits(String s) {
        if (s == null) {
            return NOT_UTC;
        }
        int n = s.length();
        if (n < 20 || n == 21 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
                || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':' || (n > 20 && s.charAt(19) != '.')) {
            return NOT_UTC;
        }
        for (int i = 0; i < n - 1; i++) {
            char c = s.charAt(i);
            if ((i == 4 || i == 7 || i == 10 || i == 13 || i == 16 || i == 19) != (c < '0' || c > '9')) {
                return NOT_UTC;
            }
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        boolean valid = year >= 1 && month >= 1 && month <= 12 && day >= 1
                && day <= YearMonth.of(year, month).lengthOfMonth()
                && digits(s, 11, 13) <= 23 && digits(s, 14, 16) <= 59 && digits(s, 17, 19) <= 59;
        return valid ? Math.max(0, n - 21) : NOT_UTC;
    }

    /** The date of a string {@link #fractionDigits} accepted. */
    public static LocalDate date(String s) {
        return LocalDate.of(digits(s, 0, 4), digits(s, 5, 7), digits(s, 8, 10));
    }

    /** The decimal number written in {@code s} from {@code from} to {@code to} (digits only, as checked). */
    public static int digits(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n = n * 10 + (s.charAt(i) - '0');
        }
        return n;
    }
}
