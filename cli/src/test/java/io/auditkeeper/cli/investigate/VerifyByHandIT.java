package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import io.auditkeeper.evidence.manifest.KeyRecord;
import io.auditkeeper.evidence.manifest.KeyRevocation;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.evidence.proof.ArchivedEvents;
import io.auditkeeper.evidence.store.DigestReader;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code docs/verify-by-hand.sh}, the recipe of {@code docs/verify-by-hand.md} for auditors who verify the archive
 * with the AWS CLI, {@code sha256sum}, {@code openssl} and {@code jq} instead of Audit Keeper, run with bash against
 * an archive the real archiver wrote to Ceph (which enforces Object Lock). One archive of six partitions, two
 * objects each: partition 0 stays intact, partition 1 gets a version written on top of a data object and a delete
 * marker on a manifest object, partition 2 gets an extra entry signed with the real key that does not follow its
 * predecessor, partition 3 has its head rewritten with the real key, object, entry and digest, as new versions,
 * partition 4 gets entries signed with the real key whose Merkle root or count is not their intact object's (the
 * same archive then goes to {@code auditkeeper verify} too, which must name the same objects), partition 5 gets a later
 * version of an object with the same events gzipped at another level (a leftover), then one with other events. The tools are required, not optional: without them this test fails, saying which one is missing
 * ({@code ./auditkeeper test} installs them).
 */
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VerifyByHandIT {
    private static final int PARTITIONS = 6;
    private static final int EVENTS = 60;
    private static final int PER_OBJECT = 5;
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123Z");

    @TempDir
    static Path dir;

    private static Path script;
    private static Archive archive;

    @BeforeAll
    static void toolsAndArchive(LocalStack stack) throws Exception {
        script = findScript();
        for (String[] tool : new String[][] {{"aws", "aws --version", "awscli"}, {"jq", "jq --version", "jq"},
                {"openssl", "openssl version", "openssl"}, {"sha256sum", "sha256sum --version", "coreutils"},
                {"base64", "base64 --version", "coreutils"}, {"gzip", "gzip --version", "gzip"},
                {"od", "od --version", "coreutils"}, {"xargs", "xargs --version", "findutils"}}) {
            Result r = run(List.of("bash", "-c", tool[1]), Map.of());
            if (r.code() != 0) {
                fail("docs/verify-by-hand.sh needs `" + tool[0] + "`, and `" + tool[1] + "` failed (exit " + r.code()
                        + "): " + r.out() + r.err() + " -- install the Debian package " + tool[2]
                        + " (./auditkeeper test installs what is missing when run as root)");
            }
            System.out.println("verify-by-hand tool: " + (r.out() + r.err()).strip().lines().findFirst().orElse(""));
        }
        archive = archive(stack);
    }

    @Test
    void shouldPassEveryCheckOnTheDeadLetterArchiveWhenItsTopicIsGiven() throws Exception {
        Result r = archive.verify(archive.archive().deadLetterTopic(), archive.publicKey());

        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).doesNotContain("FAIL");
        assertThat(r.out().strip()).endsWith("PASSED: 1 entries, 2 records; every check passed");
    }

    @Test
    void shouldPassEveryCheckOnAnIntactPartition() throws Exception {
        List<ManifestEntry> chain = archive.manifests().all(archive.topic(), 0);
        assertThat(chain).hasSize(EVENTS / PARTITIONS / PER_OBJECT);

        Result r = archive.verify(archive.topic() + "/0", archive.publicKey());

        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out())
                .containsPattern(line("OK", "key", archive.publicKey().toString()) + ": Ed25519")
                .containsPattern(line("INFO", "key", "s3://" + archive.bucket() + "/" + archive.prefix()
                        + "/manifests/public-key.pem") + " is the same key")
                .containsPattern(line("OK", "bucket", "Object Lock enabled, default retention COMPLIANCE 6 years"))
                .containsPattern(line("OK", "bucket", "versioning Enabled"))
                .containsPattern(line("OK", "digest", archive.prefix() + "/digests/") + ".*: signature verifies")
                .containsPattern(line("OK", "digest", archive.topic() + "-0") + ": the latest digest's head \\(offset "
                        + chain.get(chain.size() - 1).lastOffset() + "\\) is in the chain")
                .doesNotContain("FAIL");
        ManifestEntry previous = null;
        for (ManifestEntry e : chain) {
            String manifest = archive.manifestKey(e);
            assertThat(r.out())
                    .containsPattern(line("OK", "manifest", manifest) + ": version .*, COMPLIANCE until ")
                    .containsPattern(line("OK", "signature", manifest) + ": Ed25519 signature verifies")
                    .containsPattern(line("OK", "chain", manifest) + ": previousHash " + e.previousHash().substring(0, 16)
                            + "\\.\\.\\. is the hash of " + (previous == null ? "nothing \\(the first entry\\)"
                            : Pattern.quote(archive.manifestKey(previous))))
                    .containsPattern(line("OK", "offsets", manifest) + ": offsets " + e.firstOffset() + "-"
                            + e.lastOffset() + ", " + e.count() + " records")
                    .containsPattern(line("OK", "versions", e.key()) + ": only the recorded version "
                            + Pattern.quote(e.versionId()))
                    .containsPattern(line("OK", "sha256", e.key()) + ": " + e.sha256() + ", as recorded")
                    .containsPattern(line("OK", "merkle", e.key()) + ": " + e.count() + " events, Merkle root "
                            + e.merkleRoot().substring(0, 16) + "\\.\\.\\., as recorded")
                    .containsPattern(line("OK", "retention", e.key()) + ": COMPLIANCE until 2032-.* \\(recorded "
                            + Pattern.quote(e.retainUntil()) + ", last event " + Pattern.quote(e.lastEventTime())
                            + " \\+ 6 years\\)");
            previous = e;
        }
        assertThat(r.out().strip()).endsWith("PASSED: " + chain.size() + " entries, " + EVENTS / PARTITIONS
                + " records; every check passed");
    }

    @Test
    void shouldFailNamingTheObjectWhenAVersionIsWrittenOnTopOrADeleteMarkerHidesAManifest() throws Exception {
        List<ManifestEntry> chain = archive.manifests().all(archive.topic(), 1);
        ManifestEntry overwritten = chain.get(0);
        ManifestEntry hidden = chain.get(chain.size() - 1);
        S3Client s3 = archive.archive().stack().s3().client();
        byte[] forged = "{\"forged\":true}\n".getBytes(StandardCharsets.UTF_8);
        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(forged));
        s3.putObject(b -> b.bucket(archive.bucket()).key(overwritten.key()).contentMD5(md5), RequestBody.fromBytes(forged));
        s3.deleteObject(b -> b.bucket(archive.bucket()).key(archive.manifestKey(hidden)));

        Result r = archive.verify(archive.topic() + "/1", archive.publicKey());

        assertThat(r.code()).as(r.all()).isEqualTo(1);
        assertThat(r.out())
                .containsPattern(line("FAIL", "versions", overwritten.key()) + ": versions or delete markers \\[.+\\]"
                        + " besides the recorded " + Pattern.quote(overwritten.versionId())
                        + "; something was written on top")
                .as("the recorded version itself is intact, and it is the one hashed")
                .containsPattern(line("OK", "sha256", overwritten.key()) + ": " + overwritten.sha256())
                .containsPattern(line("FAIL", "manifest", archive.manifestKey(hidden)) + ": 1 versions and 1 delete"
                        + " marker\\(s\\); something was written on top")
                .as("the hidden entry is still read, from its version, and still chains")
                .containsPattern(line("OK", "chain", archive.manifestKey(hidden)))
                .containsPattern("(?m)^FAILED: 2 check\\(s\\) failed$");
    }

    @Test
    void shouldExplainInBothVerifiersAVersionOfTheSameEventsCompressedDifferentlyAndStillFailOtherEvents()
            throws Exception {
        List<ManifestEntry> chain = archive.manifests().all(archive.topic(), 5);
        ManifestEntry same = chain.get(0);
        ManifestEntry other = chain.get(chain.size() - 1);
        S3Client s3 = archive.archive().stack().s3().client();
        byte[] recorded = s3.getObjectAsBytes(b -> b.bucket(archive.bucket()).key(same.key())
                .versionId(same.versionId())).asByteArray();
        // a fenced archiver at archive.compression-level 1, in an image with another zlib, PUTs the batch the
        // live writer recorded at level 6
        byte[] fastest = TestArchive.gzippedElsewhere(ArchivedEvents.lines(recorded), 1);
        assertThat(fastest).isNotEqualTo(recorded);
        String again = putVersion(s3, same.key(), fastest);

        Result byHand = archive.verify(archive.topic() + "/5", archive.publicKey());
        CliRun java = CliRun.of(archive.archive().args(List.of("verify"), "--json", "--public-key",
                archive.publicKey().toString()));

        assertThat(byHand.code()).as(byHand.all()).isZero();
        assertThat(byHand.out())
                .containsPattern(line("INFO", "versions", same.key()) + ": version " + Pattern.quote(again)
                        + " has SHA-256 " + ManifestEntry.sha256Hex(fastest) + ", not the recorded " + same.sha256()
                        + ", but gunzips to the recorded version's bytes: the same events, compressed differently")
                .containsPattern(line("OK", "versions", same.key()) + ": the recorded version "
                        + Pattern.quote(same.versionId()) + ", and besides it only the same events again")
                .containsPattern(line("OK", "versions", other.key()) + ": only the recorded version ")
                .doesNotContain("FAIL");
        assertThat(leftovers(java, "DUPLICATE_VERSION")).containsExactly(same.key() + " " + again);

        // other events, at that level too, are a write on top
        byte[] otherRecorded = s3.getObjectAsBytes(b -> b.bucket(archive.bucket()).key(other.key())
                .versionId(other.versionId())).asByteArray();
        List<byte[]> lines = new ArrayList<>(ArchivedEvents.lines(otherRecorded));
        lines.set(0, "{\"auditID\":\"forged\"}".getBytes(StandardCharsets.UTF_8));
        String forged = putVersion(s3, other.key(), TestArchive.gzippedElsewhere(lines, 1));

        Result after = archive.verify(archive.topic() + "/5", archive.publicKey());
        CliRun javaAfter = CliRun.of(archive.archive().args(List.of("verify"), "--json", "--public-key",
                archive.publicKey().toString()));

        assertThat(after.code()).as(after.all()).isEqualTo(1);
        assertThat(after.out())
                .containsPattern(line("FAIL", "versions", other.key()) + ": versions or delete markers \\["
                        + Pattern.quote(forged) + "\\] besides the recorded " + Pattern.quote(other.versionId()))
                .containsPattern(line("INFO", "versions", same.key()) + ": version " + Pattern.quote(again))
                .containsPattern("(?m)^FAILED: 1 check\\(s\\) failed$");
        List<String> found = new ArrayList<>();
        AuditJson.mapper().readTree(javaAfter.out()).path("partitions").forEach(p -> p.path("problems")
                .forEach(x -> found.add(x.path("kind").asText() + " " + x.path("key").asText())));
        assertThat(found).contains("NEWER_VERSION " + other.key()).doesNotContain("NEWER_VERSION " + same.key());
        assertThat(leftovers(javaAfter, "DUPLICATE_VERSION")).containsExactly(same.key() + " " + again);
    }

    /** The leftovers of {@code kind} in {@code auditkeeper verify --json}'s answer, as "key versionId". */
    private static List<String> leftovers(CliRun java, String kind) throws IOException {
        List<String> out = new ArrayList<>();
        AuditJson.mapper().readTree(java.out()).path("partitions").forEach(p -> p.path("leftovers").forEach(x -> {
            if (x.path("kind").asText().equals(kind)) {
                out.add(x.path("key").asText() + " " + x.path("versionId").asText());
            }
        }));
        return out;
    }

    private static String putVersion(S3Client s3, String key, byte[] bytes) throws Exception {
        String md5 = md5(bytes);
        return s3.putObject(b -> b.bucket(archive.bucket()).key(key).contentMD5(md5), RequestBody.fromBytes(bytes))
                .versionId();
    }


    /**
     * Before the last: the revocation applies to the whole archive. The archive's key is rotated by hand (a new key's
     * record, signed by the archive's key) and revoked from now by the new key; then an entry signed with the old key
     * is added to partition 0's chain, as a thief holding it would. Both verifiers refuse that entry and only it.
     */
    @Test
    @Order(Integer.MAX_VALUE - 2)
    void shouldRefuseInBothVerifiersAnEntryTheRevokedKeySignedAfterItsRevocation() throws Exception {
        S3Client s3 = archive.archive().stack().s3().client();
        String bucket = archive.bucket();
        ArchiveLayout layout = new ArchiveLayout(archive.prefix());
        ManifestSigner old = ManifestSigner.fromPemFile(archive.archive().signingKey());
        Path newKey = dir.resolve("successor.pem");
        ManifestSigner.generate(newKey, dir.resolve("successor.pub.pem"));
        ManifestSigner successor = ManifestSigner.fromPemFile(newKey);
        put(s3, bucket, layout.keyRecord(successor.keyId()),
                ManifestCodec.writeKeyRecord(old.sign(KeyRecord.unsigned(successor.publicKeyPem(), old.keyId()))));
        Thread.sleep(1_100); // S3 write times have one-second steps: the revocation time comes after the record's
        Instant compromised = Instant.now();
        put(s3, bucket, layout.revocation(old.keyId()),
                ManifestCodec.writeRevocation(successor.sign(KeyRevocation.unsigned(old.keyId(), compromised))));
        Thread.sleep(1_100);
        List<ManifestEntry> chain = archive.manifests().all(archive.topic(), 0);
        ManifestEntry head = chain.get(chain.size() - 1);
        ManifestEntry stolen = old.sign(ManifestEntry.unsigned(head.topic(), head.partition(), head.lastOffset() + 1,
                head.lastOffset() + 5, 5, Instant.parse(head.lastEventTime()), Instant.parse(head.lastEventTime()),
                head.key(), head.versionId(), head.sha256(), head.hash(), "COMPLIANCE", Instant.parse(head.retainUntil()),
                head.merkleRoot()));
        archive.manifests().put(stolen, Instant.parse(head.lastEventTime()));
        String stolenManifest = archive.manifestKey(stolen);

        Result byHand = archive.verify(archive.topic() + "/0", archive.publicKey());
        CliRun java = CliRun.of(archive.archive().args(List.of("verify"), "--json", "--public-key",
                archive.publicKey().toString()));

        assertThat(byHand.out())
                .containsPattern(line("OK", "keys", archive.prefix() + "/keys/" + successor.keyId() + ".json"))
                .containsPattern(line("INFO", "keys", archive.prefix() + "/key-revocations/" + old.keyId() + ".json")
                        + ": key " + old.keyId() + " revoked from")
                .containsPattern(line("FAIL", "revoked", stolenManifest) + ": signed with key " + old.keyId())
                .doesNotContainPattern(line("FAIL", "revoked", archive.manifestKey(head)));
        assertThat(java.code()).as(java.out() + java.err()).isEqualTo(1);
        JsonNode doc = AuditJson.mapper().readTree(java.out());
        List<String> revoked = new ArrayList<>();
        doc.path("partitions").forEach(p -> p.path("problems").forEach(x -> {
            if (x.path("kind").asText().equals("KEY_REVOKED")) {
                revoked.add(x.path("key").asText() + " " + x.path("firstOffset").asLong());
            }
        }));
        assertThat(revoked).as("only the entry signed after the revocation").containsExactly(
                stolen.key() + " " + stolen.firstOffset());
        assertThat(doc.path("keys").path("trusted")).hasSize(2);
    }

    /** Last: the objects it adds are under the whole archive's prefix, and locked by the bucket's default. */
    @Test
    @Order(Integer.MAX_VALUE)
    void shouldListInBothVerifiersObjectsUnderThePrefixThatNoArchiverWrites() throws Exception {
        S3Client s3 = archive.archive().stack().s3().client();
        String notes = archive.prefix() + "/events/notes.txt";
        String export = archive.prefix() + "/exports/patients.csv";
        put(s3, archive.bucket(), notes, "copied by hand\n".getBytes(StandardCharsets.UTF_8));
        put(s3, archive.bucket(), export, "mrn,name\n".getBytes(StandardCharsets.UTF_8));

        Result byHand = archive.verify(archive.topic(), archive.publicKey());
        CliRun java = CliRun.of(archive.archive().args(List.of("verify"), "--json", "--public-key",
                archive.publicKey().toString()));

        assertThat(byHand.code()).as(byHand.all()).isEqualTo(1);
        assertThat(byHand.out()).containsPattern(line("FAIL", "objects", notes) + ": version .* is nothing an archiver"
                + " writes").containsPattern(line("FAIL", "objects", export) + ": version ");
        assertThat(byHand.out().lines().filter(l -> l.matches("FAIL +objects .*"))).hasSize(2);
        JsonNode doc = AuditJson.mapper().readTree(java.out());
        assertThat(doc.path("objects").path("ok").asBoolean(true)).isFalse();
        List<String> unexplained = new ArrayList<>();
        doc.path("objects").path("unexplained").forEach(p -> unexplained.add(p.path("kind").asText() + " "
                + p.path("key").asText()));
        assertThat(unexplained).containsExactlyInAnyOrder("UNEXPLAINED_OBJECT " + notes,
                "UNEXPLAINED_OBJECT " + export);
    }

    private static void put(S3Client s3, String bucket, String key, byte[] bytes) throws Exception {
        String md5 = md5(bytes);
        s3.putObject(b -> b.bucket(bucket).key(key).contentMD5(md5), RequestBody.fromBytes(bytes));
    }

    /** Near the last: the digest it rewrites is every partition's. */
    @Test
    @Order(Integer.MAX_VALUE - 1)
    void shouldFailInBothVerifiersWhenTheHeadObjectEntryAndDigestAreRewrittenAsNewVersionsWithTheRealKey()
            throws Exception {
        // Whoever holds the signing key and s3:PutObject: a new version of the head's object, an entry for it in place
        // of the head's (same offsets, same previousHash: the chain still links), and a new version of the latest
        // digest naming the new head. Read at their latest versions, everything verifies.
        List<ManifestEntry> chain = archive.manifests().all(archive.topic(), 3);
        ManifestEntry head = chain.get(chain.size() - 1);
        S3Client s3 = archive.archive().stack().s3().client();
        String bucket = archive.bucket();
        byte[] forged = gzip("{\"auditID\":\"forged\"}\n");
        String forgedMd5 = md5(forged);
        String forgedVersion = s3.putObject(b -> b.bucket(bucket).key(head.key()).contentMD5(forgedMd5),
                RequestBody.fromBytes(forged)).versionId();
        ManifestSigner signer = ManifestSigner.fromPemFile(archive.archive().signingKey());
        ManifestEntry rewritten = signer.sign(ManifestEntry.unsigned(head.topic(), head.partition(), head.firstOffset(),
                head.lastOffset(), 1, Instant.parse(head.firstEventTime()),
                Instant.parse(head.lastEventTime()), head.key(), forgedVersion, ManifestEntry.sha256Hex(forged),
                head.previousHash(), head.retentionMode(), Instant.parse(head.retainUntil()),
                ArchivedEvents.merkleRoot(forged)));
        byte[] manifest = ManifestCodec.write(List.of(rewritten));
        String manifestKey = archive.manifestKey(head);
        String manifestMd5 = md5(manifest);
        s3.putObject(b -> b.bucket(bucket).key(manifestKey).contentMD5(manifestMd5), RequestBody.fromBytes(manifest));
        ArchiveLayout layout = new ArchiveLayout(archive.prefix());
        List<Digest> digests = new DigestReader(s3, bucket, layout).all();
        Digest latest = digests.get(digests.size() - 1);
        List<Digest.PartitionHead> heads = latest.heads().stream()
                .map(h -> h.topicPartition().equals(head.topicPartition()) ? Digest.PartitionHead.of(rewritten) : h)
                .toList();
        Digest forgedDigest = signer.sign(Digest.unsigned(Instant.parse(latest.createdAt()), heads,
                latest.previousDigestHash()));
        byte[] digestBytes = ManifestCodec.writeDigest(forgedDigest);
        String digestKey = layout.digest(Instant.parse(latest.createdAt()));
        String digestMd5 = md5(digestBytes);
        s3.putObject(b -> b.bucket(bucket).key(digestKey).contentMD5(digestMd5), RequestBody.fromBytes(digestBytes));

        Result byHand = archive.verify(archive.topic() + "/3", archive.publicKey());
        CliRun java = CliRun.of(archive.archive().args(List.of("verify"), "--json", "--public-key",
                archive.publicKey().toString()));

        assertThat(byHand.code()).as(byHand.all()).isEqualTo(1);
        assertThat(byHand.out())
                .containsPattern(line("FAIL", "manifest", manifestKey) + ": 2 versions and 0 delete marker\\(s\\);"
                        + " something was written on top \\(reading the oldest version, ")
                .containsPattern(line("FAIL", "versions", head.key()) + ": versions or delete markers \\["
                        + Pattern.quote(forgedVersion) + "\\] besides the recorded " + Pattern.quote(head.versionId()))
                .containsPattern(line("FAIL", "digest", digestKey) + ": 2 versions or delete markers");
        assertThat(java.code()).as(java.out() + java.err()).isEqualTo(1);
        JsonNode doc = AuditJson.mapper().readTree(java.out());
        List<String> found = new ArrayList<>();
        doc.path("partitions").forEach(p -> p.path("problems").forEach(x -> found.add(x.path("kind").asText() + " "
                + x.path("key").asText())));
        doc.path("digests").path("problems").forEach(x -> found.add(x.path("kind").asText() + " " + x.path("key").asText()));
        assertThat(found).contains("REWRITTEN_MANIFEST " + manifestKey, "NEWER_VERSION " + head.key(),
                "REWRITTEN_DIGEST " + digestKey);
    }

    private static byte[] gzip(String text) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
            z.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static String md5(byte[] bytes) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
    }

    @Test
    void shouldFailTheChainAndTheOffsetsWhenAnEntrySignedWithTheRealKeyDoesNotFollowItsPredecessor() throws Exception {
        List<ManifestEntry> chain = archive.manifests().all(archive.topic(), 2);
        ManifestEntry last = chain.get(chain.size() - 1);
        long first = last.lastOffset() + 11;
        // Someone with the signing key adds an entry of their own: it starts a new chain (previousHash of 64 zeros)
        // and leaves offsets out. The signature verifies; the chain and the offsets show it.
        ManifestEntry extra = ManifestSigner.fromPemFile(archive.archive().signingKey()).sign(ManifestEntry.unsigned(archive.topic(),
                2, first, first + 4, 5, Instant.parse(last.firstEventTime()), Instant.parse(last.lastEventTime()),
                last.key(), last.versionId(), last.sha256(), ManifestEntry.GENESIS, "COMPLIANCE",
                Instant.parse(last.retainUntil()), last.merkleRoot()));
        archive.manifests().put(extra, Instant.parse(last.lastEventTime()));
        String extraKey = archive.manifestKey(extra);

        Result r = archive.verify(archive.topic() + "/2", archive.publicKey());

        assertThat(r.code()).as(r.all()).isEqualTo(1);
        assertThat(r.out())
                .containsPattern(line("OK", "signature", extraKey))
                .containsPattern(line("FAIL", "chain", extraKey) + ": previousHash " + ManifestEntry.GENESIS + " is not "
                        + last.hash() + ", the hash of " + Pattern.quote(archive.manifestKey(last)))
                .containsPattern(line("FAIL", "offsets", extraKey) + ": offsets " + (last.lastOffset() + 1) + "-"
                        + (first - 1) + " are in no entry")
                .containsPattern("(?m)^FAILED: 2 check\\(s\\) failed$");
    }

    @Test
    void shouldFailInBothVerifiersWhenAnEntrySignedWithTheRealKeyRecordsOtherEventsThanItsIntactObjectHolds()
            throws Exception {
        // Someone with the signing key (or an archiver with a bug) adds entries for the head's intact object, chained
        // and contiguous, one over other events' Merkle root, one with a count one short. SHA-256, signature, chain
        // and offsets verify; only the object's events show it.
        List<ManifestEntry> chain = archive.manifests().all(archive.topic(), 4);
        ManifestEntry head = chain.get(chain.size() - 1);
        ManifestSigner signer = ManifestSigner.fromPemFile(archive.archive().signingKey());
        String otherRoot = ArchivedEvents.merkleRoot(gzip("{\"auditID\":\"other\"}\n"));
        ManifestEntry wrongRoot = signer.sign(entryAfter(head, head, head.count(), otherRoot));
        ManifestEntry wrongCount = signer.sign(entryAfter(wrongRoot, head, head.count() - 1, head.merkleRoot()));
        archive.manifests().put(wrongRoot, Instant.parse(head.lastEventTime()));
        archive.manifests().put(wrongCount, Instant.parse(head.lastEventTime()));

        Result byHand = archive.verify(archive.topic() + "/4", archive.publicKey());
        CliRun java = CliRun.of(archive.archive().args(List.of("verify"), "--json", "--public-key",
                archive.publicKey().toString()));

        String rootFault = "the events of version " + head.versionId() + " have the Merkle root " + head.merkleRoot()
                + ", the entry records " + otherRoot;
        String countFault = "version " + head.versionId() + " holds " + head.count() + " events, the entry counts "
                + (head.count() - 1);
        assertThat(byHand.code()).as(byHand.all()).isEqualTo(1);
        assertThat(byHand.out())
                .containsPattern(line("OK", "merkle", head.key()) + ": " + head.count() + " events")
                .containsPattern(line("OK", "signature", archive.manifestKey(wrongRoot)))
                .containsPattern(line("OK", "chain", archive.manifestKey(wrongCount)))
                .containsPattern(line("FAIL", "merkle", head.key() + ": " + rootFault) + "$")
                .containsPattern(line("FAIL", "merkle", head.key() + ": " + countFault) + "$")
                .containsPattern("(?m)^FAILED: 2 check\\(s\\) failed$");
        assertThat(java.code()).as(java.out() + java.err()).isEqualTo(1);
        JsonNode doc = AuditJson.mapper().readTree(java.out());
        List<String> found = new ArrayList<>();
        doc.path("partitions").forEach(p -> p.path("problems").forEach(x -> {
            if (x.path("kind").asText().equals("MERKLE_MISMATCH")) {
                found.add(x.path("key").asText() + " " + x.path("firstOffset").asLong() + ": "
                        + x.path("detail").asText());
            }
        }));
        assertThat(found).as("the same entries, for the same reasons, as the script").containsExactlyInAnyOrder(
                head.key() + " " + wrongRoot.firstOffset() + ": " + rootFault,
                head.key() + " " + wrongCount.firstOffset() + ": " + countFault);
    }

    /** An entry for {@code object}'s object, after {@code previous}: chained, contiguous, the same number of offsets. */
    private static ManifestEntry entryAfter(ManifestEntry previous, ManifestEntry object, int count, String merkleRoot) {
        long first = previous.lastOffset() + 1;
        return ManifestEntry.unsigned(object.topic(), object.partition(), first,
                first + object.lastOffset() - object.firstOffset(), count, Instant.parse(object.firstEventTime()),
                Instant.parse(object.lastEventTime()), object.key(), object.versionId(), object.sha256(),
                previous.hash(), object.retentionMode(), Instant.parse(object.retainUntil()), merkleRoot);
    }

    @Test
    void shouldFailEverySignatureWhenTheKeyIsNotTheArchiversAndFindEveryPartitionOfTheTopic() throws Exception {
        Path otherKey = dir.resolve("other.pub.pem");
        if (!Files.exists(otherKey)) {
            ManifestSigner.generate(dir.resolve("other.pem"), otherKey);
        }

        Result r = archive.verify(archive.topic(), otherKey);

        assertThat(r.code()).as(r.all()).isEqualTo(1);
        assertThat(r.out())
                .containsPattern(line("INFO", "key", "s3://" + archive.bucket() + "/" + archive.prefix()
                        + "/manifests/public-key.pem") + " is another key")
                .as("the archiver's first key claims to be the first, but another is pinned: no key is trusted")
                .containsPattern(line("FAIL", "keys", archive.prefix() + "/keys/") + ".*: key [0-9a-f]{64} is not"
                        + " reached from the pinned key")
                .containsPattern(line("FAIL", "digest", archive.prefix() + "/digests/") + ".*: signed with key"
                        + " [0-9a-f]{64}, which the key history trusted from " + Pattern.quote(otherKey.toString())
                        + " does not name")
                .containsPattern("(?m)^FAILED: ");
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(r.out()).contains("-- " + archive.topic() + "-" + p + ": ");
        }
        for (ManifestEntry e : archive.manifests().all(archive.topic(), 0)) {
            assertThat(r.out()).containsPattern(line("FAIL", "signature", archive.manifestKey(e))
                    + ": signed with key " + e.keyId() + ", which the key history trusted from "
                    + Pattern.quote(otherKey.toString()) + " does not name");
            assertThat(r.out()).as("what the signature does not cover still checks out")
                    .containsPattern(line("OK", "sha256", e.key()));
        }
    }

    @Test
    void shouldExitTwoNamingTheToolWhenJqIsMissing() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin-without-jq"));
        for (String tool : List.of("aws", "openssl", "sha256sum", "base64", "date", "mktemp", "sed", "head", "bash")) {
            Result which = run(List.of("bash", "-c", "command -v " + tool), Map.of());
            Path link = bin.resolve(tool);
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of(which.out().strip()));
            }
        }

        Result r = run(List.of(bin.resolve("bash").toString(), script.toString(), "http://127.0.0.1:9", "b", "t/0",
                archive.publicKey().toString()), Map.of("PATH", bin.toString()));

        assertThat(r.code()).as(r.all()).isEqualTo(2);
        assertThat(r.err()).contains("jq is not installed").contains("apt-get install");
    }

    /** A line of the script's output: status, check name and subject, as it prints them. */
    private static String line(String status, String check, String subject) {
        return "(?m)^" + status + " +" + check + " +" + Pattern.quote(subject);
    }

    private static Path findScript() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("docs").resolve("verify-by-hand.sh");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("docs/verify-by-hand.sh not found above " + Path.of("").toAbsolutePath());
    }

    private record Result(int code, String out, String err) {
        String all() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        String id = UUID.randomUUID().toString();
        Path out = dir.resolve(id + ".out");
        Path err = dir.resolve(id + ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in 5 minutes; so far:\n" + Files.readString(out)
                    + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * {@link #EVENTS} events, one a minute from {@link #T0}, archived by the real archiver, and a digest of them; and
     * two dead letters in the dead-letter archive.
     */
    private static Archive archive(LocalStack stack) throws Exception {
        List<TestArchive.Event> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            Instant t = T0.plus(Duration.ofMinutes(i));
            events.add(new TestArchive.Event(i % PARTITIONS, t, "{\"schemaVersion\":1,\"cluster\":\"byhand\","
                    + "\"auditID\":\"a-" + i + "\",\"stage\":\"ResponseComplete\",\"timestamp\":\"" + t
                    + "\",\"verb\":\"get\",\"actor\":\"a\"}"));
        }
        List<TestArchive.Event> deadLetters = List.of(new TestArchive.Event(0, T0, "{\"kind\":\"EventList\""),
                new TestArchive.Event(0, T0.plusSeconds(60), "not json"));
        TestArchive a = TestArchive.write(stack, dir, "byhand", PARTITIONS, events, PER_OBJECT, true, deadLetters);
        return new Archive(a, a.manifests());
    }

    private record Archive(TestArchive archive, S3ManifestStore manifests) {
        String topic() {
            return archive.topic();
        }

        String bucket() {
            return archive.bucket();
        }

        String prefix() {
            return archive.prefix();
        }

        Path publicKey() {
            return archive.publicKey();
        }

        String manifestKey(ManifestEntry e) {
            return manifests.key(e.topic(), e.partition(), e.firstOffset(), e.lastOffset());
        }

        /** Runs docs/verify-by-hand.sh with bash, the AWS CLI pointed at Ceph by environment variables only. */
        Result verify(String target, Path key) throws IOException, InterruptedException {
            LocalStack stack = archive.stack();
            Map<String, String> env = new HashMap<>();
            env.put("AWS_ACCESS_KEY_ID", stack.s3().accessKey());
            env.put("AWS_SECRET_ACCESS_KEY", stack.s3().secretKey());
            env.put("AWS_DEFAULT_REGION", stack.s3().region());
            // nothing from the developer's own AWS configuration (a default output format, a profile) applies
            env.put("AWS_CONFIG_FILE", dir.resolve("no-aws-config").toString());
            env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-aws-credentials").toString());
            env.put("AWS_PROFILE", null);
            env.put("AWS_DEFAULT_PROFILE", null);
            Result r = run(List.of("bash", script.toString(), "--prefix", prefix(), stack.s3().endpoint().toString(),
                    bucket(), target, key.toString()), env);
            System.out.println("verify-by-hand.sh " + target + " " + key.getFileName() + ":\n" + r.all());
            return r;
        }
    }
}
