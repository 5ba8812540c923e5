package io.auditkeeper.ingest.batch;

import io.auditkeeper.model.DeadLetterReason;

/**
 * The body as a whole is not an EventList (bad JSON, or JSON of another shape). The detail says where and what, but
 * never quotes the content: it is returned to the client and stored in a header.
 */
public final class InvalidBatchException extends Exception {
    private final DeadLetterReason reason;

    public InvalidBatchException(DeadLetterReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
