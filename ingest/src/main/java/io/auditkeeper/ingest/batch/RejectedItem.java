package io.auditkeeper.ingest.batch;

import io.auditkeeper.model.DeadLetterReason;

/** An item of a good batch that is not a usable event; its bytes go to the dead-letter topic with the reason. */
public record RejectedItem(int offset, int length, DeadLetterReason reason, String detail, String auditId) {
}
