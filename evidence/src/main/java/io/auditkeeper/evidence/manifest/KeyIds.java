package io.auditkeeper.evidence.manifest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.HexFormat;

/**
 * The identity of a signing key, as entries, digests and key records name it: the lowercase hex SHA-256 of its public
 * key's X.509 SubjectPublicKeyInfo DER. Anyone can compute it from the public key alone
 * ({@code openssl pkey -pubin -in pub.pem -outform DER | sha256sum}), so a key named in an entry can be matched to the
 * key an auditor holds without trusting the archive; CloudTrail names its digest keys by fingerprint the same way.
 */
public final class KeyIds {
    private KeyIds() {
    }

    public static String of(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
