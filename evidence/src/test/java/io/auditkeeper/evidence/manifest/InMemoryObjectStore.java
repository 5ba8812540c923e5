package io.auditkeeper.evidence.manifest;

import io.auditkeeper.evidence.store.ObjectStore;
import io.auditkeeper.evidence.store.StoredObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A versioned bucket in memory, with the operations an attacker or a broken lifecycle rule would perform. */
final class InMemoryObjectStore implements ObjectStore {
    private final Map<String, LinkedHashMap<String, StoredObject>> objects = new HashMap<>();
    private int nextVersion = 1;

    String put(String key, byte[] content, String retentionMode, Instant retainUntil) {
        String versionId = "v" + nextVersion++;
        objects.computeIfAbsent(key, k -> new LinkedHashMap<>())
                .put(versionId, new StoredObject(content.clone(), retentionMode, retainUntil));
        return versionId;
    }

    /** What a store without Object Lock would allow: changing the bytes or lock of an existing version. */
    void replace(String key, String versionId, StoredObject object) {
        if (objects.getOrDefault(key, new LinkedHashMap<>()).replace(versionId, object) == null) {
            throw new IllegalArgumentException("no version " + versionId + " of " + key);
        }
    }

    /** A DELETE without a version id on a versioned bucket: a delete marker on top, which has no bytes. */
    String putDeleteMarker(String key) {
        String versionId = "v" + nextVersion++;
        objects.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(versionId, null);
        return versionId;
    }

    void deleteVersion(String key, String versionId) {
        objects.getOrDefault(key, new LinkedHashMap<>()).remove(versionId);
    }

    StoredObject stored(String key, String versionId) {
        return objects.get(key).get(versionId);
    }

    @Override
    public Optional<StoredObject> get(String key, String versionId) {
        return Optional.ofNullable(objects.getOrDefault(key, new LinkedHashMap<>()).get(versionId));
    }

    @Override
    public List<String> versions(String key) {
        return new ArrayList<>(objects.getOrDefault(key, new LinkedHashMap<>()).keySet());
    }
}
