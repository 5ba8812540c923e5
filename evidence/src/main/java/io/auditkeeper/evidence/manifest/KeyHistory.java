package io.auditkeeper.evidence.manifest;

import java.security.PublicKey;
import java.time.Instant;
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
    private final Map<String, Instant> revoked;

    private KeyHistory(PublicKey pinned, Map<String, PublicKey> trusted, List<Problem> problems,
                       Map<String, Instant> revoked) {
        this.pinned = pinned;
        this.pinnedId = KeyIds.of(pinned);
        this.trusted = Collections.unmodifiableMap(trusted);
        this.problems = List.copyOf(problems);
        this.revoked = Map.copyOf(revoked);
    }

    /** Only the pinned key: an archive without a key history, or a check that does not read it. */
    public static KeyHistory pinned(PublicKey pinned) {
        Map<String, PublicKey> trusted = new LinkedHashMap<>();
        trusted.put(KeyIds.of(pinned), pinned);
        return new KeyHistory(pinned, trusted, List.of(), Map.of());
    }

    /**
     * The keys trusted from {@code pinned} through {@code records} (in any order; each record with the S3 key it was read
     * from, for the findings), with no revocation.
     */
    public static KeyHistory from(PublicKey pinned, Map<String, KeyRecord> recordsByObjectKey) {
        return from(pinned, recordsByObjectKey, Map.of(), Map.of());
    }

    /**
     * As {@link #from(PublicKey, Map)}, with revocations. A revocation counts when its signer is trusted and descends
     * from the revoked key; then a record the revoked key signed in an object written from the revocation's time on
     * is not trusted ({@link Problem.Kind#KEY_REVOKED}). A revocation counts only when every record from its signer back
     * to the revoked key was written before the time it revokes from: a key introduced after the compromise may be the
     * thief's, and cannot vouch for anything (trust must then be pinned anew, out of band).
     *
     * @param recordWrittenAt the S3 write time of each record's object, by object key
     */
    public static KeyHistory from(PublicKey pinned, Map<String, KeyRecord> recordsByObjectKey,
                                  Map<String, Instant> recordWrittenAt, Map<String, KeyRevocation> revocations) {
        Trust all = trust(pinned, recordsByObjectKey, recordWrittenAt, Map.of());
        List<Problem> revocationFaults = new ArrayList<>();
        Map<String, Instant> revoked = validRevocations(all, revocations, revocationFaults);
        Trust trust = revoked.isEmpty() ? all : trust(pinned, recordsByObjectKey, recordWrittenAt, revoked);
        List<Problem> problems = new ArrayList<>(trust.problems);
        problems.addAll(revocationFaults);
        return new KeyHistory(pinned, trust.keys, problems, revoked);
    }

    private record Trust(Map<String, PublicKey> keys, Map<String, String> previous, Map<String, Instant> introducedAt,
                         List<Problem> problems) {
    }

    private static Trust trust(PublicKey pinned, Map<String, KeyRecord> recordsByObjectKey,
                               Map<String, Instant> writtenAt, Map<String, Instant> revoked) {
        Map<String, PublicKey> trusted = new LinkedHashMap<>();
        Map<String, String> previous = new LinkedHashMap<>();
        Map<String, Instant> introducedAt = new LinkedHashMap<>();
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
                Instant revokedFrom = r.first() ? null : revoked.get(r.previousKeyId());
                Instant at = writtenAt.get(e.getKey());
                if (!ManifestVerifier.signatureValid(signer, r.canonicalBytes(), r.signature())) {
                    problems.add(new Problem(Problem.Kind.BAD_KEY_RECORD, e.getKey(), -1, -1, "the record of key "
                            + r.keyId() + " is not signed by " + (r.first() ? "itself" : "key " + r.previousKeyId())));
                } else if (revokedFrom != null && (at == null || !at.isBefore(revokedFrom))) {
                    problems.add(new Problem(Problem.Kind.KEY_REVOKED, e.getKey(), -1, -1, "the record of key "
                            + r.keyId() + " was signed by key " + r.previousKeyId() + ", revoked from " + revokedFrom
                            + ", and written " + (at == null ? "at an unknown time" : "at " + at)));
                } else {
                    trusted.putIfAbsent(r.keyId(), own);
                    if (!r.first()) {
                        previous.putIfAbsent(r.keyId(), r.previousKeyId());
                        if (at != null) {
                            introducedAt.putIfAbsent(r.keyId(), at);
                        }
                    }
                }
            }
        }
        pending.forEach((objectKey, r) -> problems.add(new Problem(Problem.Kind.BAD_KEY_RECORD, objectKey, -1, -1,
                r.first() ? "key " + r.keyId() + " claims to be the first key, but the pinned key is " + pinnedId
                        : "key " + r.keyId() + " follows key " + r.previousKeyId()
                        + ", which no record trusted from the pinned key names")));
        return new Trust(trusted, previous, introducedAt, problems);
    }

    /** The earliest time each key is revoked from, by the revocations that count; their faults to {@code problems}. */
    private static Map<String, Instant> validRevocations(Trust trust, Map<String, KeyRevocation> revocations,
                                                         List<Problem> problems) {
        Map<String, Instant> out = new LinkedHashMap<>();
        revocations.forEach((objectKey, r) -> {
            String fault = r.malformation();
            if (fault == null) {
                PublicKey signer = trust.keys.get(r.signedBy());
                if (signer == null) {
                    fault = "signed by key " + r.signedBy() + ", which is not trusted";
                } else if (!descends(trust.previous, r.signedBy(), r.keyId())) {
                    fault = "signed by key " + r.signedBy() + ", which does not descend from the revoked key "
                            + r.keyId();
                } else if (introducedAfter(trust, r.signedBy(), r.keyId(), r.from()) != null) {
                    String late = introducedAfter(trust, r.signedBy(), r.keyId(), r.from());
                    fault = "signed by key " + r.signedBy() + ", but key " + late + " on its way back to the revoked"
                            + " key was introduced at " + trust.introducedAt.get(late) + ", not before the revocation's "
                            + r.revokedFrom() + ": it may be the thief's; pin a key out of band";
                } else if (!ManifestVerifier.signatureValid(signer, r.canonicalBytes(), r.signature())) {
                    fault = "the signature does not verify with key " + r.signedBy();
                }
            }
            if (fault != null) {
                if (problems != null) {
                    problems.add(new Problem(Problem.Kind.BAD_KEY_RECORD, objectKey, -1, -1, "revocation: " + fault));
                }
            } else {
                out.merge(r.keyId(), r.from(), (a, b) -> a.isBefore(b) ? a : b);
            }
        });
        return out;
    }

    /** The first key from {@code key} back to (not including) {@code ancestor} introduced from {@code from} on. */
    private static String introducedAfter(Trust trust, String key, String ancestor, Instant from) {
        for (String k = key; k != null && !k.equals(ancestor); k = trust.previous.get(k)) {
            Instant at = trust.introducedAt.get(k);
            if (at == null || !at.isBefore(from)) {
                return k;
            }
        }
        return null;
    }

    private static boolean descends(Map<String, String> previous, String key, String ancestor) {
        String k = previous.get(key);
        for (int hops = 0; k != null && hops < 10_000; hops++) {
            if (k.equals(ancestor)) {
                return true;
            }
            k = previous.get(k);
        }
        return false;
    }

    /** When the key is revoked from, or null when it is not. */
    public Instant revokedFrom(String keyId) {
        return keyId == null ? revoked.get(pinnedId) : revoked.get(keyId);
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
