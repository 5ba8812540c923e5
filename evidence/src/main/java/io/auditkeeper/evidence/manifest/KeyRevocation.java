package io.auditkeeper.evidence.manifest;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A signing key withdrawn from a time on, because it was (or may have been) compromised: stored once under
 * {@code [<prefix>/]key-revocations/<keyId>.json} and locked. Whatever the revoked key signed in a manifest object
 * written from {@code revokedFrom} on is not trusted, nor the record of a key it introduced from then on; what it
 * signed before stays evidence. The time compared is the one S3 gives each object when it is written, which no client
 * sets, not a time the signed bytes carry (a thief of the key could backdate those).
 *
 * <p>Only a key that descends from the revoked one (its record was signed by the revoked key, or by a key that
 * descends from it) may sign a revocation: the operator who rotated away from a compromised key revokes it with the
 * new one, and a thief holding the old key cannot revoke the keys that replaced it.
 *
 * <h2>Canonical form (the signed bytes)</h2>
 * Same rules as {@link ManifestEntry}'s: {@code {"version":1,"keyId":"...","revokedFrom":"...","signedBy":"..."}}.
 */
@JsonPropertyOrder({"version", "keyId", "revokedFrom", "signedBy", "signature"})
public record KeyRevocation(int version, String keyId, String revokedFrom, String signedBy, String signature) {
    public static final int FORMAT_VERSION = 1;

    /** The revocation of {@code keyId} from {@code from}, unsigned; the signer fills {@code signedBy}. */
    public static KeyRevocation unsigned(String keyId, Instant from) {
        return new KeyRevocation(FORMAT_VERSION, keyId, from.toString(), null, null);
    }

    public byte[] canonicalBytes() {
        return new CanonicalJson().beginObject()
                .field("version", version)
                .field("keyId", keyId)
                .field("revokedFrom", revokedFrom)
                .field("signedBy", signedBy)
                .endObject().toBytes();
    }

    KeyRevocation signedBy(String signer, String newSignature) {
        return new KeyRevocation(version, keyId, revokedFrom, signer, newSignature);
    }

    /** The time from which the key is not trusted; null when it is not an instant. */
    public Instant from() {
        return ManifestEntry.parseInstant(revokedFrom);
    }

    String malformation() {
        if (version != FORMAT_VERSION) {
            return "version " + version + " is not the supported " + FORMAT_VERSION;
        }
        if (keyId == null || !CanonicalJson.HEX_64.matcher(keyId).matches()) {
            return "keyId is not 64 lowercase hex digits";
        }
        if (signedBy == null || !CanonicalJson.HEX_64.matcher(signedBy).matches()) {
            return "signedBy is not 64 lowercase hex digits";
        }
        if (from() == null) {
            return "revokedFrom is not an ISO-8601 instant";
        }
        return null;
    }

    @Override
    public String toString() {
        return new String(canonicalBytes(), StandardCharsets.UTF_8);
    }
}
