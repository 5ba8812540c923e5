package io.auditkeeper.ingest.pubsub;

/** A push body that is not a push envelope holding a GKE audit {@code LogEntry}; the message never quotes it. */
public final class InvalidPushException extends Exception {
    public InvalidPushException(String message) {
        super(message, null, false, false);
    }
}
