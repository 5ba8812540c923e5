package io.auditkeeper.ingest.batch;

import io.auditkeeper.model.DeadLetterReason;

/**
 * An item of a good batch that is not a usable event; it goes to the dead-letter topic with the reason. The record's
 * value is the item's bytes, or {@code summary} when it is set: an item too large to forward is kept as its metadata,
 * size and SHA-256 only ({@link EventSummary}), never its content.
 */
public record RejectedItem(int offset, int length, DeadLetterReason reason, String detail, String auditId,
                           byte[] summary) {
    public RejectedItem(int offset, int length, DeadLetterReason reason, String detail, String auditId) {
        this(offset, length, reason, detail, auditId, null);
    }
}
