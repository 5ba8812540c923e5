package io.auditkeeper.notifier.deliver;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which answers are worth another attempt, as webhooks, Slack and PagerDuty document them: 2xx is delivered; 408,
 * 429 and 5xx are retried (429 and 503 after their {@code Retry-After}, seconds or an HTTP date); any other status
 * (400 invalid payload, 401/403 a wrong secret, 404/410 a deleted hook, a redirect: the URL is wrong) is refused for
 * good, since sending the same request again gets the same answer. No answer at all (timeout, refused or reset
 * connection, a TLS handshake that failed, an untrusted certificate included) is retried: it may be passing.
 */
public final class ResponseClassifier {
    private ResponseClassifier() {
    }

    /**
     * @param body up to a few hundred characters of the answer, which a receiver uses for the reason (Slack's
     *             {@code invalid_payload}); kept in the dead letter's detail
     */
    public static DeliveryOutcome classify(int status, Optional<String> retryAfter, String body, Instant now) {
        if (status >= 200 && status < 300) {
            return new DeliveryOutcome.Delivered(status);
        }
        String detail = "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + printable(body));
        if (status == 408 || status == 429 || status >= 500) {
            return new DeliveryOutcome.Retryable(OptionalInt.of(status), "http-" + status, detail,
                    retryAfter.flatMap(v -> retryAfter(v, now)));
        }
        return new DeliveryOutcome.Permanent(OptionalInt.of(status), "http-" + status, detail);
    }

    /** An attempt that got no answer. */
    public static DeliveryOutcome classify(IOException e) {
        String cause;
        String detail;
        if (isTls(e)) {
            cause = "tls";
            detail = "TLS handshake failed (is the receiver's certificate trusted? see ca-file): " + message(tlsCause(e));
        } else if (e instanceof HttpConnectTimeoutException) {
            cause = "timeout";
            detail = "connect timed out";
        } else if (e instanceof HttpTimeoutException) {
            cause = "timeout";
            detail = "no answer within request-timeout-ms";
        } else if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
            cause = "connection";
            detail = "connection refused or unreachable";
        } else {
            cause = "connection";
            detail = "connection failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + message(e));
        }
        return new DeliveryOutcome.Retryable(OptionalInt.empty(), cause, detail, Optional.empty());
    }

    /** Seconds ({@code 120}) or an HTTP date; empty when it is neither or already past. */
    static Optional<Duration> retryAfter(String value, Instant now) {
        String v = value.strip();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return at.isAfter(now) ? Optional.of(Duration.between(now, at)) : Optional.empty();
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private static boolean isTls(Throwable e) {
        return tlsCause(e) != null;
    }

    private static Throwable tlsCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return t;
            }
        }
        return null;
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : printable(m);
    }

    /** At most 200 characters, one line, so a detail stays a detail. */
    static String printable(String s) {
        String one = s.replaceAll("[\\p{Cntrl}]+", " ").strip();
        return one.length() <= 200 ? one : one.substring(0, 199) + "…";
    }
}
