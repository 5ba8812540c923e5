package io.auditkeeper.evidence.manifest;

import io.auditkeeper.evidence.manifest.Problem.Kind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyHistoryTest {
    @TempDir
    static Path dir;
    static ManifestSigner first;
    static ManifestSigner second;
    static ManifestSigner third;
    static ManifestSigner stranger;

    @BeforeAll
    static void keys() {
        first = TestChains.newSigner(dir, "first");
        second = TestChains.newSigner(dir, "second");
        third = TestChains.newSigner(dir, "third");
        stranger = TestChains.newSigner(dir, "stranger");
    }

    @Test
    void shouldTrustEachKeyWhoseRecordTheKeyBeforeItSignedInAnyOrder() {
        Map<String, KeyRecord> records = new LinkedHashMap<>();
        records.put("keys/3.json", second.sign(KeyRecord.unsigned(third.publicKeyPem(), second.keyId())));
        records.put("keys/2.json", first.sign(KeyRecord.unsigned(second.publicKeyPem(), first.keyId())));
        records.put("keys/1.json", first.sign(KeyRecord.unsigned(first.publicKeyPem(), null)));

        KeyHistory history = KeyHistory.from(pinned(first), records);

        assertThat(history.problems()).isEmpty();
        assertThat(history.trustedIds()).containsExactly(first.keyId(), second.keyId(), third.keyId());
    }

    @Test
    void shouldVerifyEntriesAndDigestsSignedBeforeAndAfterARotationWithTheKeysTheyName() {
        ManifestEntry before = first.sign(entry(0, ManifestEntry.GENESIS));
        ManifestEntry after = second.sign(entry(10, before.hash()));
        ManifestEntry v1 = first.sign(asVersion1(entry(0, ManifestEntry.GENESIS)));
        Digest digest = second.sign(Digest.unsigned(Instant.parse("2026-03-01T11:00:00Z"),
                List.of(Digest.PartitionHead.of(after)), ManifestEntry.GENESIS));
        KeyHistory history = KeyHistory.from(pinned(first), Map.of(
                "keys/1.json", first.sign(KeyRecord.unsigned(first.publicKeyPem(), null)),
                "keys/2.json", first.sign(KeyRecord.unsigned(second.publicKeyPem(), first.keyId()))));

        ManifestVerifier verifier = ManifestVerifier.withKeys(history);
        ManifestVerifier pinnedOnly = ManifestVerifier.fromPublicKeyPem(first.publicKeyPem());

        assertThat(before.keyId()).isEqualTo(first.keyId());
        assertThat(after.keyId()).isEqualTo(second.keyId());
        assertThat(v1.keyId()).isNull();
        assertThat(verifier.signatureValid(before)).isTrue();
        assertThat(verifier.signatureValid(after)).isTrue();
        assertThat(verifier.signatureValid(v1)).as("format 1 names no key: the pinned one").isTrue();
        assertThat(verifier.signatureValid(digest)).isTrue();
        assertThat(pinnedOnly.signatureValid(after)).as("without the history, the new key is unknown").isFalse();
    }

    @Test
    void shouldNotTrustARecordSignedByAnotherKeyThanTheOneItFollows() {
        // a record that says the first key introduced the stranger's, signed by the stranger over its own bytes
        KeyRecord claimed = KeyRecord.unsigned(stranger.publicKeyPem(), first.keyId());
        KeyRecord signedByStranger = claimed.withSignature(TestChains.signBytes(stranger, claimed.canonicalBytes()));

        KeyHistory history = KeyHistory.from(pinned(first), Map.of(
                "keys/1.json", first.sign(KeyRecord.unsigned(first.publicKeyPem(), null)),
                "keys/s.json", signedByStranger));

        assertThat(history.trustedIds()).containsExactly(first.keyId());
        assertThat(history.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.BAD_KEY_RECORD);
            assertThat(p.key()).isEqualTo("keys/s.json");
            assertThat(p.detail()).contains("not signed by key " + first.keyId());
        });
        ManifestEntry entry = stranger.sign(entry(0, ManifestEntry.GENESIS));
        assertThat(ManifestVerifier.withKeys(history).signatureValid(entry)).isFalse();
    }

    @Test
    void shouldNameAFirstRecordOfAnotherKeyThanThePinnedOneAndAKeyFollowingAnUnknownOne() {
        KeyHistory history = KeyHistory.from(pinned(first), Map.of(
                "keys/s.json", stranger.sign(KeyRecord.unsigned(stranger.publicKeyPem(), null)),
                "keys/3.json", stranger.sign(KeyRecord.unsigned(third.publicKeyPem(), stranger.keyId()))));

        assertThat(history.trustedIds()).containsExactly(first.keyId());
        assertThat(history.problems()).extracting(Problem::key, Problem::detail).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("keys/s.json", "key " + stranger.keyId()
                        + " claims to be the first key, but the pinned key is " + first.keyId()),
                org.assertj.core.groups.Tuple.tuple("keys/3.json", "key " + third.keyId() + " follows key "
                        + stranger.keyId() + ", which no record trusted from the pinned key names"));
    }

    @Test
    void shouldRefuseToSignARecordOfAKeyThatDoesNotFollowTheSigner() {
        assertThatThrownBy(() -> second.sign(KeyRecord.unsigned(third.publicKeyPem(), first.keyId())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not this key");
        assertThatThrownBy(() -> second.sign(KeyRecord.unsigned(third.publicKeyPem(), null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first key");
    }

    @Test
    void shouldRoundTripAKeyRecordThroughItsFileAndKeepItsKeyIdTheHashOfItsKey() {
        KeyRecord record = first.sign(KeyRecord.unsigned(second.publicKeyPem(), first.keyId()));

        KeyRecord read = ManifestCodec.readKeyRecord(ManifestCodec.writeKeyRecord(record));

        assertThat(read).isEqualTo(record);
        assertThat(KeyIds.of(read.key())).isEqualTo(second.keyId());
        assertThat(read.canonicalString()).isEqualTo("{\"version\":1,\"keyId\":\"" + second.keyId()
                + "\",\"publicKey\":\"" + read.publicKey() + "\",\"previousKeyId\":\"" + first.keyId() + "\"}");
    }

    @Test
    void shouldRefuseWhatARevokedKeySignedInObjectsWrittenFromTheRevocationOnAndKeepWhatItSignedBefore() {
        Instant introduced = Instant.parse("2026-03-01T09:00:00Z");
        Instant compromised = Instant.parse("2026-03-01T12:00:00Z");
        Map<String, KeyRecord> records = Map.of(
                "keys/1.json", first.sign(KeyRecord.unsigned(first.publicKeyPem(), null)),
                "keys/2.json", first.sign(KeyRecord.unsigned(second.publicKeyPem(), first.keyId())),
                "keys/3.json", first.sign(KeyRecord.unsigned(third.publicKeyPem(), first.keyId())));
        Map<String, Instant> written = Map.of("keys/1.json", introduced.minusSeconds(3600),
                "keys/2.json", introduced, "keys/3.json", compromised.plusSeconds(60));
        KeyHistory history = KeyHistory.from(pinned(first), records, written, Map.of("key-revocations/1.json",
                second.sign(KeyRevocation.unsigned(first.keyId(), compromised))));
        ManifestEntry before = first.sign(entry(0, ManifestEntry.GENESIS));
        ManifestEntry after = first.sign(entry(10, before.hash()));
        Map<ManifestEntry, Instant> at = Map.of(before, compromised.minusSeconds(1), after, compromised);

        List<Problem> revoked = ManifestVerifier.withKeys(history).revokedSignatures(List.of(before, after), at::get);

        assertThat(history.revokedFrom(first.keyId())).isEqualTo(compromised);
        assertThat(history.trustedIds()).as("the key the revoked one introduced after the compromise")
                .containsExactly(first.keyId(), second.keyId());
        assertThat(history.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.KEY_REVOKED);
            assertThat(p.key()).isEqualTo("keys/3.json");
        });
        assertThat(revoked).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.KEY_REVOKED);
            assertThat(p.key()).isEqualTo(after.key());
            assertThat(p.detail()).contains("revoked from " + compromised).contains("written at " + compromised);
        });
    }

    @Test
    void shouldRefuseADigestARevokedKeySignedInAnObjectWrittenFromTheRevocationOn() {
        Instant compromised = Instant.parse("2026-03-01T12:00:00Z");
        Map<String, KeyRecord> records = Map.of(
                "keys/1.json", first.sign(KeyRecord.unsigned(first.publicKeyPem(), null)),
                "keys/2.json", first.sign(KeyRecord.unsigned(second.publicKeyPem(), first.keyId())));
        Map<String, Instant> written = Map.of("keys/1.json", compromised.minusSeconds(7200),
                "keys/2.json", compromised.minusSeconds(3600));
        KeyHistory history = KeyHistory.from(pinned(first), records, written, Map.of("key-revocations/1.json",
                second.sign(KeyRevocation.unsigned(first.keyId(), compromised))));
        ManifestEntry head = first.sign(entry(0, ManifestEntry.GENESIS));
        Digest honest = first.sign(Digest.unsigned(compromised.minusSeconds(600),
                List.of(Digest.PartitionHead.of(head)), ManifestEntry.GENESIS));
        Digest thiefs = first.sign(Digest.unsigned(compromised.minusSeconds(300),
                List.of(Digest.PartitionHead.of(head)), honest.hash()));
        Map<Digest, Instant> at = Map.of(honest, compromised.minusSeconds(600), thiefs, compromised.plusSeconds(5));

        List<Problem> revoked = ManifestVerifier.withKeys(history).revokedDigests(List.of(honest, thiefs), at::get);

        assertThat(revoked).as("backdated inside, written after the revocation").singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.KEY_REVOKED);
            assertThat(p.key()).isEqualTo("digest@" + thiefs.createdAt());
            assertThat(p.detail()).contains("revoked from " + compromised, "digest object written at "
                    + compromised.plusSeconds(5));
        });
    }

    @Test
    void shouldNotCountARevocationByAKeyThatDoesNotDescendFromItOrWasIntroducedAfterTheCompromise() {
        Instant introduced = Instant.parse("2026-03-01T09:00:00Z");
        Map<String, KeyRecord> records = Map.of(
                "keys/1.json", first.sign(KeyRecord.unsigned(first.publicKeyPem(), null)),
                "keys/2.json", first.sign(KeyRecord.unsigned(second.publicKeyPem(), first.keyId())),
                "keys/3.json", first.sign(KeyRecord.unsigned(third.publicKeyPem(), first.keyId())));
        Map<String, Instant> written = Map.of("keys/1.json", introduced, "keys/2.json", introduced,
                "keys/3.json", introduced);
        Map<String, KeyRevocation> revocations = Map.of(
                "key-revocations/2.json", third.sign(KeyRevocation.unsigned(second.keyId(), introduced.plusSeconds(60))),
                "key-revocations/1.json", second.sign(KeyRevocation.unsigned(first.keyId(), introduced.minusSeconds(60))));

        KeyHistory history = KeyHistory.from(pinned(first), records, written, revocations);

        assertThat(history.revokedFrom(first.keyId())).isNull();
        assertThat(history.revokedFrom(second.keyId())).isNull();
        assertThat(history.problems()).extracting(Problem::key, Problem::detail).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("key-revocations/2.json", "revocation: signed by key "
                        + third.keyId() + ", which does not descend from the revoked key " + second.keyId()),
                org.assertj.core.groups.Tuple.tuple("key-revocations/1.json", "revocation: signed by key "
                        + second.keyId() + ", but key " + second.keyId() + " on its way back to the revoked key was"
                        + " introduced at " + introduced + ", not before the revocation's "
                        + introduced.minusSeconds(60) + ": it may be the thief's; pin a key out of band"));
    }

    private static java.security.PublicKey pinned(ManifestSigner signer) {
        return ManifestVerifier.fromPublicKeyPem(signer.publicKeyPem()).keys().pinnedKey();
    }

    private static ManifestEntry entry(long first, String previousHash) {
        Instant t = Instant.parse("2026-03-01T10:00:00Z");
        return ManifestEntry.unsigned("audit.events", 0, first, first + 9, 10, t, t, "events/k" + first, "v1",
                "a".repeat(64), previousHash, "COMPLIANCE", t.plus(Duration.ofDays(2200)), "ab".repeat(32));
    }

    private static ManifestEntry asVersion1(ManifestEntry e) {
        return new ManifestEntry(ManifestEntry.FORMAT_VERSION_1, e.topic(), e.partition(), e.firstOffset(),
                e.lastOffset(), e.count(), e.firstEventTime(), e.lastEventTime(), e.key(), e.versionId(), e.sha256(),
                e.previousHash(), e.retentionMode(), e.retainUntil(), null);
    }
}
