package io.auditkeeper.evidence.manifest;

import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Problem.Kind;
import io.auditkeeper.evidence.proof.ArchivedEvents;
import io.auditkeeper.evidence.proof.MerkleTree;
import io.auditkeeper.evidence.store.ListedObject;
import io.auditkeeper.evidence.store.ObjectStore;
import io.auditkeeper.evidence.store.StoredObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a range of the archive against its manifests with nothing but the published public key: that every entry is
 * signed, that the chain is unbroken, that the offsets follow each other, that every recorded object version is still
 * there with the recorded SHA-256, nothing written on top, and locked in COMPLIANCE mode for long enough; and that the
 * digests are signed, chained, and that no partition lost entries a digest vouched for. It reports every problem it
 * finds rather than stopping at the first, so one run tells an auditor the whole extent of the damage.
 *
 * <p>What an archiver that lost its partition may leave behind is told apart from tampering and reported as a
 * {@link Leftover}, not a problem: another version of a recorded key with the recorded SHA-256, or with other bytes
 * that gunzip to the recorded (and intact) version's, the same batch gzipped at another level or by another zlib
 * ({@link Leftover.Kind#DUPLICATE_VERSION}), and an object that no entry names
 * ({@link #unreferencedObjects}). Either leaves every recorded version as it was.
 *
 * <p>Offsets: consecutive entries must satisfy {@code next.firstOffset == previous.lastOffset + 1}. The
 * {@code count} of an entry is only required to be between 1 and {@code lastOffset - firstOffset + 1}, because
 * transactional and compacted topics have offsets without records (transaction markers, compacted keys).
 *
 * <p>Exceptions thrown by the {@link ObjectStore} (network, permissions) propagate: a store that cannot be read is not
 * evidence of tampering. Instances are immutable and thread-safe.
 */
public final class ManifestVerifier {
    /** The only Object Lock mode that even the root account cannot shorten or lift. */
    public static final String COMPLIANCE = "COMPLIANCE";

    private final KeyHistory keys;

    private ManifestVerifier(KeyHistory keys) {
        this.keys = keys;
    }

    private ManifestVerifier(PublicKey pinned) {
        this(KeyHistory.pinned(pinned));
    }

    /** A verifier that checks each entry and digest with the key it names, among those {@code keys} trusts. */
    public static ManifestVerifier withKeys(KeyHistory keys) {
        return new ManifestVerifier(keys);
    }

    /** The keys this verifier trusts; only the pinned one unless built {@link #withKeys with a history}. */
    public KeyHistory keys() {
        return keys;
    }

    /**
     * A verifier for a published public key (X.509 SubjectPublicKeyInfo PEM, {@code -----BEGIN PUBLIC KEY-----}).
     *
     * @throws ManifestKeyException when the text is not such a PEM or the key is not Ed25519
     */
    public static ManifestVerifier fromPublicKeyPem(String pem) {
        return new ManifestVerifier(parsePublicKey(pem, null));
    }

    /** As {@link #fromPublicKeyPem(String)}, from a file; the exception names the file. */
    public static ManifestVerifier fromPublicKeyPemFile(Path publicKeyPem) {
        try {
            return new ManifestVerifier(parsePublicKey(Files.readString(publicKeyPem, StandardCharsets.US_ASCII),
                    publicKeyPem));
        } catch (NoSuchFileException e) {
            throw new ManifestKeyException(publicKeyPem, "does not exist", null);
        } catch (IOException e) {
            throw new ManifestKeyException(publicKeyPem, "cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Verifies a partition's chain from its first entry, whose previousHash must be {@link ManifestEntry#GENESIS}. */
    public VerificationReport verifyPartition(List<ManifestEntry> chainInOrder, ObjectStore store, Instant now,
                                              Duration minimumRetention) {
        return verifyPartition(chainInOrder, ManifestEntry.GENESIS, store, now, minimumRetention);
    }

    /**
     * Verifies a consecutive range of a partition's chain, oldest first.
     *
     * @param startingPreviousHash the previousHash the first entry must have: {@link ManifestEntry#GENESIS} for the
     *                             start of the partition, else the hash of the entry before the range (for instance
     *                             from a digest head)
     * @param now                  the verification time; used to tell an object whose lock has already run out
     * @param minimumRetention     how long after its last event every object must be locked (six years for HIPAA).
     *                             The archiver also locks every object for that long after it writes it, by its own
     *                             clock; an entry does not record that moment (its signed form predates the rule), so
     *                             the floor checked here is the one entries carry: last event plus the retention
     *                             (docs/archiver.md, "Retention and clocks")
     */
    public VerificationReport verifyPartition(List<ManifestEntry> chainInOrder, String startingPreviousHash,
                                              ObjectStore store, Instant now, Duration minimumRetention) {
        List<Problem> problems = new ArrayList<>();
        List<Leftover> leftovers = new ArrayList<>();
        ManifestEntry previous = null;
        for (ManifestEntry entry : chainInOrder) {
            checkEntry(entry, previous, chainInOrder.get(0), startingPreviousHash, problems);
            checkObject(entry, store, now, minimumRetention, problems, leftovers);
            previous = entry;
        }
        return new VerificationReport(problems, leftovers, chainInOrder.size(),
                chainInOrder.isEmpty() ? -1 : chainInOrder.get(0).firstOffset(),
                chainInOrder.isEmpty() ? -1 : chainInOrder.get(chainInOrder.size() - 1).lastOffset());
    }

    /**
     * The objects of {@code topic} listed in the bucket that no entry of its chains names, each as a
     * {@link Leftover.Kind#UNREFERENCED_OBJECT} under the partition its key names, in key order. The detail says
     * whether the chain's entries cover every offset the key names (then its records are archived in those entries'
     * objects) or which offsets they do not (a gap, which the chain's own {@link Kind#OFFSET_GAP} reports, or offsets
     * past the chain's end, not archived yet).
     *
     * @param listed             the topic's objects as listed ({@code ArchivedObjectReader}); keys that are not an
     *                           archived object's of {@code topic} under {@code layout} are ignored
     * @param chainsByPartition  every partition's whole chain, in order: an object is referenced when any entry names
     *                           its key
     */
    public static Map<Integer, List<Leftover>> unreferencedObjects(ArchiveLayout layout, String topic,
                                                                   List<ListedObject> listed,
                                                                   Map<Integer, List<ManifestEntry>> chainsByPartition) {
        Set<String> named = new HashSet<>();
        chainsByPartition.values().forEach(chain -> chain.forEach(e -> named.add(e.key())));
        Map<Integer, List<Leftover>> out = new TreeMap<>();
        listed.stream().sorted(Comparator.comparing(ListedObject::key)).forEach(o -> {
            if (named.contains(o.key())) {
                return;
            }
            layout.parseObject(o.key()).filter(k -> k.topic().equals(topic)).ifPresent(k -> {
                List<ManifestEntry> chain = chainsByPartition.getOrDefault(k.partition(), List.of());
                out.computeIfAbsent(k.partition(), p -> new ArrayList<>()).add(new Leftover(
                        Leftover.Kind.UNREFERENCED_OBJECT, o.key(), o.versionId(), k.firstOffset(), k.lastOffset(),
                        "no manifest entry names this object; " + coverage(k, chain)));
            });
        });
        return out;
    }

    /** Whether {@code chain} holds every offset the key names, and where those it lacks are. */
    private static String coverage(ArchiveLayout.ObjectKey key, List<ManifestEntry> chain) {
        if (chain.isEmpty()) {
            return "partition " + key.partition() + " has no manifest chain, so none of its offsets "
                    + key.firstOffset() + "-" + key.lastOffset() + " is in an entry";
        }
        List<ManifestEntry> byOffset = new ArrayList<>(chain);
        byOffset.sort(Comparator.comparingLong(ManifestEntry::firstOffset));
        List<String> covering = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        long cursor = key.firstOffset();
        for (ManifestEntry e : byOffset) {
            if (e.lastOffset() < cursor || e.firstOffset() > key.lastOffset()) {
                continue;
            }
            if (e.firstOffset() > cursor) {
                missing.add(cursor + "-" + (e.firstOffset() - 1));
            }
            covering.add(e.key());
            cursor = Math.max(cursor, e.lastOffset() + 1);
        }
        if (cursor <= key.lastOffset()) {
            missing.add(cursor + "-" + key.lastOffset());
        }
        long chainEnd = byOffset.stream().mapToLong(ManifestEntry::lastOffset).max().orElse(-1);
        if (missing.isEmpty()) {
            return "its offsets " + key.firstOffset() + "-" + key.lastOffset() + " are all in the chain's entries, so"
                    + " its records are archived in " + (covering.size() == 1 ? "the object of " + covering.get(0)
                    : covering.size() + " other objects (from " + covering.get(0) + ")")
                    + "; written by an archiver that lost the partition before it wrote the entry";
        }
        return "offsets " + String.join(", ", missing) + " of it are in no entry of the chain"
                + (key.lastOffset() > chainEnd ? " (which ends at offset " + chainEnd + "; offsets past its end are"
                + " not archived yet, or being archived right now)" : "")
                + "; the chain's own OFFSET_GAP problem, if any, names what is missing";
    }

    /** Verifies digests from the first one, whose previousDigestHash must be {@link ManifestEntry#GENESIS}. */
    public List<Problem> verifyDigests(List<Digest> digestsInOrder,
                                       Map<String, List<ManifestEntry>> chainsByTopicPartition) {
        return verifyDigests(digestsInOrder, ManifestEntry.GENESIS, chainsByTopicPartition);
    }

    /**
     * Verifies the signatures and the chain of consecutive digests, oldest first, then checks every head of the
     * latest correctly signed digest against the chains: the entry it names must be in its partition's chain. A
     * partition whose chain ends before the head, or is absent, is {@link Kind#TRUNCATED_PARTITION}; a chain that
     * reaches past the head but lacks the named entry was rewritten ({@link Kind#BROKEN_CHAIN}). Only the latest
     * digest is held against the chains, since older heads are implied by the chains' own hash links.
     *
     * @param chainsByTopicPartition chains keyed by {@code topic-partition} ({@link ManifestEntry#topicPartition()}),
     *                               each in order and reaching at least to the latest digest's head
     */
    public List<Problem> verifyDigests(List<Digest> digestsInOrder, String startingPreviousDigestHash,
                                       Map<String, List<ManifestEntry>> chainsByTopicPartition) {
        List<Problem> problems = new ArrayList<>();
        Digest latestValid = verifyDigestChain(digestsInOrder, startingPreviousDigestHash, problems);
        if (latestValid != null) {
            for (Digest.PartitionHead head : latestValid.heads()) {
                checkHead(head, latestValid, chainsByTopicPartition.get(head.topicPartition()), problems);
            }
        }
        return problems;
    }

    /**
     * The digests' signatures and their chain, as {@link #verifyDigests} checks them, without holding the latest one
     * against the whole chains: what {@code verify} of a period checks, with {@link #sealedBy} for its range.
     */
    public List<Problem> verifyDigestChain(List<Digest> digestsInOrder, String startingPreviousDigestHash) {
        List<Problem> problems = new ArrayList<>();
        verifyDigestChain(digestsInOrder, startingPreviousDigestHash, problems);
        return problems;
    }

    /**
     * Whether {@code digest} seals a range whose last entry is {@code fromRangeEnd.get(0)}: the entries after it, in
     * {@code fromRangeEnd}, each record the hash of the one before, and the digest names the last of them as the
     * partition's head. Read that way the digest's signature covers every entry of the range, by hash.
     */
    public List<Problem> sealedBy(Digest digest, List<ManifestEntry> fromRangeEnd) {
        List<Problem> problems = new ArrayList<>();
        ManifestEntry first = fromRangeEnd.get(0);
        for (int i = 1; i < fromRangeEnd.size(); i++) {
            ManifestEntry previous = fromRangeEnd.get(i - 1);
            ManifestEntry entry = fromRangeEnd.get(i);
            if (!Objects.equals(entry.previousHash(), previous.hash())) {
                problems.add(problem(Kind.BROKEN_CHAIN, entry, "previousHash " + entry.previousHash() + " is not "
                        + previous.hash() + ", the hash of the preceding entry " + previous.key()
                        + ": the chain from the period to the digest of " + digest.createdAt() + " is broken"));
                return problems;
            }
        }
        digest.heads().stream().filter(h -> h.topicPartition().equals(first.topicPartition())).findFirst()
                .ifPresent(head -> checkHead(head, digest, fromRangeEnd, problems));
        return problems;
    }

    private Digest verifyDigestChain(List<Digest> digestsInOrder, String startingPreviousDigestHash,
                                     List<Problem> problems) {
        Digest previous = null;
        Digest latestValid = null;
        for (Digest digest : digestsInOrder) {
            String key = "digest@" + digest.createdAt();
            String malformation = digest.malformation();
            if (malformation != null) {
                problems.add(new Problem(Kind.MALFORMED_ENTRY, key, -1, -1, "digest: " + malformation));
            }
            String signatureFault = signatureFault(digest.canonicalBytes(), digest.signature(), digest.keyId());
            if (signatureFault != null) {
                problems.add(new Problem(Kind.BAD_DIGEST_SIGNATURE, key, -1, -1, "digest " + signatureFault));
            } else if (malformation == null) {
                latestValid = digest;
            }
            String expected = previous == null ? startingPreviousDigestHash : previous.hash();
            if (!Objects.equals(digest.previousDigestHash(), expected)) {
                problems.add(new Problem(Kind.BROKEN_DIGEST_CHAIN, key, -1, -1, "previousDigestHash "
                        + digest.previousDigestHash() + " is not " + expected + ", the hash of "
                        + (previous == null ? "the expected start" : "the preceding digest of " + previous.createdAt())
                        + "; a digest is missing, replaced or out of order"));
            } else if (previous != null) {
                Instant before = ManifestEntry.parseInstant(previous.createdAt());
                Instant at = ManifestEntry.parseInstant(digest.createdAt());
                if (before != null && at != null && at.isBefore(before)) {
                    problems.add(new Problem(Kind.BROKEN_DIGEST_CHAIN, key, -1, -1, "created before the preceding"
                            + " digest of " + previous.createdAt()));
                }
            }
            previous = digest;
        }
        return latestValid;
    }

    /**
     * The entries signed with a key revoked from a time, whose manifest object S3 wrote from that time on: each a
     * {@link Kind#KEY_REVOKED}, naming the key, the revocation's time and the write time.
     *
     * @param writtenAt when S3 wrote each entry's manifest object (its first version); null when unknown
     */
    /**
     * The digests of {@code digests} signed with a revoked key in an object S3 wrote from the revocation's time on
     * ({@link Kind#KEY_REVOKED}), as {@link #revokedSignatures} for entries: a thief's digest could vouch for a
     * rewritten chain.
     */
    public List<Problem> revokedDigests(List<Digest> digests, java.util.function.Function<Digest, Instant> writtenAt) {
        List<Problem> out = new ArrayList<>();
        for (Digest d : digests) {
            Instant from = keys.revokedFrom(d.keyId());
            if (from == null) {
                continue;
            }
            Instant at = writtenAt.apply(d);
            if (at == null || !at.isBefore(from)) {
                out.add(new Problem(Kind.KEY_REVOKED, "digest@" + d.createdAt(), -1, -1, "signed with key "
                        + (d.keyId() == null ? keys.pinnedId() : d.keyId()) + ", revoked from " + from
                        + ", in a digest object written " + (at == null ? "at an unknown time" : "at " + at)));
            }
        }
        return out;
    }

    public List<Problem> revokedSignatures(List<ManifestEntry> entries,
                                           java.util.function.Function<ManifestEntry, Instant> writtenAt) {
        List<Problem> out = new ArrayList<>();
        for (ManifestEntry e : entries) {
            Instant from = keys.revokedFrom(e.keyId());
            if (from == null) {
                continue;
            }
            Instant at = writtenAt.apply(e);
            if (at == null || !at.isBefore(from)) {
                out.add(problem(Kind.KEY_REVOKED, e, "signed with key " + (e.keyId() == null ? keys.pinnedId()
                        : e.keyId()) + ", revoked from " + from + ", in a manifest object written "
                        + (at == null ? "at an unknown time" : "at " + at)));
            }
        }
        return out;
    }

    /** True when the entry carries a signature by this verifier's key over its canonical form. */
    public boolean signatureValid(ManifestEntry entry) {
        return signatureFault(entry.canonicalBytes(), entry.signature(), entry.keyId()) == null;
    }

    /** True when the digest carries a signature by this verifier's key over its canonical form. */
    public boolean signatureValid(Digest digest) {
        return signatureFault(digest.canonicalBytes(), digest.signature(), digest.keyId()) == null;
    }

    /** Whether {@code signatureBase64} is an Ed25519 signature of {@code message} by {@code key}. */
    static boolean signatureValid(PublicKey key, byte[] message, String signatureBase64) {
        return signatureFault(key, message, signatureBase64) == null;
    }

    private void checkEntry(ManifestEntry entry, ManifestEntry previous, ManifestEntry first, String startingHash,
                            List<Problem> problems) {
        String malformation = entry.malformation();
        if (malformation == null && (!Objects.equals(entry.topic(), first.topic())
                || entry.partition() != first.partition())) {
            malformation = "belongs to " + entry.topicPartition() + ", not to the chain of " + first.topicPartition();
        }
        if (malformation != null) {
            problems.add(problem(Kind.MALFORMED_ENTRY, entry, malformation));
        }
        String signatureFault = signatureFault(entry.canonicalBytes(), entry.signature(), entry.keyId());
        if (signatureFault != null) {
            problems.add(problem(Kind.BAD_SIGNATURE, entry, "entry " + signatureFault));
        }
        String expected = previous == null ? startingHash : previous.hash();
        if (!Objects.equals(entry.previousHash(), expected)) {
            problems.add(problem(Kind.BROKEN_CHAIN, entry, "previousHash " + entry.previousHash() + " is not "
                    + expected + ", the hash of " + (previous == null ? "the expected start of the range"
                    : "the preceding entry " + previous.key() + " (offsets " + previous.firstOffset() + "-"
                    + previous.lastOffset() + ")")));
        }
        if (previous != null) {
            long expectedFirst = previous.lastOffset() + 1;
            if (entry.firstOffset() > expectedFirst) {
                problems.add(new Problem(Kind.OFFSET_GAP, entry.key(), expectedFirst, entry.firstOffset() - 1,
                        "offsets " + expectedFirst + "-" + (entry.firstOffset() - 1) + " are in no entry: "
                                + previous.key() + " ends at " + previous.lastOffset() + ", " + entry.key()
                                + " starts at " + entry.firstOffset()));
            } else if (entry.firstOffset() < expectedFirst) {
                long overlapEnd = Math.min(previous.lastOffset(), entry.lastOffset());
                problems.add(new Problem(Kind.OFFSET_OVERLAP, entry.key(), entry.firstOffset(), overlapEnd,
                        "offsets " + entry.firstOffset() + "-" + overlapEnd + " are in two entries: "
                                + previous.key() + " ends at " + previous.lastOffset() + ", " + entry.key()
                                + " starts at " + entry.firstOffset()));
            }
        }
        long span = entry.lastOffset() - entry.firstOffset() + 1;
        if (span >= 1 && (entry.count() < 1 || entry.count() > span)) {
            problems.add(problem(Kind.COUNT_MISMATCH, entry, "count " + entry.count() + " is outside 1.." + span
                    + " (the number of offsets " + entry.firstOffset() + "-" + entry.lastOffset() + ")"));
        }
    }

    private void checkObject(ManifestEntry entry, ObjectStore store, Instant now, Duration minimumRetention,
                             List<Problem> problems, List<Leftover> leftovers) {
        if (entry.key() == null || entry.versionId() == null) {
            return;
        }
        Instant recordedUntil = ManifestEntry.parseInstant(entry.retainUntil());
        List<String> versions = store.versions(entry.key());
        Set<String> others = new LinkedHashSet<>(versions == null ? List.of() : versions);
        others.remove(entry.versionId());
        Optional<StoredObject> stored = store.get(entry.key(), entry.versionId());
        String actual = stored.map(o -> ManifestEntry.sha256Hex(o.content())).orElse(null);
        String merkleFault = actual != null && actual.equals(entry.sha256())
                && entry.version() >= ManifestEntry.FORMAT_VERSION ? merkleFault(entry, stored.get().content()) : null;
        boolean recordedIntact = actual != null && actual.equals(entry.sha256()) && merkleFault == null;
        for (String other : List.copyOf(others)) {
            Optional<StoredObject> version = store.get(entry.key(), other);
            if (version.isEmpty() || entry.sha256() == null) {
                continue;
            }
            String sha256 = ManifestEntry.sha256Hex(version.get().content());
            if (entry.sha256().equals(sha256)) {
                others.remove(other);
                leftovers.add(new Leftover(Leftover.Kind.DUPLICATE_VERSION, entry.key(), other, entry.firstOffset(),
                        entry.lastOffset(), "version " + other + " has the recorded SHA-256 " + entry.sha256()
                        + ": the same bytes written again (a retried PUT, or a second archiver writing the same"
                        + " batch); the recorded version " + entry.versionId() + " is the evidence"));
            } else if (recordedIntact && ArchivedEvents.sameEvents(stored.get().content(), version.get().content())) {
                others.remove(other);
                leftovers.add(new Leftover(Leftover.Kind.DUPLICATE_VERSION, entry.key(), other, entry.firstOffset(),
                        entry.lastOffset(), "version " + other + " has SHA-256 " + sha256 + ", not the recorded "
                        + entry.sha256() + ", but gunzips to the recorded version's bytes: the same events, compressed"
                        + " differently (a second archiver writing the same batch at another gzip level or with"
                        + " another zlib); the recorded version " + entry.versionId() + " is the evidence"));
            }
        }
        if (!others.isEmpty()) {
            problems.add(problem(Kind.NEWER_VERSION, entry, "key has versions " + others + " besides the recorded "
                    + entry.versionId() + "; something was written on top (verified against the recorded version)"));
        }

        if (stored.isEmpty()) {
            String lawful = recordedUntil != null && recordedUntil.isBefore(now)
                    ? "; its retention ended at " + entry.retainUntil() + ", so it may have been deleted lawfully"
                    : "";
            problems.add(problem(Kind.MISSING_OBJECT, entry, "version " + entry.versionId() + " of " + entry.key()
                    + " does not exist" + lawful));
        } else {
            StoredObject object = stored.get();
            if (!actual.equals(entry.sha256())) {
                problems.add(problem(Kind.HASH_MISMATCH, entry, "version " + entry.versionId() + " has SHA-256 "
                        + actual + ", the manifest recorded " + entry.sha256()));
            } else if (merkleFault != null) {
                problems.add(problem(Kind.MERKLE_MISMATCH, entry, merkleFault));
            }
            if (!COMPLIANCE.equals(object.retentionMode())) {
                problems.add(problem(Kind.WEAK_RETENTION, entry, "object retention mode is "
                        + object.retentionMode() + ", not " + COMPLIANCE));
            }
            if (recordedUntil != null && (object.retainUntil() == null
                    || object.retainUntil().isBefore(recordedUntil))) {
                String state = object.retainUntil() != null && object.retainUntil().isBefore(now)
                        ? " (the lock has already run out)" : "";
                problems.add(problem(Kind.WEAK_RETENTION, entry, "object is locked until " + object.retainUntil()
                        + ", before the recorded " + entry.retainUntil() + state));
            }
        }

        if (!COMPLIANCE.equals(entry.retentionMode())) {
            problems.add(problem(Kind.WEAK_RETENTION, entry, "the manifest records retention mode "
                    + entry.retentionMode() + ", not " + COMPLIANCE));
        }
        Instant lastEvent = ManifestEntry.parseInstant(entry.lastEventTime());
        if (recordedUntil != null && lastEvent != null && recordedUntil.isBefore(lastEvent.plus(minimumRetention))) {
            problems.add(problem(Kind.WEAK_RETENTION, entry, "the manifest records retention until "
                    + entry.retainUntil() + ", before " + lastEvent.plus(minimumRetention) + " (last event "
                    + entry.lastEventTime() + " + " + minimumRetention + ")"));
        }
    }

    /** Why the object's events do not match the entry's Merkle root and count, or null when they do. */
    static String merkleFault(ManifestEntry entry, byte[] content) {
        List<byte[]> lines;
        try {
            lines = ArchivedEvents.lines(content);
        } catch (IOException e) {
            return "version " + entry.versionId() + " is not gzip (" + e.getMessage() + "), so its events cannot"
                    + " be checked against the Merkle root";
        }
        if (lines.size() != entry.count()) {
            return "version " + entry.versionId() + " holds " + lines.size() + " events, the entry counts "
                    + entry.count();
        }
        String root = MerkleTree.rootHex(ArchivedEvents.leafHashes(lines));
        if (!root.equals(entry.merkleRoot())) {
            return "the events of version " + entry.versionId() + " have the Merkle root " + root
                    + ", the entry records " + entry.merkleRoot();
        }
        return null;
    }

    private static void checkHead(Digest.PartitionHead head, Digest digest, List<ManifestEntry> chain,
                                  List<Problem> problems) {
        String tp = head.topicPartition();
        String vouch = "the digest of " + digest.createdAt() + " vouches for " + tp + " up to offset "
                + head.lastOffset();
        if (chain == null || chain.isEmpty()) {
            problems.add(new Problem(Kind.TRUNCATED_PARTITION, tp, -1, head.lastOffset(), vouch
                    + ", but the partition has no manifest entries"));
            return;
        }
        for (ManifestEntry entry : chain) {
            if (head.entryHash().equals(entry.hash())) {
                if (entry.lastOffset() != head.lastOffset()) {
                    problems.add(problem(Kind.BROKEN_CHAIN, entry, vouch + ", but its entry ends at "
                            + entry.lastOffset()));
                }
                return;
            }
        }
        long chainEnd = chain.get(chain.size() - 1).lastOffset();
        if (chainEnd < head.lastOffset()) {
            problems.add(new Problem(Kind.TRUNCATED_PARTITION, tp, chainEnd + 1, head.lastOffset(), vouch
                    + ", but its chain ends at " + chainEnd));
            return;
        }
        ManifestEntry covering = chain.stream()
                .filter(e -> e.firstOffset() <= head.lastOffset() && head.lastOffset() <= e.lastOffset())
                .findFirst().orElse(null);
        String detail = vouch + " with entry hash " + head.entryHash() + ", which is not in the chain;"
                + " the chain was rewritten";
        problems.add(covering == null
                ? new Problem(Kind.BROKEN_CHAIN, tp, -1, head.lastOffset(), detail)
                : problem(Kind.BROKEN_CHAIN, covering, detail));
    }

    private String signatureFault(byte[] message, String signatureBase64, String keyId) {
        PublicKey key = keys.key(keyId);
        if (key == null) {
            return "is signed with key " + keyId + ", which the key history trusted from the pinned key "
                    + keys.pinnedId() + " does not name";
        }
        return signatureFault(key, message, signatureBase64);
    }

    private static String signatureFault(PublicKey publicKey, byte[] message, String signatureBase64) {
        if (signatureBase64 == null || signatureBase64.isEmpty()) {
            return "is not signed";
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(signatureBase64);
        } catch (IllegalArgumentException e) {
            return "signature is not base64";
        }
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initVerify(publicKey);
            signature.update(message);
            return signature.verify(raw) ? null : "signature does not verify with the published key";
        } catch (SignatureException e) {
            return "signature is malformed (" + raw.length + " bytes, Ed25519 signatures have 64)";
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("the Ed25519 public key was rejected", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }

    private static Problem problem(Kind kind, ManifestEntry entry, String detail) {
        return new Problem(kind, entry.key(), entry.firstOffset(), entry.lastOffset(), detail);
    }

    static PublicKey parsePublicKey(String pem, Path file) {
        byte[] der = Pem.decode(pem, Pem.PUBLIC, file);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (InvalidKeySpecException e) {
            throw new ManifestKeyException(file, "not an Ed25519 public key (X.509 SubjectPublicKeyInfo)", null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
    }
}
