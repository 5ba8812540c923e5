package io.auditkeeper.evidence.manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * Signs manifest entries and digests with an Ed25519 private key kept in a PEM file, so that the archive's integrity
 * does not rest on whoever can write to the bucket: a writer without the key cannot produce an entry that verifies.
 * Ed25519 because signatures are deterministic, small (64 bytes), and checkable with a stock {@code openssl}; the JDK
 * implements it, so no provider is needed.
 *
 * <p>The private key file is PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}), as
 * {@code openssl genpkey -algorithm ed25519 -out manifest-key.pem} writes it. The public key to publish next to the
 * archive and in the docs is {@link #publicKeyPem()}, the same text as {@code openssl pkey -in manifest-key.pem
 * -pubout}. Instances are immutable and thread-safe.
 */
public final class ManifestSigner {
    private final Ed25519Signer signer;
    private final PublicKey publicKey;

    private ManifestSigner(Ed25519Signer signer) {
        this.signer = signer;
        this.publicKey = signer.publicKey();
    }

    /**
     * A signer whose signatures come from {@code signer} (a KMS, an HSM): checked once here by a signature that must
     * verify with the public key it reports, so that a signer and a key that do not belong together never sign
     * evidence.
     *
     * @throws IllegalStateException when the probe signature does not verify
     */
    public static ManifestSigner of(Ed25519Signer signer) {
        byte[] probe = "auditkeeper manifest signer check".getBytes(StandardCharsets.US_ASCII);
        String sig = Base64.getEncoder().encodeToString(signer.sign(probe));
        if (!ManifestVerifier.signatureValid(signer.publicKey(), probe, sig)) {
            throw new IllegalStateException("the signer's signature does not verify with the public key it reports");
        }
        return new ManifestSigner(signer);
    }

    /** The private key read from a file: the one {@link Ed25519Signer} built here. */
    private record KeyFileSigner(PrivateKey privateKey, PublicKey publicKey) implements Ed25519Signer {
        @Override
        public byte[] sign(byte[] message) {
            return rawSign(privateKey, message);
        }

        @Override
        public String toString() {
            return "KeyFileSigner[Ed25519]";
        }
    }

