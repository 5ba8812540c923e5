package io.auditkeeper.evidence.proof;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.KeyRecord;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.proof.MerkleTree.PathStep;
import io.auditkeeper.model.AuditJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The answer to "is this request in the archive, unaltered, and when was it sealed?" for one event, as a file an
 * auditor can keep and check offline with nothing but the archive's pinned key ({@link ProofVerifier}, or
 * {@code openssl}, {@code sha256sum} and {@code jq} as {@code docs/verify-by-hand.md} shows):
 * <ul>
 *   <li>{@code leaf}: the event's bytes exactly as archived (base64 of its line in the object, without the
 *       {@code \n}), and {@code event}, the same bytes parsed, to read;</li>
 *   <li>{@code leafIndex}, {@code leafHash} and {@code auditPath}: its place in the object's Merkle tree
 *       ({@link MerkleTree}) and the sibling hashes up to the root, which {@code entry} records;</li>
 *   <li>{@code entry}: the signed manifest entry of the object, as its manifest object holds it;</li>
 *   <li>{@code chain}: the entries of the same partition after it, in order, up to the one {@code digest} names as
 *       the partition's head: each records the hash of the one before, so the digest commits to the entry;</li>
 *   <li>{@code digest}: the first signed digest that names a head at or after the entry; its {@code createdAt} is the
 *       time by which the event was sealed;</li>
 *   <li>{@code keys}: the key history's records that lead from the pinned key to the keys that signed the entry, the
 *       chain and the digest.</li>
 * </ul>
 * The object itself is not in the proof: the path stands for the other events, which stay unread and undisclosed.
 */
@JsonPropertyOrder({"proofVersion", "auditID", "stage", "cluster", "event", "leaf", "leafIndex", "leafHash",
        "auditPath", "entry", "chain", "digest", "keys"})
public record EventProof(int proofVersion, String auditID, String stage, String cluster, JsonNode event, String leaf,
                         long leafIndex, String leafHash, List<PathStep> auditPath, ManifestEntry entry,
                         List<ManifestEntry> chain, Digest digest, List<KeyRecord> keys) {

    /** The format this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    private static final ObjectReader READER = AuditJson.mapper().readerFor(EventProof.class)
            .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                    DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    public EventProof {
        auditPath = auditPath == null ? null : List.copyOf(auditPath);
        chain = chain == null ? null : List.copyOf(chain);
        keys = keys == null ? null : List.copyOf(keys);
    }

    /** The proof as an indented JSON document followed by a newline. */
    public byte[] toJson() {
        try {
            byte[] json = AuditJson.mapper().writer(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(this);
            byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
            out[json.length] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A proof file, read strictly (unknown, missing or repeated fields are refused).
     *
     * @throws IllegalArgumentException saying what is wrong with the file
     */
    public static EventProof fromJson(byte[] json) {
        try {
            EventProof proof = READER.readValue(json);
            if (proof.proofVersion() != FORMAT_VERSION) {
                throw new IllegalArgumentException("proofVersion " + proof.proofVersion() + " is not "
                        + FORMAT_VERSION + ", the format this version of auditkeeper reads");
            }
            return proof;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a proof file: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a proof file: " + e, e);
        }
    }
}
