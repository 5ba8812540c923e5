package io.auditkeeper.evidence.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.KeyRecord;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.proof.ArchivedEvents;
import io.auditkeeper.evidence.proof.EventProof;
import io.auditkeeper.evidence.proof.MerkleTree;
import io.auditkeeper.model.AuditJson;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * Reads from the archive what an {@link EventProof} of one event needs, and no more: the manifest entry whose offsets
 * hold the event (found by listing near its offset, not the whole chain), its object, the first digest that covers it
 * and the entries between, and the key history. Manifests and digests are read at their first version, as
 * {@code verify} reads them; one written more than once is refused, since a proof must not rest on a rewritten object.
 */
public final class EventProofReader {
    /** How far before an entry's last event the digests that may cover it are looked for (clocks differ a little). */
    private static final Duration DIGEST_LOOKBACK = Duration.ofHours(1);

    private final S3Client s3;
    private final String bucket;
    private final ArchiveLayout layout;

    public EventProofReader(S3Client s3, String bucket, ArchiveLayout layout) {
        this.s3 = s3;
        this.bucket = bucket;
        this.layout = layout;
    }

    /** Which event: its audit ID, stage and cluster (stage and cluster may be null: any). */
    public record EventMatch(String auditID, String stage, String cluster) {
        public boolean matches(JsonNode event) {
            return auditID.equals(event.path("auditID").asText(null))
                    && (stage == null || stage.equals(event.path("stage").asText(null)))
                    && (cluster == null || cluster.equals(event.path("cluster").asText(null)));
        }
    }

    /** Why no proof can be made, in words for the auditor. */
    public static final class ProofUnavailableException extends Exception {
        public ProofUnavailableException(String message) {
            super(message);
        }
    }

    /**
     * The proof of the event {@code match} names, which is at {@code offset} of {@code topic}'s {@code partition} (as
     * the {@code audit-events} index records it), or in the object that holds that offset.
     */
    public EventProof prove(String topic, int partition, long offset, EventMatch match)
            throws ProofUnavailableException {
        String entryKey = manifestKeyHolding(topic, partition, offset);
        ManifestEntry entry = readOnce(entryKey).stream()
                .filter(e -> e.firstOffset() <= offset && offset <= e.lastOffset()).findFirst()
                .orElseThrow(() -> new ProofUnavailableException(entryKey + " holds no entry with offset " + offset));
        if (entry.version() < ManifestEntry.FORMAT_VERSION || entry.merkleRoot() == null) {
            throw new ProofUnavailableException("the entry of " + entry.key() + " is of format " + entry.version()
                    + ", written before entries recorded a Merkle root: no proof of one event can be made for it;"
                    + " auditkeeper verify checks the whole object");
        }
        byte[] content = s3.getObjectAsBytes(b -> b.bucket(bucket).key(entry.key()).versionId(entry.versionId()))
                .asByteArray();
        if (!ManifestEntry.sha256Hex(content).equals(entry.sha256())) {
            throw new ProofUnavailableException("version " + entry.versionId() + " of " + entry.key()
                    + " does not have the SHA-256 its entry records; run auditkeeper verify");
        }
        List<byte[]> lines;
        try {
            lines = ArchivedEvents.lines(content);
        } catch (IOException e) {
            throw new ProofUnavailableException(entry.key() + " is not gzip: " + e.getMessage());
        }
        int index = -1;
        JsonNode event = null;
        for (int i = 0; i < lines.size() && index < 0; i++) {
            JsonNode parsed = parse(lines.get(i));
            if (parsed != null && match.matches(parsed)) {
                index = i;
                event = parsed;
            }
        }
        if (index < 0) {
            throw new ProofUnavailableException("no event with audit-id " + match.auditID()
                    + (match.stage() == null ? "" : " stage " + match.stage())
                    + (match.cluster() == null ? "" : " cluster " + match.cluster()) + " is in " + entry.key()
                    + " (offsets " + entry.firstOffset() + "-" + entry.lastOffset() + ")");
        }
        List<byte[]> leafHashes = ArchivedEvents.leafHashes(lines);
        if (!MerkleTree.rootHex(leafHashes).equals(entry.merkleRoot()) || lines.size() != entry.count()) {
            throw new ProofUnavailableException("the events of " + entry.key() + " do not give the Merkle root its"
                    + " entry records; run auditkeeper verify");
        }
        Digest digest = firstDigestCovering(entry);
        Digest.PartitionHead head = digest.heads().stream()
                .filter(h -> h.topicPartition().equals(entry.topicPartition())).findFirst().orElseThrow();
        List<ManifestEntry> chain = chainTo(entryKey, entry, head);
        return new EventProof(EventProof.FORMAT_VERSION, event.path("auditID").asText(null),
                event.path("stage").asText(null), event.path("cluster").asText(null), event,
                Base64.getEncoder().encodeToString(lines.get(index)), index,
                HexFormat.of().formatHex(leafHashes.get(index)), MerkleTree.auditPath(leafHashes, index), entry, chain,
                digest, keyRecords());
    }

