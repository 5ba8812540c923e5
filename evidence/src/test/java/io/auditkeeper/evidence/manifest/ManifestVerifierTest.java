package io.auditkeeper.evidence.manifest;

import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Problem.Kind;
import io.auditkeeper.evidence.store.ListedObject;
import io.auditkeeper.evidence.store.StoredObject;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.auditkeeper.evidence.manifest.TestChains.NOW;
import static io.auditkeeper.evidence.manifest.TestChains.RETENTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class ManifestVerifierTest {
    @TempDir
    static Path keys;
    static ManifestSigner signer;
    static ManifestSigner otherSigner;
    static ManifestVerifier verifier;

    InMemoryObjectStore store;
    List<ManifestEntry> chain;

    @BeforeAll
    static void keys() {
        signer = TestChains.newSigner(keys, "manifest");
        otherSigner = TestChains.newSigner(keys, "attacker");
        verifier = ManifestVerifier.fromPublicKeyPem(signer.publicKeyPem());
    }

    @BeforeEach
    void archive() {
        store = new InMemoryObjectStore();
        chain = TestChains.chain(signer, store, 3, 5);
    }

    @Test
    void shouldVerifyOkWhenChainIsUntouched() {
        VerificationReport report = verify(chain);

        assertThat(report.problems()).isEmpty();
        assertThat(report.ok()).isTrue();
        assertThat(report.entriesChecked()).isEqualTo(5);
        assertThat(report.firstOffset()).isZero();
        assertThat(report.lastOffset()).isEqualTo(499);
    }

    @Test
    void shouldAcceptFewerRecordsThanOffsetsWhenTopicIsTransactional() {
        assertThat(chain).allSatisfy(e ->
                assertThat(e.count()).isLessThan((int) (e.lastOffset() - e.firstOffset() + 1)));
        assertThat(verify(chain).ok()).isTrue();
    }

    @Test
    void shouldReportNewerVersionWhenObjectIsOverwrittenWithANewVersion() {
        ManifestEntry target = chain.get(2);
        store.put(target.key(), "forged events".getBytes(StandardCharsets.UTF_8), "COMPLIANCE",
                NOW.plus(RETENTION));

        assertThat(kinds(verify(chain))).containsExactly(tuple(Kind.NEWER_VERSION, target.key(), 200L, 299L));
        assertThat(verify(chain).problems().get(0).detail()).contains("v6").contains(target.versionId());
    }

    @Test
    void shouldReportADuplicateVersionLeftoverAndNoProblemWhenTheSameBytesAreWrittenAgain() {
        ManifestEntry target = chain.get(2);
        byte[] same = store.stored(target.key(), target.versionId()).content();
        String again = store.put(target.key(), same, "COMPLIANCE", NOW.plus(RETENTION));

        VerificationReport report = verify(chain);

        assertThat(report.problems()).isEmpty();
        assertThat(report.ok()).isTrue();
        assertThat(report.leftovers()).extracting(Leftover::kind, Leftover::key, Leftover::versionId,
                        Leftover::firstOffset, Leftover::lastOffset)
                .containsExactly(tuple(Leftover.Kind.DUPLICATE_VERSION, target.key(), again, 200L, 299L));
        assertThat(report.leftovers().get(0).detail()).contains(target.sha256()).contains(target.versionId());
    }

    @Test
    void shouldStillReportNewerVersionWhenOnlyOneOfTwoExtraVersionsHasTheRecordedBytes() {
        ManifestEntry target = chain.get(2);
        String same = store.put(target.key(), store.stored(target.key(), target.versionId()).content(), "COMPLIANCE",
                NOW.plus(RETENTION));
        String forged = store.put(target.key(), "forged events".getBytes(StandardCharsets.UTF_8), "COMPLIANCE",
                NOW.plus(RETENTION));

        VerificationReport report = verify(chain);

        assertThat(kinds(report)).containsExactly(tuple(Kind.NEWER_VERSION, target.key(), 200L, 299L));
        assertThat(report.problems().get(0).detail()).contains(forged).doesNotContain(same);
        assertThat(report.leftovers()).extracting(Leftover::kind, Leftover::versionId)
                .containsExactly(tuple(Leftover.Kind.DUPLICATE_VERSION, same));
    }

    @Test
    void shouldReportADuplicateVersionLeftoverWhenTheSameEventsAreWrittenAgainAtAnotherGzipLevel() throws Exception {
        ManifestEntry target = chain.get(2);
        byte[] recorded = store.stored(target.key(), target.versionId()).content();
        byte[] fastest = gzip(io.auditkeeper.evidence.proof.ArchivedEvents.lines(recorded), 1);
        assertThat(fastest).isNotEqualTo(recorded);
        String again = store.put(target.key(), fastest, "COMPLIANCE", NOW.plus(RETENTION));

        VerificationReport report = verify(chain);

        assertThat(report.problems()).isEmpty();
        assertThat(report.ok()).isTrue();
        assertThat(report.leftovers()).extracting(Leftover::kind, Leftover::key, Leftover::versionId,
                        Leftover::firstOffset, Leftover::lastOffset)
                .containsExactly(tuple(Leftover.Kind.DUPLICATE_VERSION, target.key(), again, 200L, 299L));
        assertThat(report.leftovers().get(0).detail()).contains("the same events, compressed differently")
                .contains(target.sha256()).contains(ManifestEntry.sha256Hex(fastest)).contains(target.versionId());
    }

    @Test
    void shouldReportNewerVersionWhenAnotherVersionHoldsOtherEventsAtAnotherGzipLevel() throws Exception {
        ManifestEntry target = chain.get(2);
        List<byte[]> lines = new ArrayList<>(io.auditkeeper.evidence.proof.ArchivedEvents.lines(
                store.stored(target.key(), target.versionId()).content()));
        lines.set(0, "{\"event\":\"forged\"}".getBytes(StandardCharsets.UTF_8));
        String forged = store.put(target.key(), gzip(lines, 1), "COMPLIANCE", NOW.plus(RETENTION));

        VerificationReport report = verify(chain);

        assertThat(kinds(report)).containsExactly(tuple(Kind.NEWER_VERSION, target.key(), 200L, 299L));
        assertThat(report.problems().get(0).detail()).contains(forged);
        assertThat(report.leftovers()).isEmpty();
    }

    @Test
    void shouldNotExplainAVersionByTheRecordedOnesEventsWhenTheRecordedVersionIsAltered() throws Exception {
        ManifestEntry target = chain.get(2);
        StoredObject original = store.stored(target.key(), target.versionId());
        List<byte[]> lines = List.of("{\"event\":\"forged\"}".getBytes(StandardCharsets.UTF_8));
        store.replace(target.key(), target.versionId(), new StoredObject(gzip(lines, 6), original.retentionMode(),
                original.retainUntil()));
        String forged = store.put(target.key(), gzip(lines, 1), "COMPLIANCE", NOW.plus(RETENTION));

        VerificationReport report = verify(chain);

        assertThat(kinds(report)).containsExactly(tuple(Kind.NEWER_VERSION, target.key(), 200L, 299L),
                tuple(Kind.HASH_MISMATCH, target.key(), 200L, 299L));
        assertThat(report.problems().get(0).detail()).contains(forged);
        assertThat(report.leftovers()).isEmpty();
    }

    @Test
    void shouldReportNewerVersionAndNoLeftoverWhenADeleteMarkerHidesTheRecordedVersion() {
        ManifestEntry target = chain.get(4);
        String marker = store.putDeleteMarker(target.key());

        VerificationReport report = verify(chain);

        assertThat(kinds(report)).containsExactly(tuple(Kind.NEWER_VERSION, target.key(), 400L, 499L));
        assertThat(report.problems().get(0).detail()).contains(marker);
        assertThat(report.leftovers()).isEmpty();
    }

    @Test
    void shouldReportAnUnreferencedObjectWhoseOffsetsTheChainCoversAsArchivedElsewhere() {
        ArchiveLayout layout = new ArchiveLayout("run");
        String zombie = layout.events(TestChains.TOPIC, 3, 150, 249, TestChains.T0);
        String named = chain.get(1).key();
        String otherTopic = layout.events("other", 3, 150, 249, TestChains.T0);

        Map<Integer, List<Leftover>> leftovers = ManifestVerifier.unreferencedObjects(layout, TestChains.TOPIC,
                List.of(new ListedObject(zombie, "z1", NOW), new ListedObject(named, chain.get(1).versionId(), NOW),
                        new ListedObject(otherTopic, "o1", NOW)),
                Map.of(3, chain));

        assertThat(leftovers).containsOnlyKeys(3);
        assertThat(leftovers.get(3)).extracting(Leftover::kind, Leftover::key, Leftover::versionId,
                        Leftover::firstOffset, Leftover::lastOffset)
                .containsExactly(tuple(Leftover.Kind.UNREFERENCED_OBJECT, zombie, "z1", 150L, 249L));
        assertThat(leftovers.get(3).get(0).detail()).contains("are all in the chain's entries")
                .contains("2 other objects (from " + chain.get(1).key() + ")");
    }

    @Test
    void shouldSayWhichOffsetsOfAnUnreferencedObjectNoEntryHolds() {
        ArchiveLayout layout = new ArchiveLayout("");
        List<ManifestEntry> gapped = new ArrayList<>(chain);
        gapped.remove(2);
        String inGap = layout.events(TestChains.TOPIC, 3, 150, 249, TestChains.T0);
        String pastEnd = layout.events(TestChains.TOPIC, 3, 500, 520, TestChains.T0);
        String noChain = layout.events(TestChains.TOPIC, 9, 0, 9, TestChains.T0);

        Map<Integer, List<Leftover>> leftovers = ManifestVerifier.unreferencedObjects(layout, TestChains.TOPIC,
                List.of(new ListedObject(pastEnd, "p", NOW), new ListedObject(inGap, "g", NOW),
                        new ListedObject(noChain, "n", NOW)), Map.of(3, gapped));

        assertThat(leftovers.get(3)).extracting(Leftover::key).containsExactly(inGap, pastEnd);
        assertThat(leftovers.get(3).get(0).detail()).contains("offsets 200-249 of it are in no entry")
                .contains("OFFSET_GAP");
        assertThat(leftovers.get(3).get(1).detail()).contains("offsets 500-520 of it are in no entry")
                .contains("ends at offset 499");
        assertThat(leftovers.get(9).get(0).detail()).contains("partition 9 has no manifest chain");
    }

    @Test
    void shouldReportHashMismatchWhenRecordedVersionItselfIsAltered() {
        ManifestEntry target = chain.get(2);
        StoredObject original = store.stored(target.key(), target.versionId());
        store.replace(target.key(), target.versionId(), new StoredObject(
                "forged events".getBytes(StandardCharsets.UTF_8), original.retentionMode(), original.retainUntil()));

        VerificationReport report = verify(chain);

        assertThat(kinds(report)).containsExactly(tuple(Kind.HASH_MISMATCH, target.key(), 200L, 299L));
        assertThat(report.problems().get(0).detail()).contains(target.sha256());
    }

    @Test
    void shouldReportBrokenChainAndOffsetGapWhenEntryIsDroppedFromTheMiddle() {
        List<ManifestEntry> dropped = new ArrayList<>(chain);
        dropped.remove(2);
        String after = chain.get(3).key();

        VerificationReport report = verify(dropped);

        assertThat(kinds(report)).containsExactly(
                tuple(Kind.BROKEN_CHAIN, after, 300L, 399L),
                tuple(Kind.OFFSET_GAP, after, 200L, 299L));
        assertThat(report.problems().get(1).detail()).isEqualTo("offsets 200-299 are in no entry: "
                + chain.get(1).key() + " ends at 199, " + after + " starts at 300");
    }

    @Test
    void shouldReportOffsetOverlapWhenEntriesCoverOffsetsTwice() {
        List<ManifestEntry> overlapping = TestChains.chain(signer, store, 4,
                new long[] {0, 99}, new long[] {90, 199}, new long[] {200, 299});

        assertThat(kinds(verify(overlapping))).containsExactly(
                tuple(Kind.OFFSET_OVERLAP, TestChains.key(4, 90, 199), 90L, 99L));
    }

    @Test
    void shouldReportBadSignatureWhenOneByteOfTheSignatureIsFlipped() {
        List<ManifestEntry> tampered = new ArrayList<>(chain);
        byte[] signature = Base64.getDecoder().decode(chain.get(2).signature());
        signature[10] ^= 0x01;
        tampered.set(2, chain.get(2).withSignature(Base64.getEncoder().encodeToString(signature)));

        assertThat(kinds(verify(tampered))).containsExactly(
                tuple(Kind.BAD_SIGNATURE, chain.get(2).key(), 200L, 299L),
                tuple(Kind.BROKEN_CHAIN, chain.get(3).key(), 300L, 399L));
    }

    @Test
    void shouldReportBadSignatureWhenEntryIsEditedAndResignedWithAnotherKey() {
        ManifestEntry original = chain.get(2);
        ManifestEntry forged = otherSigner.sign(new ManifestEntry(original.version(), original.topic(),
                original.partition(), original.firstOffset(), original.lastOffset(), original.count(),
                original.firstEventTime(), original.lastEventTime(), original.key(), original.versionId(),
                ManifestEntry.sha256Hex("forged events".getBytes(StandardCharsets.UTF_8)), original.previousHash(),
                original.retentionMode(), original.retainUntil(), null, original.merkleRoot(), null));
        List<ManifestEntry> tampered = new ArrayList<>(chain);
        tampered.set(2, forged);

        assertThat(kinds(verify(tampered))).containsExactly(
                tuple(Kind.BAD_SIGNATURE, original.key(), 200L, 299L),
                tuple(Kind.HASH_MISMATCH, original.key(), 200L, 299L),
                tuple(Kind.BROKEN_CHAIN, chain.get(3).key(), 300L, 399L));
    }

    @Test
    void shouldReportBadSignatureWhenEntryIsUnsigned() {
        List<ManifestEntry> tampered = new ArrayList<>(chain);
        tampered.set(4, chain.get(4).withSignature(null));

        VerificationReport report = verify(tampered);

        assertThat(kinds(report)).containsExactly(tuple(Kind.BAD_SIGNATURE, chain.get(4).key(), 400L, 499L));
        assertThat(report.problems().get(0).detail()).isEqualTo("entry is not signed");
    }

    @Test
    void shouldReportWeakRetentionWhenObjectIsLockedInGovernanceMode() {
        ManifestEntry target = chain.get(1);
        StoredObject original = store.stored(target.key(), target.versionId());
        store.replace(target.key(), target.versionId(),
                new StoredObject(original.content(), "GOVERNANCE", original.retainUntil()));

        VerificationReport report = verify(chain);

        assertThat(kinds(report)).containsExactly(tuple(Kind.WEAK_RETENTION, target.key(), 100L, 199L));
        assertThat(report.problems().get(0).detail()).contains("GOVERNANCE");
    }

    @Test
    void shouldReportWeakRetentionWhenObjectLockEndsBeforeTheRecordedDate() {
        ManifestEntry target = chain.get(1);
        StoredObject original = store.stored(target.key(), target.versionId());
        store.replace(target.key(), target.versionId(), new StoredObject(original.content(), "COMPLIANCE",
                original.retainUntil().minus(Duration.ofDays(1))));

        assertThat(kinds(verify(chain))).containsExactly(tuple(Kind.WEAK_RETENTION, target.key(), 100L, 199L));
    }

    @Test
    void shouldReportWeakRetentionWhenObjectIsNotLocked() {
        ManifestEntry target = chain.get(1);
        StoredObject original = store.stored(target.key(), target.versionId());
        store.replace(target.key(), target.versionId(), new StoredObject(original.content(), null, null));

        assertThat(kinds(verify(chain))).containsExactly(
                tuple(Kind.WEAK_RETENTION, target.key(), 100L, 199L),
                tuple(Kind.WEAK_RETENTION, target.key(), 100L, 199L));
    }

    @Test
    void shouldReportWeakRetentionWhenRecordedRetentionIsShorterThanTheMinimum() {
        VerificationReport report = verifier.verifyPartition(chain, store, NOW, RETENTION.plus(Duration.ofDays(2)));

        assertThat(kinds(report)).hasSize(5).allSatisfy(t -> assertThat(t.toList().get(0)).isEqualTo(
                Kind.WEAK_RETENTION));
        assertThat(report.problems().get(0).detail()).contains("the manifest records retention until");
    }

    @Test
    void shouldReportMerkleMismatchWhenTheEntryIsSignedOverOtherEventsThanItsObjectHolds() {
        ManifestEntry original = chain.get(0);
        ManifestEntry otherRoot = signer.sign(new ManifestEntry(original.version(), original.topic(),
                original.partition(), original.firstOffset(), original.lastOffset(), original.count(),
                original.firstEventTime(), original.lastEventTime(), original.key(), original.versionId(),
                original.sha256(), original.previousHash(), original.retentionMode(), original.retainUntil(), null,
                TestChains.merkleRoot(TestChains.events("other events", original.count())), null));

        assertThat(verify(List.of(otherRoot)).problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.MERKLE_MISMATCH);
            assertThat(p.detail()).contains("have the Merkle root " + original.merkleRoot(),
                    "the entry records " + otherRoot.merkleRoot());
        });
    }

    @Test
    void shouldReportWeakRetentionWhenManifestRecordsGovernanceMode() {
        ManifestEntry original = chain.get(0);
        ManifestEntry governance = signer.sign(new ManifestEntry(original.version(), original.topic(),
                original.partition(), original.firstOffset(), original.lastOffset(), original.count(),
                original.firstEventTime(), original.lastEventTime(), original.key(), original.versionId(),
                original.sha256(), original.previousHash(), "GOVERNANCE", original.retainUntil(), null, original.merkleRoot(), null));

        assertThat(kinds(verify(List.of(governance))))
                .containsExactly(tuple(Kind.WEAK_RETENTION, original.key(), 0L, 99L));
    }

    @Test
    void shouldReportMissingObjectWhenTheRecordedVersionIsGone() {
        ManifestEntry target = chain.get(3);
        store.deleteVersion(target.key(), target.versionId());

        VerificationReport report = verify(chain);

        assertThat(kinds(report)).containsExactly(tuple(Kind.MISSING_OBJECT, target.key(), 300L, 399L));
        assertThat(report.problems().get(0).detail()).doesNotContain("lawfully");
    }

    @Test
    void shouldReportMissingObjectAndNewerVersionWhenRecordedVersionIsReplaced() {
        ManifestEntry target = chain.get(3);
        store.deleteVersion(target.key(), target.versionId());
        store.put(target.key(), "forged".getBytes(StandardCharsets.UTF_8), "COMPLIANCE", NOW.plus(RETENTION));

        assertThat(kinds(verify(chain))).containsExactly(
                tuple(Kind.NEWER_VERSION, target.key(), 300L, 399L),
                tuple(Kind.MISSING_OBJECT, target.key(), 300L, 399L));
    }

    @Test
    void shouldReportCountMismatchWhenCountExceedsTheOffsetRange() {
        ManifestEntry original = chain.get(0);
        ManifestEntry inflated = new ManifestEntry(original.version(), original.topic(), original.partition(),
                original.firstOffset(), original.lastOffset(), 101, original.firstEventTime(),
                original.lastEventTime(), original.key(), original.versionId(), original.sha256(),
                original.previousHash(), original.retentionMode(), original.retainUntil(), original.keyId(),
                original.merkleRoot(), original.signature());

        assertThat(kinds(verify(List.of(inflated)))).containsExactly(
                tuple(Kind.BAD_SIGNATURE, original.key(), 0L, 99L),
                tuple(Kind.COUNT_MISMATCH, original.key(), 0L, 99L),
                tuple(Kind.MERKLE_MISMATCH, original.key(), 0L, 99L));
    }

    @Test
    void shouldVerifyARangeWhenGivenTheHashOfTheEntryBeforeIt() {
        List<ManifestEntry> range = chain.subList(2, 5);

        assertThat(verifier.verifyPartition(range, chain.get(1).hash(), store, NOW, RETENTION).ok()).isTrue();
        assertThat(kinds(verify(range))).containsExactly(tuple(Kind.BROKEN_CHAIN, chain.get(2).key(), 200L, 299L));
    }

    @Test
    void shouldReportMalformedEntryWhenAnEntryOfAnotherPartitionIsInTheChain() {
        List<ManifestEntry> other = TestChains.chain(signer, store, 7, 1);
        List<ManifestEntry> mixed = List.of(chain.get(0), other.get(0));

        assertThat(kinds(verify(mixed))).contains(tuple(Kind.MALFORMED_ENTRY, other.get(0).key(), 0L, 99L));
    }

    @Test
    void shouldReportEveryProblemWhenSeveralTamperingsCombine() {
        List<ManifestEntry> tampered = new ArrayList<>(chain);
        tampered.remove(1);
        store.deleteVersion(chain.get(4).key(), chain.get(4).versionId());

        assertThat(kinds(verify(tampered))).containsExactly(
                tuple(Kind.BROKEN_CHAIN, chain.get(2).key(), 200L, 299L),
                tuple(Kind.OFFSET_GAP, chain.get(2).key(), 100L, 199L),
                tuple(Kind.MISSING_OBJECT, chain.get(4).key(), 400L, 499L));
    }

    private VerificationReport verify(List<ManifestEntry> entries) {
        return verifier.verifyPartition(entries, store, NOW, RETENTION);
    }

    static List<Tuple> kinds(VerificationReport report) {
        return kinds(report.problems());
    }

    static List<Tuple> kinds(List<Problem> problems) {
        return problems.stream().map(p -> tuple(p.kind(), p.key(), p.firstOffset(), p.lastOffset())).toList();
    }

    /** The lines, one per line, as a gzip stream at deflate {@code level}. */
    private static byte[] gzip(List<byte[]> lines, int level) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out) {
            {
                def.setLevel(level);
            }
        }) {
            for (byte[] line : lines) {
                gz.write(line);
                gz.write('\n');
            }
        }
        return out.toByteArray();
    }
}
