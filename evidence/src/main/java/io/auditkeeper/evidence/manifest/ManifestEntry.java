package io.auditkeeper.evidence.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The record of one archived S3 object: which Kafka offsets of which partition it holds, where it is (key and
 * versionId), what it hashes to, how long it is locked, and the {@link #hash()} of the previous entry of the same
 * partition. The previous-hash links make each partition's manifest a chain, so that an object dropped from the
 * archive, or an entry dropped from the manifest, breaks the chain; the Ed25519 signature makes an edited entry
 * detectable without trusting whoever stores the manifest.
 *
 * <p>{@code count} is the number of records in the object. It is <em>not</em> required to equal
 * {@code lastOffset - firstOffset + 1}: a transactional or compacted topic has offsets that hold no record (commit
 * markers, compacted-away keys). It must be between 1 and that span.
 *
 * <h2>Canonical form (the signed bytes)</h2>
 * The UTF-8 bytes of one JSON object, without any whitespace, with exactly these fields in exactly this order:
 * <pre>
 * {"version":2,"topic":"...","partition":0,"firstOffset":0,"lastOffset":0,"count":0,"firstEventTime":"...",
 *  "lastEventTime":"...","key":"...","versionId":"...","sha256":"...","previousHash":"...","retentionMode":"...",
 *  "retainUntil":"...","keyId":"...","merkleRoot":"..."}
 * </pre>
 * (one line; shown wrapped; {@code version} is 3). {@code merkleRoot} is the lowercase hex root of the RFC 6962 Merkle
 * tree over the object's events, one leaf per line ({@code io.auditkeeper.evidence.proof.MerkleTree}), so that one
 * event can be proven to be in the entry with a few hashes ({@code EventProof}). {@code keyId} names the signing key: the lowercase hex SHA-256 of its X.509
 * SubjectPublicKeyInfo DER ({@code openssl pkey -pubin -in pub.pem -outform DER | sha256sum}), looked up in the
 * archive's key history ({@code KeyHistory}). Format version 2 has no {@code merkleRoot}, and version 1 neither a
 * {@code keyId} (absent fields are absent in the file too; version 1 was signed with the archive's first key); archives
 * written before keep them, and they are still verified. Numbers are plain decimal integers. A null string is the literal {@code null}. Inside
 * strings, {@code "} and {@code \} are escaped as {@code \"} and {@code \\}, characters below U+0020 and unpaired
 * surrogates as {@code \}{@code u} and four lowercase hex digits, and every other character (including {@code /} and
 * non-ASCII) is written as itself in UTF-8. The {@code signature} field is base64 (RFC 4648, with padding) of the
 * 64-byte Ed25519 signature over these bytes.
 *
 * <p>{@link #hash()}, which the next entry records as {@code previousHash}, is the lowercase hex SHA-256 of the same
 * form with the signature appended as a last field: {@code ...,"retainUntil":"...","signature":"..."}}. Including the
 * signature means the chain commits to the signed entries, not just to their content.
 *
 * <h2>Verifying without Audit Keeper</h2>
 * Write the canonical form of an entry to {@code canonical.json} (no trailing newline), base64-decode its
 * {@code signature} to {@code sig.bin}, and with the published public key:
 * <pre>
 * openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in canonical.json -sigfile sig.bin
 * </pre>
 * (OpenSSL 3.0 or later). {@code sha256sum} of the object version gives {@code sha256}. {@code docs/verify-by-hand.md}
 * walks through every check this way, and {@code docs/verify-by-hand.sh} makes them (tested by {@code VerifyByHandIT}).
 *
 * <p>Times ({@code firstEventTime}, {@code lastEventTime}, {@code retainUntil}) are ISO-8601 UTC instants as
 * {@link Instant#toString()} writes them. They are strings, not {@link Instant}s, so that the bytes signed are exactly
 * the bytes stored.
 */
@JsonPropertyOrder({"version", "topic", "partition", "firstOffset", "lastOffset", "count", "firstEventTime",
        "lastEventTime", "key", "versionId", "sha256", "previousHash", "retentionMode", "retainUntil", "keyId",
        "merkleRoot", "signature"})
public record ManifestEntry(
        int version,
        String topic,
        int partition,
        long firstOffset,
        long lastOffset,
        int count,
        String firstEventTime,
        String lastEventTime,
        String key,
        String versionId,
        String sha256,
        String previousHash,
        String retentionMode,
        String retainUntil,
        @JsonInclude(JsonInclude.Include.NON_NULL) String keyId,
        @JsonInclude(JsonInclude.Include.NON_NULL) String merkleRoot,
        String signature) {

    /** The format version this code writes: 3, with the events' Merkle root. Versions 1 and 2 are still verified. */
    public static final int FORMAT_VERSION = 3;
    /** The second format: names the signing key ({@code keyId}), has no {@code merkleRoot}. */
    public static final int FORMAT_VERSION_2 = 2;
    /** The first format: no {@code keyId}; signed with the archive's first key, the one an auditor pins. */
    public static final int FORMAT_VERSION_1 = 1;

    /** An entry of format version 1 or 2 (no {@code merkleRoot}). */
    public ManifestEntry(int version, String topic, int partition, long firstOffset, long lastOffset, int count,
                         String firstEventTime, String lastEventTime, String key, String versionId, String sha256,
                         String previousHash, String retentionMode, String retainUntil, String keyId,
                         String signature) {
        this(version, topic, partition, firstOffset, lastOffset, count, firstEventTime, lastEventTime, key, versionId,
                sha256, previousHash, retentionMode, retainUntil, keyId, null, signature);
    }

    /** An entry of format version 1 (no {@code keyId}), as archives written before version 2 hold them. */
    public ManifestEntry(int version, String topic, int partition, long firstOffset, long lastOffset, int count,
                         String firstEventTime, String lastEventTime, String key, String versionId, String sha256,
                         String previousHash, String retentionMode, String retainUntil, String signature) {
        this(version, topic, partition, firstOffset, lastOffset, count, firstEventTime, lastEventTime, key, versionId,
                sha256, previousHash, retentionMode, retainUntil, null, null, signature);
    }

    /** The {@code previousHash} of the first entry of a partition: 64 zeros. */
    public static final String GENESIS = "0".repeat(64);

    /**
     * An entry of the current {@link #FORMAT_VERSION}, not yet signed; pass it to {@link ManifestSigner#sign}.
     * {@code merkleRoot} is the lowercase hex root over the object's events ({@code MerkleTree}).
     */
    public static ManifestEntry unsigned(String topic, int partition, long firstOffset, long lastOffset, int count,
                                         Instant firstEventTime, Instant lastEventTime, String key, String versionId,
                                         String sha256, String previousHash, String retentionMode,
                                         Instant retainUntil, String merkleRoot) {
        return new ManifestEntry(FORMAT_VERSION, topic, partition, firstOffset, lastOffset, count,
                firstEventTime.toString(), lastEventTime.toString(), key, versionId, sha256, previousHash,
                retentionMode, retainUntil.toString(), null, merkleRoot, null);
    }

    /** The bytes that are signed; see the class documentation. */
    public byte[] canonicalBytes() {
        return canonical(false).toBytes();
    }

    /** The canonical form as a string, for display and for the {@code openssl} recipe. */
    public String canonicalString() {
        return new String(canonicalBytes(), StandardCharsets.UTF_8);
    }

    /** Lowercase hex SHA-256 of the canonical form including the signature; the next entry's {@code previousHash}. */
    public String hash() {
        return CanonicalJson.sha256Hex(canonical(true).field("signature", signature).endObject().toBytes());
    }

    /** {@code topic-partition}, as Kafka writes a partition's name; the key of a chain in a map of chains. */
    public String topicPartition() {
        return topicPartition(topic, partition);
    }

    /** This entry with another signature (the canonical form is unchanged). */
    public ManifestEntry withSignature(String newSignature) {
        return new ManifestEntry(version, topic, partition, firstOffset, lastOffset, count, firstEventTime,
                lastEventTime, key, versionId, sha256, previousHash, retentionMode, retainUntil, keyId, merkleRoot,
                newSignature);
    }

    /** This entry naming another signing key, unsigned (the key is part of what is signed). */
    public ManifestEntry withKeyId(String newKeyId) {
        return new ManifestEntry(version, topic, partition, firstOffset, lastOffset, count, firstEventTime,
                lastEventTime, key, versionId, sha256, previousHash, retentionMode, retainUntil, newKeyId, merkleRoot,
                null);
    }

    /** The lowercase hex SHA-256 of an object's content, as {@code sha256} records it. */
    public static String sha256Hex(byte[] content) {
        return CanonicalJson.sha256Hex(content);
    }

    static String topicPartition(String topic, int partition) {
        return topic + "-" + partition;
    }

    private CanonicalJson canonical(boolean open) {
        CanonicalJson json = new CanonicalJson().beginObject()
                .field("version", version)
                .field("topic", topic)
                .field("partition", partition)
                .field("firstOffset", firstOffset)
                .field("lastOffset", lastOffset)
                .field("count", count)
                .field("firstEventTime", firstEventTime)
                .field("lastEventTime", lastEventTime)
                .field("key", key)
                .field("versionId", versionId)
                .field("sha256", sha256)
                .field("previousHash", previousHash)
                .field("retentionMode", retentionMode)
                .field("retainUntil", retainUntil);
        if (version >= FORMAT_VERSION_2) {
            json.field("keyId", keyId);
        }
        if (version >= FORMAT_VERSION) {
            json.field("merkleRoot", merkleRoot);
        }
        return open ? json : json.endObject();
    }

    /** Why this entry must not be signed, or null when it is well-formed. */
    public String malformation() {
        if (version < FORMAT_VERSION_1 || version > FORMAT_VERSION) {
            return "version " + version + " is not a supported one (" + FORMAT_VERSION_1 + " to " + FORMAT_VERSION + ")";
        }
        if (version >= FORMAT_VERSION_2 && (keyId == null || !CanonicalJson.HEX_64.matcher(keyId).matches())) {
            return "keyId is not 64 lowercase hex digits";
        }
        if (version >= FORMAT_VERSION && (merkleRoot == null || !CanonicalJson.HEX_64.matcher(merkleRoot).matches())) {
            return "merkleRoot is not 64 lowercase hex digits";
        }
        if (version < FORMAT_VERSION && merkleRoot != null) {
            return "merkleRoot is not part of format version " + version;
        }
        if (version == FORMAT_VERSION_1 && keyId != null) {
            return "keyId is not part of format version 1";
        }
        if (topic == null || topic.isEmpty()) {
            return "topic is missing";
        }
        if (partition < 0) {
            return "partition " + partition + " is negative";
        }
        if (firstOffset < 0 || lastOffset < firstOffset) {
            return "offsets " + firstOffset + "-" + lastOffset + " are not a range";
        }
        if (key == null || key.isEmpty()) {
            return "key is missing";
        }
        if (versionId == null || versionId.isEmpty()) {
            return "versionId is missing";
        }
        if (sha256 == null || !CanonicalJson.HEX_64.matcher(sha256).matches()) {
            return "sha256 is not 64 lowercase hex digits";
        }
        if (previousHash == null || !CanonicalJson.HEX_64.matcher(previousHash).matches()) {
            return "previousHash is not 64 lowercase hex digits";
        }
        if (retentionMode == null || retentionMode.isEmpty()) {
            return "retentionMode is missing";
        }
        for (String[] time : new String[][] {{"firstEventTime", firstEventTime}, {"lastEventTime", lastEventTime},
                {"retainUntil", retainUntil}}) {
            if (parseInstant(time[1]) == null) {
                return time[0] + " is not an ISO-8601 instant";
            }
        }
        return null;
    }

    static Instant parseInstant(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