    /** The key of the manifest object whose offsets hold {@code offset}. */
    private String manifestKeyHolding(String topic, int partition, long offset) throws ProofUnavailableException {
        String found = new ManifestReader(s3, bucket, layout).keyAtOrBefore(topic, partition, offset).orElseThrow(
                () -> new ProofUnavailableException(topic + "-" + partition + " has no manifest entry at or before"
                        + " offset " + offset));
        long last = ArchiveLayout.manifestOffsets(found)[1];
        if (last < offset) {
            throw new ProofUnavailableException("offset " + offset + " of " + topic + "-" + partition + " is in no"
                    + " manifest entry: the nearest before it, " + found + ", ends at " + last + " (not archived yet,"
                    + " or a gap in the chain: run auditkeeper verify)");
        }
        return found;
    }

    /** The entries of a manifest object read at its first version; refused when it was written more than once. */
    private List<ManifestEntry> readOnce(String key) throws ProofUnavailableException {
        return ManifestCodec.read(firstVersion(key));
    }

    /** The bytes of {@code key}'s first version; refused when something was written after it. */
    private byte[] firstVersion(String key) throws ProofUnavailableException {
        VersionListing.KeyVersions versions = VersionListing.of(s3, bucket, key).stream()
                .filter(k -> k.key().equals(key)).findFirst()
                .orElseThrow(() -> new ProofUnavailableException(key + " does not exist"));
        if (versions.rewritten()) {
            throw new ProofUnavailableException(key + ": " + versions.describe() + "; a proof cannot rest on it, run"
                    + " auditkeeper verify");
        }
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versions.oldest())).asByteArray();
    }

    private Digest firstDigestCovering(ManifestEntry entry) throws ProofUnavailableException {
        Instant lastEvent = Instant.parse(entry.lastEventTime());
        String startAfter = layout.digestsFrom(lastEvent.minus(DIGEST_LOOKBACK));
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(layout.digests())
                    .startAfter(startAfter).continuationToken(t));
            for (S3Object o : page.contents()) {
                Digest digest = ManifestCodec.readDigest(firstVersion(o.key()));
                boolean covers = digest.heads().stream().anyMatch(h -> h.topicPartition().equals(entry.topicPartition())
                        && h.lastOffset() >= entry.lastOffset());
                if (covers) {
                    return digest;
                }
            }
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        throw new ProofUnavailableException("no digest covers " + entry.topicPartition() + " offset "
                + entry.lastOffset() + " yet: the archiver writes one every manifest.digest-interval; make the proof"
                + " after the next one");
    }

    /** The entries after {@code entry} up to the head, each read at its first version. */
    private List<ManifestEntry> chainTo(String entryKey, ManifestEntry entry, Digest.PartitionHead head)
            throws ProofUnavailableException {
        List<ManifestEntry> chain = new ArrayList<>();
        if (entry.lastOffset() == head.lastOffset()) {
            return chain;
        }
        List<String> keys = new ArrayList<>();
        String token = null;
        boolean past = false;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket)
                    .prefix(layout.manifests(entry.topic(), entry.partition())).startAfter(entryKey)
                    .continuationToken(t));
            for (S3Object o : page.contents()) {
                if (ArchiveLayout.manifestOffsets(o.key())[0] > head.lastOffset()) {
                    past = true;
                    break;
                }
                keys.add(o.key());
            }
            token = !past && page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        for (String key : keys) {
            chain.addAll(readOnce(key));
        }
        if (chain.isEmpty() || chain.get(chain.size() - 1).lastOffset() != head.lastOffset()) {
            throw new ProofUnavailableException("the chain of " + entry.topicPartition() + " does not reach offset "
                    + head.lastOffset() + ", the head its digest names; run auditkeeper verify");
        }
        return chain;
    }

    /** Every record of the key history, in key order: the verifier keeps those that lead from the pinned key. */
    private List<KeyRecord> keyRecords() {
        return List.copyOf(new TreeMap<>(new KeyRecordReader(s3, bucket, layout).read().records()).values());
    }

    private static JsonNode parse(byte[] line) {
        try {
            return AuditJson.mapper().readTree(line);
        } catch (IOException e) {
            return null;
        }
    }

}
