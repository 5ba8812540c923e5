package io.auditkeeper.archiver;

import io.auditkeeper.archiver.archive.KeyHistoryPublisher;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.KeyHistory;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.evidence.manifest.VerificationReport;
import io.auditkeeper.evidence.store.DigestReader;
import io.auditkeeper.evidence.store.KeyRecordReader;
import io.auditkeeper.evidence.store.ManifestReader;
import io.auditkeeper.evidence.store.S3ObjectStore;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.auditkeeper.archiver.ArchiverTestRun.awaitAtLeast;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A signing key rotated under load, as an operator would: the archiver stops with the old key and starts with the new
 * one and the old one as {@code manifest.previous-signing-key-file}. A new key alone is refused at start, naming the
 * keys and the setting. Afterwards every chain holds entries of both keys, each naming its key, and an auditor who
 * pinned only the first key verifies all of them through the key history, with no gap and no break in the chains or
 * the digests.
 */
@ExtendWith(LocalStackExtension.class)
class KeyRotationIT {
    @TempDir
    Path dir;

    /** Waits (two minutes at most) until the latest digest in the bucket is one {@code signer} signed. */
    private static void awaitDigestSignedBy(LocalStack stack, ArchiverTestRun run, ManifestSigner signer)
            throws InterruptedException {
        DigestReader digests = new DigestReader(stack.s3().client(), run.bucket, new ArchiveLayout(""));
        awaitAtLeast("a digest signed by key " + signer.keyId(), () -> digests.latest(Instant.now())
                .filter(d -> signer.keyId().equals(d.keyId())).isPresent() ? 1 : 0, 1);
    }

    @Test
    void shouldRefuseWhatTheOldKeySignsAfterItsRevocationAndKeepWhatItSignedBefore(LocalStack stack) throws Exception {
        ArchiverTestRun run = new ArchiverTestRun(dir, stack, stack.openSearchUrl(), stack.s3().endpoint().toString());
        try (ArchiverService first = run.start()) {
            run.send(0, 60);
            awaitAtLeast("archived with the first key", first::archivedRecords, 60);
        }
        Path oldKey = dir.resolve("signing.pem");
        Path newKey = dir.resolve("rotated.pem");
        ManifestSigner.generate(newKey, dir.resolve("rotated.pub.pem"));
        ManifestSigner oldSigner = ManifestSigner.fromPemFile(oldKey);
        ManifestSigner newSigner = ManifestSigner.fromPemFile(newKey);
        try (ArchiverService rotated = run.start(Map.of("manifest.signing-key-file", newKey.toString(),
                "manifest.previous-signing-key-file", oldKey.toString()))) {
            run.send(60, 120);
            awaitAtLeast("archived with the new key", rotated::archivedRecords, 60);
        }
        Instant compromised = Instant.now();
        try (ArchiverService revoking = run.start(Map.of("manifest.signing-key-file", newKey.toString(),
                "manifest.revoked-keys", oldSigner.keyId() + "@" + compromised))) {
            run.send(120, 180);
            awaitAtLeast("archived after the revocation", revoking::archivedRecords, 60);
        }
        // whoever stole the old key runs an archiver with it
        try (ArchiverService thief = run.start()) {
            run.send(180, 240);
            awaitAtLeast("archived by the thief", thief::archivedRecords, 60);
        }

        S3Client s3 = stack.s3().client();
        ArchiveLayout layout = new ArchiveLayout("");
        KeyRecordReader.History history = new KeyRecordReader(s3, run.bucket, layout).read();
        KeyHistory keys = history.trustFrom(ManifestVerifier.fromPublicKeyPemFile(dir.resolve("signing.pub.pem"))
                .keys().pinnedKey());
        ManifestVerifier verifier = ManifestVerifier.withKeys(keys);
        assertThat(keys.problems()).isEmpty();
        assertThat(keys.revokedFrom(oldSigner.keyId())).isEqualTo(compromised);
        assertThat(keys.trustedIds()).containsExactly(oldSigner.keyId(), newSigner.keyId());
        List<ManifestEntry> flagged = new java.util.ArrayList<>();
        List<ManifestEntry> oldBefore = new java.util.ArrayList<>();
        for (int p = 0; p < ArchiverTestRun.PARTITIONS; p++) {
            ManifestReader.Chain chain = new ManifestReader(s3, run.bucket, layout).readChain(run.topic, p);
            assertThat(verifier.verifyPartition(chain.entries(), new S3ObjectStore(s3, run.bucket), Instant.now(),
                    Duration.ofDays(6 * 365 + 1)).problems()).as("partition %d: signatures, chain, objects", p).isEmpty();
            verifier.revokedSignatures(chain.entries(), chain::writtenAt).forEach(x -> chain.entries().stream()
                    .filter(e -> e.key().equals(x.key())).forEach(flagged::add));
            chain.entries().stream().filter(e -> oldSigner.keyId().equals(e.keyId()))
                    .filter(e -> chain.writtenAt(e).isBefore(compromised)).forEach(oldBefore::add);
        }
        assertThat(flagged).as("the thief's entries").isNotEmpty()
                .allSatisfy(e -> assertThat(e.keyId()).isEqualTo(oldSigner.keyId()))
                .allSatisfy(e -> assertThat(e.lastOffset()).isGreaterThanOrEqualTo(180 / ArchiverTestRun.PARTITIONS));
        assertThat(oldBefore).as("the old key's entries from before the compromise stay evidence").isNotEmpty()
                .doesNotContainAnyElementsOf(flagged);
    }

