package io.auditkeeper.model;

/**
 * Why a record went to the dead-letter topic. The code is what the {@link AuditHeaders#DLQ_REASON} header holds,
 * stable so that alerts and replays can filter on it.
 */
public enum DeadLetterReason {
    /** The request body was not valid JSON (or not valid gzip); the record holds the body as received. */
    MALFORMED_JSON("malformed-json"),
    /** The body claimed {@code Content-Encoding: gzip} but did not decompress; the record holds the bytes as received. */
    BAD_CONTENT_ENCODING("bad-content-encoding"),
    /** The body was JSON but not an {@code audit.k8s.io} EventList. */
    NOT_AN_EVENT_LIST("not-an-event-list"),
    /** An item of {@code items} was not a JSON object. */
    NOT_AN_OBJECT("not-an-object"),
    /** An event without a non-empty string {@code auditID}. */
    MISSING_AUDIT_ID("missing-audit-id"),
    /** An event without a non-empty string {@code stage}. */
    MISSING_STAGE("missing-stage");

    private final String code;

    DeadLetterReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
