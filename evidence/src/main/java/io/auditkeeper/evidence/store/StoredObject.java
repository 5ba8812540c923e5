package io.auditkeeper.evidence.store;

import java.time.Instant;

/**
 * One object version as the store holds it: its bytes, and the Object Lock retention S3 reports for it
 * ({@code retentionMode} {@code COMPLIANCE}, {@code GOVERNANCE}, or null when the version is not locked;
 * {@code retainUntil} null when not locked).
 */
public record StoredObject(byte[] content, String retentionMode, Instant retainUntil) {
}
