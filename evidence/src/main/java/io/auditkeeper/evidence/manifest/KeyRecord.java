package io.auditkeeper.evidence.manifest;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Base64;

/**
 * One signing key of the archive's key history, stored once under {@code [<prefix>/]keys/<keyId>.json} and locked:
 * its public key, and the key before it, whose private key signed this record. The first key of an archive names no
 * previous key and signs its own record; an auditor pins it out of band (its {@code keyId} is in the deployment and
 * in the docs), and every later key is trusted only through the records that lead to it from the pinned one. So a key
 * can be rotated without a gap (the archivers switch to a key whose record the current key signed) and an entry
 * written years ago is still checked against the key that signed it.
 *
 * <h2>Canonical form (the signed bytes)</h2>
 * Same rules as {@link ManifestEntry}'s canonical form, with these fields in this order:
 * <pre>
 * {"version":1,"keyId":"...","publicKey":"MCowBQYDK2VwAyEA...","previousKeyId":"..."}
 * </pre>
 * {@code publicKey} is the base64 (RFC 4648, padded) of the key's X.509 SubjectPublicKeyInfo DER, the body of its PEM
 * on one line, so that the record has no character that JSON tools escape differently; {@code keyId} is the SHA-256 of
 * that DER. {@code previousKeyId} is {@code null} for the first key. Ed25519 signatures are deterministic, so every archiver that
 * writes the same record writes the same bytes.
 */
@JsonPropertyOrder({"version", "keyId", "publicKey", "previousKeyId", "signature"})
public record KeyRecord(int version, String keyId, String publicKey, String previousKeyId, String signature) {
    public static final int FORMAT_VERSION = 1;

    /** The record of {@code publicKeyPem}, following {@code previousKeyId} (null for the first key), unsigned. */
    public static KeyRecord unsigned(String publicKeyPem, String previousKeyId) {
        PublicKey key = ManifestVerifier.parsePublicKey(publicKeyPem, null);
        return new KeyRecord(FORMAT_VERSION, KeyIds.of(key), Base64.getEncoder().encodeToString(key.getEncoded()),
                previousKeyId, null);
    }

    /** The public key this record holds. */
    public PublicKey key() {
        return ManifestVerifier.parsePublicKey(Pem.encode(Base64.getDecoder().decode(publicKey), Pem.PUBLIC), null);
    }

    public byte[] canonicalBytes() {
        return new CanonicalJson().beginObject()
                .field("version", version)
                .field("keyId", keyId)
                .field("publicKey", publicKey)
                .field("previousKeyId", previousKeyId)
                .endObject().toBytes();
    }

    public String canonicalString() {
        return new String(canonicalBytes(), StandardCharsets.UTF_8);
    }

    public KeyRecord withSignature(String newSignature) {
        return new KeyRecord(version, keyId, publicKey, previousKeyId, newSignature);
    }

    /** Whether this is an archive's first key (it names no previous one). */
    public boolean first() {
        return previousKeyId == null;
    }

    /** Why this record cannot be trusted as it is, or null: fields, and the key id against the key itself. */
    String malformation() {
        if (version != FORMAT_VERSION) {
            return "version " + version + " is not the supported " + FORMAT_VERSION;
        }
        if (keyId == null || !CanonicalJson.HEX_64.matcher(keyId).matches()) {
            return "keyId is not 64 lowercase hex digits";
        }
        if (previousKeyId != null && !CanonicalJson.HEX_64.matcher(previousKeyId).matches()) {
            return "previousKeyId is not 64 lowercase hex digits";
        }
        try {
            String actual = KeyIds.of(key());
            if (!actual.equals(keyId)) {
                return "keyId " + keyId + " is not the SHA-256 of its public key (" + actual + ")";
            }
        } catch (RuntimeException e) {
            return "publicKey is not the base64 of an Ed25519 public key (X.509 SubjectPublicKeyInfo DER)";
        }
        return null;
    }
}
