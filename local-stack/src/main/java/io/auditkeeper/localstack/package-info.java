/**
 * Real infrastructure on loopback, without Docker, for integration tests and the demo: a Kafka KRaft broker and an
 * OpenSearch node inside the JVM, and an S3 endpoint whose Object Lock is really enforced (Ceph radosgw), plus a
 * development PKI for mutual TLS. Tests that need replication start a cluster of KRaft brokers of their own
 * ({@link io.auditkeeper.localstack.EmbeddedKafkaCluster}).
 *
 * <p>Mocks would not catch what matters for an audit trail that holds PHI: that a COMPLIANCE-locked object truly
 * cannot be deleted, that records survive a broker restart, that an acknowledged record survives its leader's death,
 * that a client certificate from a foreign CA is refused.
 * Each component can be replaced by an external endpoint through {@link io.auditkeeper.localstack.LocalStackSettings}.
 */
package io.auditkeeper.localstack;
