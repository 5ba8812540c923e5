package io.auditkeeper.ingest.firehose;

import io.auditkeeper.model.DeadLetterReason;

/**
 * A Firehose request that cannot be read as a whole: not JSON, not a delivery request, a record that is not base64 of
 * a gzip'd CloudWatch Logs subscription message. It is refused (400) once kept in the dead-letter topic. The detail
 * says what and where (which record), never quoting content: it is returned to Firehose and stored in a header.
 */
public final class InvalidDeliveryException extends Exception {
    private final DeadLetterReason reason;
    private final String error;

    public InvalidDeliveryException(DeadLetterReason reason, String error, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
        this.error = error;
    }

    /** The dead-letter reason of the body. */
    public DeadLetterReason reason() {
        return reason;
    }

    /** The code that opens the answer's {@code errorMessage}. */
    public String error() {
        return error;
    }
}
