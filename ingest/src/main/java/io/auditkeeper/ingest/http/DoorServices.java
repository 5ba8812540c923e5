package io.auditkeeper.ingest.http;

import io.auditkeeper.ingest.admin.IngestMetrics;
import io.auditkeeper.ingest.batch.EventListSplitter;
import io.auditkeeper.ingest.kafka.AuditRecordPublisher;

import java.time.Clock;
import java.time.Duration;

/**
 * What ingest's three doors (the webhook, Firehose, Pub/Sub push) share, built once: they read bodies under the same
 * limits and in-flight budget, write to the same topics and count in the same metrics, so that a client cannot get
 * more from one door than from another.
 *
 * @param defaultCluster {@code cluster.default}: the webhook's {@code /audit}, and the dead letter of a body refused as
 *                       a whole before it named a cluster
 * @param ackTimeout     how long a door waits for Kafka's acknowledgement before it answers 503
 * @param clock          ingest's receiving clock: each request's {@code receivedAt}, and its records' Kafka timestamps
 */
public record DoorServices(RequestBodyReader bodyReader, InFlightBytesLimiter limiter, EventListSplitter splitter,
                           AuditRecordPublisher publisher, IngestMetrics metrics, String defaultCluster,
                           Duration ackTimeout, Clock clock) {
}
