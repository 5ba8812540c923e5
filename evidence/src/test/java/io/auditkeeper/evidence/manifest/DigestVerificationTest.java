package io.auditkeeper.evidence.manifest;

import io.auditkeeper.evidence.manifest.Problem.Kind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.auditkeeper.evidence.manifest.ManifestVerifierTest.kinds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class DigestVerificationTest {
    static final String P0 = "audit.events-0";
    static final String P1 = "audit.events-1";

    @TempDir
    static Path keys;
    static ManifestSigner signer;
    static ManifestVerifier verifier;

    Map<String, List<ManifestEntry>> chains;
    List<Digest> digests;

    @BeforeAll
    static void keys() {
        signer = TestChains.newSigner(keys, "manifest");
        verifier = ManifestVerifier.fromPublicKeyPem(signer.publicKeyPem());
    }

    @BeforeEach
    void archive() {
        InMemoryObjectStore store = new InMemoryObjectStore();
        chains = new HashMap<>();
        chains.put(P0, TestChains.chain(signer, store, 0, 5));
        chains.put(P1, TestChains.chain(signer, store, 1, 5));
        digests = new ArrayList<>();
        digests.add(digest("2026-02-01T01:00:00Z", 2, ManifestEntry.GENESIS));
        digests.add(digest("2026-02-01T02:00:00Z", 4, digests.get(0).hash()));
        digests.add(digest("2026-02-01T03:00:00Z", 4, digests.get(1).hash()));
    }

    private Digest digest(String createdAt, int headIndex, String previousDigestHash) {
        return signer.sign(Digest.unsigned(Instant.parse(createdAt), List.of(
                Digest.PartitionHead.of(chains.get(P0).get(headIndex)),
                Digest.PartitionHead.of(chains.get(P1).get(headIndex))), previousDigestHash));
    }

    @Test
    void shouldVerifyOkWhenDigestsAndChainsAreUntouched() {
        assertThat(verifier.verifyDigests(digests, chains)).isEmpty();
    }

    @Test
    void shouldReportTruncatedPartitionWhenTheLastTwoEntriesOfAPartitionAreDeleted() {
        chains.put(P0, chains.get(P0).subList(0, 3));

        List<Problem> problems = verifier.verifyDigests(digests, chains);

        assertThat(kinds(problems)).containsExactly(tuple(Kind.TRUNCATED_PARTITION, P0, 300L, 499L));
        assertThat(problems.get(0).detail()).isEqualTo("the digest of 2026-02-01T03:00:00Z vouches for "
                + P0 + " up to offset 499, but its chain ends at 299");
    }

    @Test
    void shouldReportTruncatedPartitionWhenAWholePartitionChainIsDeleted() {
        chains.remove(P1);

        assertThat(kinds(verifier.verifyDigests(digests, chains)))
                .containsExactly(tuple(Kind.TRUNCATED_PARTITION, P1, -1L, 499L));
    }

    @Test
    void shouldReportBrokenChainWhenAPartitionsHeadEntryWasRewritten() {
        List<ManifestEntry> rewritten = new ArrayList<>(chains.get(P0));
        ManifestEntry last = rewritten.get(4);
        rewritten.set(4, signer.sign(new ManifestEntry(last.version(), last.topic(), last.partition(),
                last.firstOffset(), last.lastOffset(), last.count(), last.firstEventTime(), last.lastEventTime(),
                last.key(), last.versionId(), ManifestEntry.sha256Hex("other".getBytes(StandardCharsets.UTF_8)),
                last.previousHash(), last.retentionMode(), last.retainUntil(), null, last.merkleRoot(), null)));
        chains.put(P0, rewritten);

        assertThat(kinds(verifier.verifyDigests(digests, chains)))
                .containsExactly(tuple(Kind.BROKEN_CHAIN, last.key(), 400L, 499L));
    }

    @Test
    void shouldReportBadDigestSignatureWhenADigestIsEdited() {
        Digest original = digests.get(1);
        Digest.PartitionHead head = original.heads().get(0);
        digests.set(1, new Digest(original.version(), original.createdAt(), List.of(
                new Digest.PartitionHead(head.topic(), head.partition(), 299, chains.get(P0).get(2).hash()),
                original.heads().get(1)), original.previousDigestHash(), original.keyId(), original.signature()));

        assertThat(kinds(verifier.verifyDigests(digests, chains))).containsExactly(
                tuple(Kind.BAD_DIGEST_SIGNATURE, "digest@2026-02-01T02:00:00Z", -1L, -1L),
                tuple(Kind.BROKEN_DIGEST_CHAIN, "digest@2026-02-01T03:00:00Z", -1L, -1L));
    }

    @Test
    void shouldNotTrustTheHeadsOfTheLatestDigestWhenItsSignatureIsBad() {
        Digest latest = digests.get(2);
        digests.set(2, latest.withSignature(digests.get(1).signature()));
        chains.put(P0, chains.get(P0).subList(0, 3));

        assertThat(kinds(verifier.verifyDigests(digests, chains))).containsExactly(
                tuple(Kind.BAD_DIGEST_SIGNATURE, "digest@2026-02-01T03:00:00Z", -1L, -1L),
                tuple(Kind.TRUNCATED_PARTITION, P0, 300L, 499L));
    }

    @Test
    void shouldReportBrokenDigestChainWhenADigestIsRemovedFromTheMiddle() {
        digests.remove(1);

        assertThat(kinds(verifier.verifyDigests(digests, chains)))
                .containsExactly(tuple(Kind.BROKEN_DIGEST_CHAIN, "digest@2026-02-01T03:00:00Z", -1L, -1L));
    }

    @Test
    void shouldReportBrokenDigestChainWhenTheFirstDigestIsRemoved() {
        digests.remove(0);

        assertThat(kinds(verifier.verifyDigests(digests, chains)))
                .containsExactly(tuple(Kind.BROKEN_DIGEST_CHAIN, "digest@2026-02-01T02:00:00Z", -1L, -1L));
        assertThat(verifier.verifyDigests(digests, digests.get(0).previousDigestHash(), chains)).isEmpty();
    }

    @Test
    void shouldRefuseToSignWhenADigestHasTwoHeadsForOnePartition() {
        Digest.PartitionHead head = Digest.PartitionHead.of(chains.get(P0).get(4));

        assertThatThrownBy(() -> signer.sign(Digest.unsigned(Instant.parse("2026-02-01T04:00:00Z"),
                List.of(head, head), ManifestEntry.GENESIS)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partition " + P0 + " has two heads");
    }

    @Test
    void shouldProduceGoldenCanonicalBytesWhenDigestIsFixed() {
        Digest digest = new Digest(1, "2026-02-01T01:00:00Z", List.of(
                new Digest.PartitionHead("audit.events", 0, 499, "a".repeat(64)),
                new Digest.PartitionHead("audit.events", 1, 99, "b".repeat(64))), ManifestEntry.GENESIS, "c2ln");

        assertThat(digest.canonicalString()).isEqualTo("{\"version\":1,\"createdAt\":\"2026-02-01T01:00:00Z\","
                + "\"heads\":[{\"topic\":\"audit.events\",\"partition\":0,\"lastOffset\":499,\"entryHash\":\""
                + "a".repeat(64) + "\"},{\"topic\":\"audit.events\",\"partition\":1,\"lastOffset\":99,"
                + "\"entryHash\":\"" + "b".repeat(64) + "\"}],\"previousDigestHash\":\"" + "0".repeat(64) + "\"}");
        assertThat(digest.hash()).isEqualTo(ManifestEntry.sha256Hex((digest.canonicalString()
                .substring(0, digest.canonicalString().length() - 1) + ",\"signature\":\"c2ln\"}")
                .getBytes(StandardCharsets.UTF_8)));
    }
}
