package io.auditkeeper.ingest.pubsub;

/** A push body that is not a push envelope holding a GKE audit {@code LogEntry}; the message never quotes it. */
public final class InvalidPushException extends Exception {
    private final String messageId;

    public InvalidPushException(String message) {
        this(null, message);
    }

    /** @param messageId the push's message id when it was read, for the logs; else null */
    public InvalidPushException(String messageId, String message) {
        super(message, null, false, false);
        this.messageId = messageId;
    }

    public String messageId() {
        return messageId;
    }
}
