package io.auditkeeper.evidence.manifest;

import java.security.PublicKey;

/**
 * Where the archive's Ed25519 signatures come from. {@link ManifestSigner} decides what is signed (canonical forms,
 * key ids, well-formedness) and asks this for the raw signature, so the private key can live elsewhere than in a file
 * the archiver reads: a cloud KMS (AWS KMS has Ed25519 keys, key spec {@code ECC_NIST_EDWARDS25519}, signing
 * algorithm {@code ED25519_SHA_512} with message type {@code RAW}, which is pure Ed25519 as RFC 8032 defines it), or
 * an HSM. Only the key file is built ({@link ManifestSigner#fromPemFile}): a KMS signer cannot be tested on the
 * machines this project is built on, and an untested signer of six-year evidence is worse than none. To add one,
 * implement this and build the archiver's signer with {@link ManifestSigner#of}; docs/archiver.md says where.
 *
 * <p>Implementations must be thread-safe; {@link #sign} is called once per manifest entry, digest and key record.
 */
public interface Ed25519Signer {
    /** The public key whose private half signs: it names the key ({@link KeyIds}) in every entry. */
    PublicKey publicKey();

    /** The 64-byte Ed25519 signature of {@code message} (pure Ed25519, no pre-hash). */
    byte[] sign(byte[] message);
}
