package io.auditkeeper.ingest.http;

/**
 * A request the webhook answers with an error status. The error code and message go to the client as JSON; they
 * describe the problem without quoting the request (it may hold PHI), so they are also safe to log.
 */
public final class WebhookException extends Exception {
    private final int status;
    private final String error;
    private final int retryAfterSeconds;

    public WebhookException(int status, String error, String message) {
        this(status, error, message, 0);
    }

    public WebhookException(int status, String error, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() { return status; }
    public String error() { return error; }
    public int retryAfterSeconds() { return retryAfterSeconds; }

    /**
     * The answer when Kafka did not acknowledge a request's records: 503, worth resending. {@code resend} says who
     * resends (the batch, the request) and {@code retryAfterSeconds} (0: no header) when.
     */
    public static WebhookException kafkaUnavailable(Throwable error, String resend, int retryAfterSeconds) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        String what = cause instanceof java.util.concurrent.TimeoutException
                ? "Kafka did not acknowledge the records in time (limits.ack-timeout-ms)"
                : "Kafka refused or failed the write (" + cause.getClass().getSimpleName() + ")";
        String message = what + "; " + resend;
        return retryAfterSeconds > 0 ? new WebhookException(503, "kafka-unavailable", message, retryAfterSeconds)
                : new WebhookException(503, "kafka-unavailable", message);
    }
}
