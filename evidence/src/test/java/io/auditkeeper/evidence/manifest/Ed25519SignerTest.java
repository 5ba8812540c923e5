package io.auditkeeper.evidence.manifest;

import org.junit.jupiter.api.Test;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A signer whose key is not a file the archiver reads, as a KMS or an HSM would be, behind {@link Ed25519Signer}. */
class Ed25519SignerTest {
    @Test
    void shouldSignEntriesThatVerifyAndNameTheKeyWhenTheSignatureComesFromElsewhere() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        ManifestSigner signer = ManifestSigner.of(new InMemorySigner(pair, pair.getPublic()));
        Instant t = Instant.parse("2026-03-01T10:00:00Z");

        ManifestEntry entry = signer.sign(ManifestEntry.unsigned("audit.events", 0, 0, 9, 10, t, t, "events/k", "v1",
                "a".repeat(64), ManifestEntry.GENESIS, "COMPLIANCE", t.plus(Duration.ofDays(2200)), "ab".repeat(32)));

        assertThat(entry.keyId()).isEqualTo(KeyIds.of(pair.getPublic()));
        assertThat(ManifestVerifier.fromPublicKeyPem(signer.publicKeyPem()).signatureValid(entry)).isTrue();
    }

    @Test
    void shouldRefuseASignerWhoseSignaturesDoNotVerifyWithTheKeyItReports() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();

        assertThatThrownBy(() -> ManifestSigner.of(new InMemorySigner(pair, other.getPublic())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not verify");
    }

    private record InMemorySigner(KeyPair pair, PublicKey publicKey) implements Ed25519Signer {
        @Override
        public byte[] sign(byte[] message) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(pair.getPrivate());
                s.update(message);
                return s.sign();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
