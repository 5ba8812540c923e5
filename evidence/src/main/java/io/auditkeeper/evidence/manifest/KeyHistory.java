package io.auditkeeper.evidence.manifest;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The signing keys an auditor may trust: the pinned key (obtained out of band), and every key whose record was signed
 * by a key already trusted, transitively. Records that lead nowhere (not signed by a trusted key, malformed, signed
 * wrongly) are not trusted, each reported as a {@link Problem.Kind#BAD_KEY_RECORD}; an entry signed with such a key
 * then fails its signature check, naming the key. Format version 1 entries and digests, which name no key, are checked
 * with the pinned key.
 */
public final class KeyHistory {
    private final PublicKey pinned;
    private final String pinnedId;
    private final Map<String, PublicKey> trusted;
    private final List<Problem> problems;

    private KeyHistory(PublicKey pinned, Map<String, PublicKey> trusted, List<Problem> problems) {
        this.pinned = pinned;
        this.pinnedId = KeyIds.of(pinned);
        this.trusted = Collections.unmodifiableMap(trusted);
        this.problems = List.copyOf(problems);
    }

    /** Only the pinned key: an archive without a key history, or a check that does not read it. */
    public static KeyHistory pinned(PublicKey pinned) {
        Map<String, PublicKey> trusted = new LinkedHashMap<>();
        trusted.put(KeyIds.of(pinned), pinned);
        return new KeyHistory(pinned, trusted, List.of());
    }

    /**
     * The keys trusted from {@code pinned} through {@code records} (in any order; each record with the S3 key it was read
     * from, for the findings).
     */
    public static KeyHistory from(PublicKey pinned, Map<String, KeyRecord> recordsByObjectKey) {
        Map<String, PublicKey> trusted = new LinkedHashMap<>();
        String pinnedId = KeyIds.of(pinned);
        trusted.put(pinnedId, pinned);
        List<Problem> problems = new ArrayList<>();
        Map<String, KeyRecord> pending = new LinkedHashMap<>();
        recordsByObjectKey.forEach((objectKey, record) -> {
            String malformation = record.malformation();
            if (malformation != null) {
                problems.add(new Problem(Problem.Kind.BAD_KEY_RECORD, objectKey, -1, -1, malformation));
            } else {
                pending.put(objectKey, record);
            }
        });
        boolean progress = true;
        while (progress && !pending.isEmpty()) {
            progress = false;
            for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                KeyRecord r = e.getValue();
                PublicKey own = r.key();
                PublicKey signer = r.first() ? (r.keyId().equals(pinnedId) ? own : null) : trusted.get(r.previousKeyId());
                if (signer == null) {
                    continue;
                }
                it.remove();
                progress = true;
                if (ManifestVerifier.signatureValid(signer, r.canonicalBytes(), r.signature())) {
                    trusted.putIfAbsent(r.keyId(), own);
                } else {
                    problems.add(new Problem(Problem.Kind.BAD_KEY_RECORD, e.getKey(), -1, -1, "the record of key "
                            + r.keyId() + " is not signed by " + (r.first() ? "itself" : "key " + r.previousKeyId())));
                }
            }
        }
        pending.forEach((objectKey, r) -> problems.add(new Problem(Problem.Kind.BAD_KEY_RECORD, objectKey, -1, -1,
                r.first() ? "key " + r.keyId() + " claims to be the first key, but the pinned key is " + pinnedId
                        : "key " + r.keyId() + " follows key " + r.previousKeyId()
                        + ", which no record trusted from the pinned key names")));
        return new KeyHistory(pinned, trusted, problems);
    }

    /** The key an entry or digest names, or the pinned key for format version 1 (no key named); null if untrusted. */
    public PublicKey key(String keyId) {
        return keyId == null ? pinned : trusted.get(keyId);
    }

    public PublicKey pinnedKey() {
        return pinned;
    }

    public String pinnedId() {
        return pinnedId;
    }

    /** The ids of the trusted keys, the pinned one first. */
    public List<String> trustedIds() {
        return List.copyOf(trusted.keySet());
    }

    /** Records that could not be trusted, each with the reason. */
    public List<Problem> problems() {
        return problems;
    }
}