    /**
     * Reads the signing key.
     *
     * @throws ManifestKeyException naming the file when it is missing, unreadable, not a PKCS#8 PEM, or not Ed25519
     */
    public static ManifestSigner fromPemFile(Path privateKeyPem) {
        String pem;
        try {
            pem = Files.readString(privateKeyPem, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new ManifestKeyException(privateKeyPem, "does not exist", null);
        } catch (IOException e) {
            throw new ManifestKeyException(privateKeyPem, "cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
        byte[] der = Pem.decode(pem, Pem.PRIVATE, privateKeyPem);
        PrivateKey key;
        try {
            key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (InvalidKeySpecException e) {
            throw new ManifestKeyException(privateKeyPem, "not an Ed25519 private key (PKCS#8)", null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        } finally {
            Arrays.fill(der, (byte) 0);
        }
        return new ManifestSigner(new KeyFileSigner(key, derivePublicKey(key, privateKeyPem)));
    }

    /**
     * Creates a new key pair: the private key as PKCS#8 PEM, readable by the owner only (0600 where the file system
     * has POSIX permissions), and the public key as X.509 PEM. Refuses to overwrite an existing private key.
     */
    public static void generate(Path privateKeyPem, Path publicKeyPem) {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no Ed25519", e);
        }
        try {
            if (privateKeyPem.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(privateKeyPem,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(privateKeyPem);
            }
            Files.writeString(privateKeyPem, Pem.encode(pair.getPrivate().getEncoded(), Pem.PRIVATE),
                    StandardCharsets.US_ASCII);
        } catch (FileAlreadyExistsException e) {
            throw new ManifestKeyException(privateKeyPem, "already exists; not overwriting a signing key", null);
        } catch (IOException e) {
            throw new ManifestKeyException(privateKeyPem, "cannot be written (" + e + ")", e);
        }
        try {
            Files.writeString(publicKeyPem, Pem.encode(pair.getPublic().getEncoded(), Pem.PUBLIC),
                    StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ManifestKeyException(publicKeyPem, "cannot be written (" + e + ")", e);
        }
    }

    /**
     * Signs an entry. Any signature already on it is replaced.
     *
     * @throws IllegalArgumentException when the entry is not well-formed (missing field, offsets not a range, count
     *                                  outside 1..span, a hash not 64 lowercase hex digits, a time not an instant)
     */
    public ManifestEntry sign(ManifestEntry entry) {
        ManifestEntry unsigned = entry.version() >= ManifestEntry.FORMAT_VERSION_2 ? entry.withKeyId(keyId()) : entry;
        String problem = unsigned.malformation();
        long span = unsigned.lastOffset() - unsigned.firstOffset() + 1;
        if (problem == null && (unsigned.count() < 1 || unsigned.count() > span)) {
            problem = "count " + unsigned.count() + " is outside 1.." + span;
        }
        if (problem != null) {
            throw new IllegalArgumentException("refusing to sign the manifest entry for " + unsigned.key() + ": "
                    + problem);
        }
        return unsigned.withSignature(signBase64(unsigned.canonicalBytes()));
    }

    /**
     * Signs a digest. Any signature already on it is replaced.
     *
     * @throws IllegalArgumentException when the digest is not well-formed (including two heads for one partition)
     */
    public Digest sign(Digest digest) {
        Digest unsigned = digest.version() >= Digest.FORMAT_VERSION ? digest.withKeyId(keyId()) : digest;
        String problem = unsigned.malformation();
        if (problem != null) {
            throw new IllegalArgumentException("refusing to sign the digest of " + unsigned.createdAt() + ": "
                    + problem);
        }
        return unsigned.withSignature(signBase64(unsigned.canonicalBytes()));
    }

    /**
     * Signs a key record: this key's own (the archive's first key), or the record of the key that follows it.
     *
     * @throws IllegalArgumentException when the record is malformed, or is a first key's record of another key
     */
    public KeyRecord sign(KeyRecord unsigned) {
        String problem = unsigned.malformation();
        if (problem == null && unsigned.first() && !unsigned.keyId().equals(keyId())) {
            problem = "a first key's record is signed by that key itself";
        }
        if (problem == null && !unsigned.first() && !unsigned.previousKeyId().equals(keyId())) {
            problem = "it follows key " + unsigned.previousKeyId() + ", not this key " + keyId();
        }
        if (problem != null) {
            throw new IllegalArgumentException("refusing to sign the record of key " + unsigned.keyId() + ": " + problem);
        }
        return unsigned.withSignature(signBase64(unsigned.canonicalBytes()));
    }

    /**
     * Signs the revocation of another key, as this key ({@code signedBy}). Whether this key may revoke that one (it
     * must descend from it) is for the verifier to judge against the key history.
     */
    public KeyRevocation sign(KeyRevocation unsigned) {
        KeyRevocation named = unsigned.signedBy(keyId(), null);
        String problem = named.malformation();
        if (problem == null && named.keyId().equals(keyId())) {
            problem = "a key does not revoke itself";
        }
        if (problem != null) {
            throw new IllegalArgumentException("refusing to sign the revocation of key " + unsigned.keyId() + ": "
                    + problem);
        }
        return named.signedBy(keyId(), signBase64(named.canonicalBytes()));
    }

    /** This key's id: the SHA-256 of its public key ({@link KeyIds}), which every entry and digest it signs names. */
    public String keyId() {
        return KeyIds.of(publicKey);
    }

    /** The public key as X.509 SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----}), to publish. */
    public String publicKeyPem() {
        return Pem.encode(publicKey.getEncoded(), Pem.PUBLIC);
    }

    /** A verifier for this signer's public key. */
    public ManifestVerifier verifier() {
        return ManifestVerifier.fromPublicKeyPem(publicKeyPem());
    }

    @Override
    public String toString() {
        return "ManifestSigner[Ed25519]";
    }

    /** A raw signature of any bytes; package-private for tests that forge records with a wrong key. */
    String signBase64(byte[] message) {
        return Base64.getEncoder().encodeToString(signer.sign(message));
    }

    private static byte[] rawSign(PrivateKey key, byte[] message) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(key);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /**
     * The JDK has no API from an Ed25519 private key to its public key, but its key pair generator derives the
     * public key from 32 random bytes; feeding it the private key's seed as "randomness" yields the matching public
     * key. The result is checked by a signature round trip, so a JDK that generates keys differently fails here
     * instead of publishing a wrong key.
     */
    private static PublicKey derivePublicKey(PrivateKey key, Path file) {
        byte[] seed = ((EdECPrivateKey) key).getBytes()
                .orElseThrow(() -> new ManifestKeyException(file, "the private key's bytes are not accessible", null));
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
            PublicKey derived = generator.generateKeyPair().getPublic();
            byte[] probe = "auditkeeper manifest key check".getBytes(StandardCharsets.US_ASCII);
            Signature check = Signature.getInstance("Ed25519");
            check.initVerify(derived);
            check.update(probe);
            if (!check.verify(rawSign(key, probe))) {
                throw new IllegalStateException("could not derive the Ed25519 public key from the private key");
            }
            return derived;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not derive the Ed25519 public key from the private key", e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    private static final class SeedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final transient byte[] seed;

        SeedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("unexpected request for " + bytes.length + " random bytes");
            }
            System.arraycopy(seed, 0, bytes, 0, bytes.length);
            Arrays.fill(seed, (byte) 0);
        }
    }
}
