package io.auditkeeper.model;

/**
 * Default names of the Kafka topics that connect the services. Every service lets its configuration override them;
 * these are the names the documentation, the demo and the local stack use.
 */
public final class AuditTopics {
    /** The apiserver's event bytes, untouched, keyed by auditID. May hold secret values: tightest access. */
    public static final String RAW = "audit.raw";
    /** Records that could not be processed, with the reason in headers. Nothing is dropped silently. */
    public static final String DEAD_LETTER = "audit.dlq";
    /** Normalized, redacted, flagged events: the record that is archived and indexed. */
    public static final String EVENTS = "audit.events";
    /** One record per request that touched PHI, from its final stage. */
    public static final String PHI_ACCESS = "audit.phi-access";
    /** Detections over time windows. */
    public static final String ALERTS = "audit.alerts";
    /** One signed manifest entry per archived S3 object, published by the archiver for the audit-archive index. */
    public static final String ARCHIVE = "audit.archive";

    private AuditTopics() {
    }
}
