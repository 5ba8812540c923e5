package io.auditkeeper.model;

/**
 * Why a record went to the dead-letter topic. The code is what the {@link AuditHeaders#DLQ_REASON} header holds,
 * stable so that alerts and replays can filter on it: archived dead letters and the documentation
 * ({@code docs/operations.md}, "Records in the dead-letter topic") rely on these exact codes, so a code is never
 * renamed, only added. Each service writes only some of them (see {@link DeadLetterSource}).
 */
public enum DeadLetterReason {
    /**
     * ingest: the request body was not valid JSON (or not valid gzip); the record holds the body as received.
     * source-aks: an Event Hubs message was not valid JSON; the record holds the message as received.
     */
    MALFORMED_JSON("malformed-json"),
    /**
     * ingest: the body claimed {@code Content-Encoding: gzip} but did not decompress, or a Firehose record's data was
     * not base64 of gzip; the record holds the bytes as received.
     */
    BAD_CONTENT_ENCODING("bad-content-encoding"),
    /** ingest: the body was JSON but not an {@code audit.k8s.io} EventList. */
    NOT_AN_EVENT_LIST("not-an-event-list"),
    /** ingest: an item of {@code items} was not a JSON object; stream-processor: a raw record's value was not one. */
    NOT_AN_OBJECT("not-an-object"),
    /** ingest, stream-processor, source-aks: an event without a non-empty string {@code auditID}. */
    MISSING_AUDIT_ID("missing-audit-id"),
    /** ingest, stream-processor, source-aks: an event without a non-empty string {@code stage}. */
    MISSING_STAGE("missing-stage"),
    /**
     * ingest: a log event delivered through Amazon Data Firehose whose message is not valid JSON (a line the apiserver
     * did not write whole); stream-processor: a raw record's value was not valid JSON; source-aks: a record's
     * {@code properties.log} was not.
     */
    UNPARSEABLE_EVENT("unparseable-event"),
    /**
     * stream-processor: a JSON object that does not read as an {@code audit.k8s.io} Event; source-aks: a record's
     * {@code properties.log} that is not one ({@code kind} is not {@code Event} or {@code apiVersion} not
     * {@code audit.k8s.io/*}).
     */
    NOT_AN_AUDIT_EVENT("not-an-audit-event"),
    /** stream-processor: an event that was read but whose normalized record could not be written. */
    UNWRITABLE_EVENT("unwritable-event"),
    /** archiver: OpenSearch refused a normalized event's document for good (the event is archived in S3). */
    INDEX_REJECTED("index-rejected"),
    /**
     * ingest: one item of a batch was larger than {@code limits.max-event-bytes}; the record holds its metadata, size
     * and SHA-256, never its content, and the rest of the batch was accepted.
     */
    EVENT_TOO_LARGE("event-too-large"),
    /**
     * ingest: a whole body was larger than {@code limits.max-body-bytes} and was answered 413; the record holds its
     * size and SHA-256 only: its events are lost.
     */
    BATCH_TOO_LARGE("batch-too-large"),
    /**
     * stream-processor, source-aks: a record it had to write was larger than the output topic or the producer takes;
     * the dead letter holds its size and SHA-256 in headers ({@link AuditHeaders#DLQ_SIZE},
     * {@link AuditHeaders#DLQ_SHA256}), not its value.
     */
    RECORD_TOO_LARGE("record-too-large"),
    /**
     * stream-processor: an event whose (cluster, auditID, stage) was already seen within the dedupe window with other
     * content; the first was kept, this one is the dead letter, with both content hashes in headers
     * ({@link AuditHeaders#DLQ_CONTENT_HASH}, {@link AuditHeaders#DLQ_FIRST_CONTENT_HASH}).
     */
    CONFLICTING_DUPLICATE("conflicting-duplicate"),
    /**
     * ingest: a body posted to the Amazon Data Firehose endpoint that is JSON but not a Firehose delivery request, or
     * one of whose records is not a CloudWatch Logs subscription message; the record holds the body as received.
     */
    NOT_A_FIREHOSE_REQUEST("not-a-firehose-request"),
    /**
     * source-aks: an Event Hubs message that is JSON but not Azure Monitor's resource-log envelope (no {@code records}
     * array), or one of its records without a {@code properties.log} string; the record holds what was received.
     */
    NOT_A_RESOURCE_LOG("not-a-resource-log"),
    /**
     * source-aks: an audit record whose cluster could not be named: its {@code resourceId} names no managed cluster, or
     * one whose name breaks the cluster-name rule, and no configured mapping names it.
     */
    UNKNOWN_CLUSTER("unknown-cluster"),
    /**
     * ingest: a body posted to the Pub/Sub push endpoint that is not a push envelope, whose data is not base64, or
     * whose message is not a Cloud Audit Logs {@code LogEntry} of a GKE cluster with an {@code insertId}, a
     * {@code timestamp} and a {@code cluster_name}; the record holds the body as received, and the push was acknowledged.
     */
    NOT_A_GKE_PUSH("not-a-gke-push"),
    /**
     * stream-processor: a GKE {@code LogEntry} that does not map to an audit event (no Kubernetes {@code methodName},
     * no {@code timestamp}, no principal); the record holds the entry as received.
     */
    UNMAPPABLE_LOG_ENTRY("unmappable-log-entry"),
    /**
     * notifier: an alert (or a flagged request) that a receiver refused for good (a 4xx other than 408 and 429), that
     * failed every attempt (5xx, timeouts, TLS), or that the notifier could not read; the record holds the record of
     * {@code audit.alerts} or {@code audit.phi-access} as read, with the receiver in {@link AuditHeaders#DLQ_RECEIVER}
     * and the last HTTP status, if any, in {@link AuditHeaders#DLQ_HTTP_STATUS}.
     */
    ALERT_UNDELIVERABLE("alert-undeliverable");

    private final String code;

    DeadLetterReason(String code) {
        this.code = code;
    }

    /** The code on the wire ({@link AuditHeaders#DLQ_REASON}) and in the services' {@code reason} metric tags. */
    public String code() {
        return code;
    }
}
