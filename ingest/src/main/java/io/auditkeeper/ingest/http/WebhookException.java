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
}
