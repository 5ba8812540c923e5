package io.auditkeeper.archiver.archive;

import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.KeyRecord;
import io.auditkeeper.evidence.manifest.KeyRevocation;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.evidence.store.KeyRecordReader;
import io.auditkeeper.evidence.store.VersionListing;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Makes sure the key the archiver signs with is in the archive's key history before it signs anything, so that every
 * entry it writes can be checked by an auditor who pinned only the first key. The first archiver of an archive writes
 * its key's record; a new key (rotation) is written as a record signed by the previous key, which the operator gives
 * for the time of the switch ({@code manifest.previous-signing-key-file}). A key the history does not name, without
 * its predecessor, stops startup: entries signed with it would fail verification for as long as they are locked.
 * Records are deterministic, so archivers starting together write the same bytes.
 */
public final class KeyHistoryPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(KeyHistoryPublisher.class);

    private final S3Client s3;
    private final String bucket;
    private final ArchiveLayout layout;
    private final ObjectLockArchiveWriter writer;
    private final int retentionYears;

    public KeyHistoryPublisher(S3Client s3, String bucket, ArchiveLayout layout, ObjectLockArchiveWriter writer,
                               int retentionYears) {
        this.s3 = s3;
        this.bucket = bucket;
        this.layout = layout;
        this.writer = writer;
        this.retentionYears = retentionYears;
    }

    /**
     * Keeps the record of {@code signer}'s key locked for as long as what it signs now: until {@code now} plus the
     * retention, extending its COMPLIANCE lock (which may only grow) when it is shorter. A record is written once,
     * but its key may sign for years after; without this the record's lock would end before the entries it vouches
     * for. Called at start and after every digest.
     */
    public void keepLocked(ManifestSigner signer, Instant now) {
        String key = layout.keyRecord(signer.keyId());
        Instant until = ObjectLockArchiveWriter.retainUntil(now, now, retentionYears);
        for (VersionListing.KeyVersions k : VersionListing.of(s3, bucket, key)) {
            if (!k.key().equals(key) || k.oldest() == null) {
                continue;
            }
            for (VersionListing.Version v : k.versions()) {
                Instant current = s3.getObjectRetention(b -> b.bucket(bucket).key(key).versionId(v.versionId()))
                        .retention().retainUntilDate();
                if (current == null || current.isBefore(until.minus(java.time.Duration.ofDays(1)))) {
                    s3.putObjectRetention(b -> b.bucket(bucket).key(key).versionId(v.versionId())
                            .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(until)));
                    LOG.atInfo().addKeyValue("key_id", signer.keyId()).addKeyValue("retain_until", until.toString())
                            .log("key record lock extended");
                }
            }
        }
    }

    /**
     * Writes what the history lacks for {@code signer}.
     *
     * @param previous the key the history already names, when {@code signer} holds a new one
     * @throws IllegalStateException naming both keys and the setting when {@code signer}'s key cannot join the history
     */
    public void ensure(ManifestSigner signer, Optional<ManifestSigner> previous, Instant now) {
        Set<String> named = new KeyRecordReader(s3, bucket, layout).read().records().values().stream()
                .map(KeyRecord::keyId).collect(Collectors.toSet());
        if (named.contains(signer.keyId())) {
            keepLocked(signer, now);
            return;
        }
        if (named.isEmpty()) {
            ManifestSigner first = previous.orElse(signer);
            put(first.sign(KeyRecord.unsigned(first.publicKeyPem(), null)), now);
            named.add(first.keyId());
            LOG.atInfo().addKeyValue("key_id", first.keyId()).log("first signing key written to the key history");
            if (named.contains(signer.keyId())) {
                keepLocked(signer, now);
                return;
            }
        }
        if (previous.isEmpty() || !named.contains(previous.get().keyId())) {
            throw new IllegalStateException("manifest.signing-key-file holds key " + signer.keyId()
                    + ", which the archive's key history (" + layout.keys() + ") does not name"
                    + previous.map(p -> ", and manifest.previous-signing-key-file holds key " + p.keyId()
                    + ", which it does not name either").orElse("")
                    + ": to rotate, set manifest.previous-signing-key-file to the key the history names"
                    + " (docs/operations.md, \"Rotating the manifest signing key\")");
        }
        put(previous.get().sign(KeyRecord.unsigned(signer.publicKeyPem(), previous.get().keyId())), now);
        LOG.atInfo().addKeyValue("key_id", signer.keyId()).addKeyValue("previous_key_id", previous.get().keyId())
                .log("new signing key written to the key history, signed by the previous key");
    }

    /**
     * Writes the revocation of each key of {@code revoked} from its time, signed by {@code signer}, unless one is there
     * already.
     *
     * @throws IllegalStateException when {@code signer}'s key does not descend from a key to revoke (verify would not
     *                               count the revocation) or is that key
     */
    public void revoke(ManifestSigner signer, Map<String, Instant> revoked, Instant now) {
        if (revoked.isEmpty()) {
            return;
        }
        KeyRecordReader.History history = new KeyRecordReader(s3, bucket, layout).read();
        Map<String, String> previous = new java.util.HashMap<>();
        history.records().values().stream().filter(r -> !r.first())
                .forEach(r -> previous.put(r.keyId(), r.previousKeyId()));
        Set<String> done = history.revocations().values().stream().map(KeyRevocation::keyId).collect(Collectors.toSet());
        revoked.forEach((keyId, from) -> {
            if (done.contains(keyId)) {
                return;
            }
            boolean descends = false;
            for (String k = previous.get(signer.keyId()); k != null && !descends; k = previous.get(k)) {
                descends = k.equals(keyId);
            }
            if (!descends) {
                throw new IllegalStateException("manifest.revoked-keys names key " + keyId + ", but this archiver's key "
                        + signer.keyId() + " does not descend from it in the key history; only a key that replaced"
                        + " it can revoke it (docs/operations.md, \"A compromised signing key\")");
            }
            KeyRevocation r = signer.sign(KeyRevocation.unsigned(keyId, from));
            writer.put(layout.revocation(keyId), ManifestCodec.writeRevocation(r), "application/json", Map.of(), now);
            LOG.atWarn().addKeyValue("key_id", keyId).addKeyValue("revoked_from", from.toString())
                    .log("signing key revoked");
        });
    }

    private void put(KeyRecord record, Instant now) {
        writer.put(layout.keyRecord(record.keyId()), ManifestCodec.writeKeyRecord(record), "application/json",
                Map.of(), now);
    }
}
