package io.auditkeeper.ingest.kafka;

import io.auditkeeper.ingest.auth.ClientIdentity;

import java.time.Instant;

/** Where a batch came from: recorded in the headers of every record written for it. */
public record BatchOrigin(String cluster, Instant receivedAt, ClientIdentity client) {
}
