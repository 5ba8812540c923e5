package io.auditkeeper.evidence.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A periodic, signed statement of the latest manifest entry of every partition, chained to the previous digest by
 * {@code previousDigestHash}. A partition's own chain cannot show that its newest entries were deleted (the shortened
 * chain is still a valid chain); a digest that recorded the newer head can, and so can it for a partition whose whole
 * chain is gone. This is the role CloudTrail's digest files play for its log files.
 *
 * <h2>Canonical form (the signed bytes)</h2>
 * Same rules as {@link ManifestEntry}'s canonical form, with these fields in this order, heads in list order:
 * <pre>
 * {"version":2,"createdAt":"...","heads":[{"topic":"...","partition":0,"lastOffset":0,"entryHash":"..."},...],
 *  "previousDigestHash":"...","keyId":"..."}
 * </pre>
 * Version 1 digests have no {@code keyId}, as for entries.
 * {@link #hash()} is the SHA-256 of that form with {@code ,"signature":"..."} added as the last field, as for entries.
 * The first digest's {@code previousDigestHash} is {@link ManifestEntry#GENESIS}.
 */
@JsonPropertyOrder({"version", "createdAt", "heads", "previousDigestHash", "keyId", "signature"})
public record Digest(int version, String createdAt, List<PartitionHead> heads, String previousDigestHash,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String keyId, String signature) {

    /** The format version this code writes: 2, which names the signing key. Version 1 digests are still verified. */
    public static final int FORMAT_VERSION = 2;
    /** The first format: no {@code keyId}. */
    public static final int FORMAT_VERSION_1 = 1;

    public Digest {
        heads = heads == null ? null : List.copyOf(heads);
    }

    /** A digest of format version 1 (no {@code keyId}). */
    public Digest(int version, String createdAt, List<PartitionHead> heads, String previousDigestHash,
                  String signature) {
        this(version, createdAt, heads, previousDigestHash, null, signature);
    }

    /**
     * The newest manifest entry of one partition at the time of the digest: its last offset and its
     * {@link ManifestEntry#hash()}.
     */
    @JsonPropertyOrder({"topic", "partition", "lastOffset", "entryHash"})
    public record PartitionHead(String topic, int partition, long lastOffset, String entryHash) {

        /** The head of a chain: its last entry. */
        public static PartitionHead of(ManifestEntry last) {
            return new PartitionHead(last.topic(), last.partition(), last.lastOffset(), last.hash());
        }

        /** {@code topic-partition}, the key of the partition's chain in a map of chains. */
        public String topicPartition() {
            return ManifestEntry.topicPartition(topic, partition);
        }
    }

    /** A digest of the current format version, not yet signed; pass it to {@link ManifestSigner#sign(Digest)}. */
    public static Digest unsigned(Instant createdAt, List<PartitionHead> heads, String previousDigestHash) {
        return new Digest(FORMAT_VERSION, createdAt.toString(), heads, previousDigestHash, null, null);
    }

    /** The bytes that are signed. */
    public byte[] canonicalBytes() {
        return canonical(false).toBytes();
    }

    /** The canonical form as a string. */
    public String canonicalString() {
        return new String(canonicalBytes(), StandardCharsets.UTF_8);
    }

    /** Lowercase hex SHA-256 of the canonical form including the signature; the next digest's previousDigestHash. */
    public String hash() {
        return CanonicalJson.sha256Hex(canonical(true).field("signature", signature).endObject().toBytes());
    }

    /** This digest with another signature. */
    public Digest withSignature(String newSignature) {
        return new Digest(version, createdAt, heads, previousDigestHash, keyId, newSignature);
    }

    /** This digest naming another signing key, unsigned. */
    public Digest withKeyId(String newKeyId) {
        return new Digest(version, createdAt, heads, previousDigestHash, newKeyId, null);
    }

    private CanonicalJson canonical(boolean open) {
        CanonicalJson json = new CanonicalJson().beginObject()
                .field("version", version)
                .field("createdAt", createdAt)
                .beginArray("heads");
        if (heads != null) {
            for (PartitionHead head : heads) {
                if (head == null) {
                    throw new IllegalArgumentException("a digest head is null");
                }
                json.element()
                        .field("topic", head.topic())
                        .field("partition", head.partition())
                        .field("lastOffset", head.lastOffset())
                        .field("entryHash", head.entryHash())
                        .endObject();
            }
        }
        json.endArray().field("previousDigestHash", previousDigestHash);
        if (version >= FORMAT_VERSION) {
            json.field("keyId", keyId);
        }
        return open ? json : json.endObject();
    }

    /** Why this digest must not be signed, or null when it is well-formed. */
    public String malformation() {
        if (version != FORMAT_VERSION && version != FORMAT_VERSION_1) {
            return "version " + version + " is not a supported one (" + FORMAT_VERSION_1 + " or "
                    + FORMAT_VERSION + ")";
        }
        if (version == FORMAT_VERSION
                && (keyId == null || !CanonicalJson.HEX_64.matcher(keyId).matches())) {
            return "keyId is not 64 lowercase hex digits";
        }
        if (version == FORMAT_VERSION_1 && keyId != null) {
            return "keyId is not part of format version 1";
        }
        if (ManifestEntry.parseInstant(createdAt) == null) {
            return "createdAt is not an ISO-8601 instant";
        }
        if (heads == null) {
            return "heads are missing";
        }
        if (previousDigestHash == null || !CanonicalJson.HEX_64.matcher(previousDigestHash).matches()) {
            return "previousDigestHash is not 64 lowercase hex digits";
        }
        Set<String> seen = new HashSet<>();
        for (PartitionHead head : heads) {
            if (head == null || head.topic() == null || head.topic().isEmpty() || head.partition() < 0
                    || head.lastOffset() < 0 || head.entryHash() == null
                    || !CanonicalJson.HEX_64.matcher(head.entryHash()).matches()) {
                return "head " + head + " is incomplete";
            }
            if (!seen.add(head.topicPartition())) {
                return "partition " + head.topicPartition() + " has two heads";
            }
        }
        return null;
    }
}
