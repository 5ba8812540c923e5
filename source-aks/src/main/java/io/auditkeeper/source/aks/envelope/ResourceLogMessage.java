package io.auditkeeper.source.aks.envelope;

import io.auditkeeper.model.DeadLetterReason;

import java.util.List;

/**
 * What one Event Hubs message held: the audit Events to write to the raw topic, the records that go to the
 * dead-letter topic, and how many records of other categories were passed over. The parts keep the order of the
 * message's {@code records}.
 */
public record ResourceLogMessage(List<AuditRecord> events, List<Rejected> rejected, List<String> skippedCategories) {

    public ResourceLogMessage {
        events = List.copyOf(events);
        rejected = List.copyOf(rejected);
        skippedCategories = List.copyOf(skippedCategories);
    }

    /**
     * One audit Event: its cluster, auditID, and its bytes exactly as {@code properties.log} held them, without the
     * log line's trailing newline.
     */
    public record AuditRecord(int index, String cluster, String auditID, String stage, byte[] event) {
    }

    /**
     * Something that could not be used: the whole message ({@code index} -1) or its record {@code index}, with the bytes
     * to keep (the message as received, or that record as JSON) and a detail that never quotes them.
     */
    public record Rejected(int index, DeadLetterReason reason, String detail, byte[] content) {
    }
}
