package io.auditkeeper.ingest.pubsub;

/**
 * One push of a GKE audit log entry, read from its envelope.
 *
 * @param messageId the Pub/Sub message id (the same on every redelivery), for logs and dead-letter details
 * @param logEntry  the decoded message data: the {@code LogEntry} JSON exactly as Cloud Logging published it
 * @param entryId   {@code <insertId>@<timestamp>}: Cloud Logging's identity of the entry, the Kafka key and auditID
 * @param cluster   the cluster it is recorded for
 */
public record GkePush(String messageId, byte[] logEntry, String entryId, String cluster) {
}