    @Test
    void shouldChainEntriesOfTheOldAndTheNewKeyAndVerifyThemAllFromThePinnedFirstKey(LocalStack stack) throws Exception {
        ArchiverTestRun run = new ArchiverTestRun(dir, stack, stack.openSearchUrl(), stack.s3().endpoint().toString());
        try (ArchiverService first = run.start(Map.of("digest.interval-ms", "1000"))) {
            run.send(0, 100);
            awaitAtLeast("archived with the first key", first::archivedRecords, 100);
            awaitDigestSignedBy(stack, run, ManifestSigner.fromPemFile(dir.resolve("signing.pem")));
        }
        Path oldKey = dir.resolve("signing.pem");
        Path newKey = dir.resolve("rotated.pem");
        ManifestSigner.generate(newKey, dir.resolve("rotated.pub.pem"));
        ManifestSigner oldSigner = ManifestSigner.fromPemFile(oldKey);
        ManifestSigner newSigner = ManifestSigner.fromPemFile(newKey);

        assertThatThrownBy(() -> run.start(Map.of("manifest.signing-key-file", newKey.toString())))
                .hasMessageContaining("holds key " + newSigner.keyId())
                .hasMessageContaining("does not name")
                .hasMessageContaining("manifest.previous-signing-key-file");

        Map<String, Object> rotating = new HashMap<>();
        rotating.put("manifest.signing-key-file", newKey.toString());
        rotating.put("manifest.previous-signing-key-file", oldKey.toString());
        rotating.put("digest.interval-ms", "1000");
        try (ArchiverService rotated = run.start(rotating)) {
            run.send(100, 200);
            awaitAtLeast("archived with the new key", rotated::archivedRecords, 100);
            awaitDigestSignedBy(stack, run, newSigner);
        }
        // once the history names it, the new key alone is enough
        try (ArchiverService after = run.start(Map.of("manifest.signing-key-file", newKey.toString(),
                "digest.interval-ms", "1000"))) {
            run.send(200, 300);
            awaitAtLeast("archived after the rotation", after::archivedRecords, 100);
        }

        S3Client s3 = stack.s3().client();
        ArchiveLayout layout = new ArchiveLayout("");
        KeyRecordReader.History history = new KeyRecordReader(s3, run.bucket, layout).read();
        KeyHistory keys = KeyHistory.from(ManifestVerifier.fromPublicKeyPemFile(dir.resolve("signing.pub.pem"))
                .keys().pinnedKey(), history.records());
        assertThat(history.problems()).isEmpty();
        assertThat(keys.problems()).isEmpty();
        assertThat(keys.trustedIds()).containsExactly(oldSigner.keyId(), newSigner.keyId());

        ManifestVerifier verifier = ManifestVerifier.withKeys(keys);
        ManifestVerifier pinnedOnly = ManifestVerifier.fromPublicKeyPemFile(dir.resolve("signing.pub.pem"));
        ManifestReader manifests = new ManifestReader(s3, run.bucket, layout);
        Map<String, List<ManifestEntry>> chains = new HashMap<>();
        long offsets = 0;
        for (int p = 0; p < ArchiverTestRun.PARTITIONS; p++) {
            List<ManifestEntry> chain = manifests.readChain(run.topic, p).entries();
            chains.put(run.topic + "-" + p, chain);
            VerificationReport report = verifier.verifyPartition(chain, new S3ObjectStore(s3, run.bucket),
                    Instant.now(), Duration.ofDays(6 * 365 + 1));
            assertThat(report.problems()).as("partition %d", p).isEmpty();
            offsets += report.lastOffset() + 1;
            assertThat(chain).extracting(ManifestEntry::keyId).as("partition %d: the old key's entries, then the new's", p)
                    .contains(oldSigner.keyId(), newSigner.keyId())
                    .isSortedAccordingTo((a, b) -> Boolean.compare(b.equals(oldSigner.keyId()), a.equals(oldSigner.keyId())));
            assertThat(chain).filteredOn(e -> newSigner.keyId().equals(e.keyId()))
                    .allSatisfy(e -> assertThat(pinnedOnly.signatureValid(e)).isFalse());
        }
        assertThat(offsets).isEqualTo(300);
        List<Digest> digests = new DigestReader(s3, run.bucket, layout).all();
        assertThat(digests).extracting(Digest::keyId).contains(oldSigner.keyId(), newSigner.keyId());
        assertThat(verifier.verifyDigests(digests, chains)).isEmpty();

        // a key that signs for years keeps its record locked for as long as what it signs
        String record = layout.keyRecord(newSigner.keyId());
        Instant later = Instant.now().plus(Duration.ofDays(400));
        new KeyHistoryPublisher(s3, run.bucket, layout, new ObjectLockArchiveWriter(s3, run.bucket, 6,
                ObjectLockArchiveWriter.Encryption.none()), 6).keepLocked(newSigner, later);
        Instant lockedUntil = s3.getObjectRetention(b -> b.bucket(run.bucket).key(record)).retention().retainUntilDate();
        assertThat(lockedUntil).isAfterOrEqualTo(ObjectLockArchiveWriter.retainUntil(later, later, 6));
    }
}
