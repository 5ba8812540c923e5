package io.auditkeeper.model;

/**
 * Which service wrote a dead-letter record: what its {@link AuditHeaders#DLQ_SOURCE} header holds. Like the
 * {@link DeadLetterReason} codes, the names are a stable format that archived dead letters and the documentation rely on.
 */
public enum DeadLetterSource {
    /** Bodies and items refused by the webhook, as received. */
    INGEST("ingest"),
    /** Raw records that could not be processed, redacted where they parsed as a JSON object. */
    STREAM_PROCESSOR("stream-processor"),
    /** Normalized events OpenSearch refused for good (already redacted). */
    ARCHIVER("archiver"),
    /**
     * Event Hubs messages and records the AKS source could not use, as received (they may hold secret values, so the
     * dead-letter archive keeps only their hash, as for ingest's).
     */
    SOURCE_AKS("source-aks"),
    /** Alerts and flagged requests a receiver of the notifier did not take, as read from their topic. */
    NOTIFIER("notifier");

    private final String code;

    DeadLetterSource(String code) {
        this.code = code;
    }

    /** The name on the wire ({@link AuditHeaders#DLQ_SOURCE}). */
    public String code() {
        return code;
    }
}
