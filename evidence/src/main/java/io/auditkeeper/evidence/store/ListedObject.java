package io.auditkeeper.evidence.store;

import java.time.Instant;

/**
 * One object version as a listing of the bucket shows it (not a delete marker): enough to name it in a finding without
 * reading its bytes.
 */
public record ListedObject(String key, String versionId, Instant lastModified) {
}
