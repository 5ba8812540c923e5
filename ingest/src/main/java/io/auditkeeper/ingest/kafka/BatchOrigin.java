package io.auditkeeper.ingest.kafka;

import io.auditkeeper.ingest.auth.ClientIdentity;
import io.auditkeeper.model.AuditHeaders;

import java.time.Instant;

/**
 * Where a batch came from: recorded in the headers of every record written for it.
 *
 * @param source how it reached ingest ({@link AuditHeaders#SOURCE}): {@value AuditHeaders#SOURCE_WEBHOOK}, or a
 *               managed cluster's log service
 */
public record BatchOrigin(String cluster, Instant receivedAt, ClientIdentity client, String source) {
    /** A batch posted to the audit webhook. */
    public BatchOrigin(String cluster, Instant receivedAt, ClientIdentity client) {
        this(cluster, receivedAt, client, AuditHeaders.SOURCE_WEBHOOK);
    }
}
