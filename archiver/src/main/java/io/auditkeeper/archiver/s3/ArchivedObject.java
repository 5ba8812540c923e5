package io.auditkeeper.archiver.s3;

import java.time.Instant;

/** An object the archive holds: where (key and version), what (SHA-256 of its bytes), and locked until when. */
public record ArchivedObject(String key, String versionId, String sha256, long bytes, Instant retainUntil) {
}
