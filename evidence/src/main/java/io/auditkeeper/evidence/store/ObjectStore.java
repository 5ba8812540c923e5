package io.auditkeeper.evidence.store;

import java.util.List;
import java.util.Optional;

/**
 * Read access to the versioned archive bucket, as much as verification needs. Kept this small so that the S3
 * implementation, a local directory, or a test double can stand behind {@link ManifestVerifier}.
 */
public interface ObjectStore {

    /**
     * One exact version of an object with its Object Lock retention, or empty when that version does not exist or is a
     * delete marker (never the latest version instead: a version written on top must not hide the recorded one).
     */
    Optional<StoredObject> get(String key, String versionId);

    /**
     * The ids of every version of the key that exists, in any order, including delete markers (a delete marker on top
     * is a write someone made after archiving). Empty when the key has none.
     */
    List<String> versions(String key);
}
