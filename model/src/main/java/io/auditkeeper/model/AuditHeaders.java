package io.auditkeeper.model;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Names of the Kafka record headers that travel with an audit event. Events carry no cluster name of their own, so
 * ingest records where each one came from; every value is a UTF-8 string so that {@code kcat -f '%h'} shows it.
 */
public final class AuditHeaders {
    /** The cluster the batch was posted for ({@code /audit/{cluster}}, or the configured default). */
    public static final String CLUSTER = "auditkeeper.cluster";
    /** When ingest received the batch, RFC 3339 in UTC with millisecond precision. */
    public static final String RECEIVED_AT = "auditkeeper.received-at";
    /** The authenticated client: {@code mtls:<subject DN>} or {@code token:<name>}. */
    public static final String CLIENT = "auditkeeper.client";
    /**
     * How the event reached Audit Keeper: {@value #SOURCE_WEBHOOK} (the apiserver's audit webhook), or the managed
     * cloud's log service ({@code eks-firehose}, {@code aks-event-hubs}, {@code gke-pubsub}; docs/managed-clusters.md).
     * Absent on records written before sources were named: the webhook.
     */
    public static final String SOURCE = "auditkeeper.source";
    /** {@link #SOURCE} of the apiserver's audit webhook. */
    public static final String SOURCE_WEBHOOK = "webhook";
    /**
     * What the value is: {@value #FORMAT_K8S_EVENT} (an {@code audit.k8s.io/v1} Event, as the webhook, EKS and AKS
     * deliver it) or {@code gke-log-entry} (a Cloud Audit Logs {@code LogEntry}, as GKE's Pub/Sub sink delivers it).
     * Absent: an {@code audit.k8s.io/v1} Event.
     */
    public static final String FORMAT = "auditkeeper.format";
    /** {@link #FORMAT} of a Kubernetes audit Event. */
    public static final String FORMAT_K8S_EVENT = "audit.k8s.io/v1";
    /**
     * {@link #FORMAT} of a Cloud Audit Logs {@code LogEntry} of a GKE cluster, as GKE's log sink publishes it to Pub/Sub;
     * its key is {@code <insertId>@<timestamp>}, Cloud Logging's own identity of an entry (docs/managed-clusters.md).
     */
    public static final String FORMAT_GKE_LOG_ENTRY = "gke-log-entry";

    /** On {@code audit.dlq}: a machine-readable reason code (see {@link DeadLetterReason}). */
    public static final String DLQ_REASON = "auditkeeper.dlq.reason";
    /** On {@code audit.dlq}: a human-readable description of the problem (never a copy of the content). */
    public static final String DLQ_DETAIL = "auditkeeper.dlq.detail";
    /** On {@code audit.dlq}: the service that wrote the record (see {@link DeadLetterSource}). */
    public static final String DLQ_SOURCE = "auditkeeper.dlq.source";
    /**
     * On {@code audit.dlq}, from the stream-processor: where the refused record was read,
     * {@code <topic>/<partition>/<offset>}.
     */
    public static final String DLQ_ORIGIN = "auditkeeper.dlq.origin";
    /** On {@code audit.dlq}, with {@code record-too-large}: the size in bytes of the record that was not written. */
    public static final String DLQ_SIZE = "auditkeeper.dlq.size";
    /** On {@code audit.dlq}, with {@code record-too-large}: the SHA-256 (hex) of the value that was not written. */
    public static final String DLQ_SHA256 = "auditkeeper.dlq.sha256";
    /**
     * On {@code audit.dlq}, with {@code conflicting-duplicate}: the content hash (16 hex digits) of this record's value
     * as received on {@code audit.raw}.
     */
    public static final String DLQ_CONTENT_HASH = "auditkeeper.dlq.content-hash";
    /** On {@code audit.dlq}, with {@code conflicting-duplicate}: the content hash of the first record, which was kept. */
    public static final String DLQ_FIRST_CONTENT_HASH = "auditkeeper.dlq.first-content-hash";

    /** On {@code audit.dlq}, with {@code alert-undeliverable}: the name of the notifier's receiver that did not take it. */
    public static final String DLQ_RECEIVER = "auditkeeper.dlq.receiver";
    /**
     * On {@code audit.dlq}, with {@code alert-undeliverable}: the receiver's last HTTP status; absent when no answer
     * came (timeout, refused connection, TLS failure).
     */
    public static final String DLQ_HTTP_STATUS = "auditkeeper.dlq.http-status";

    private AuditHeaders() {
    }

    public static void put(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    public static Optional<String> get(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? Optional.empty() : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }
}
