package io.auditkeeper.archiver.archive;

import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.evidence.store.DigestReader;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the periodic digests: a signed record of the head (last entry) of every partition's manifest chain, chained
 * to the previous digest, locked like everything else, under {@link ArchiveLayout#digest}. A chain's tail deleted
 * after a digest covered it (or a whole partition's chain) no longer matches the digest, which the entries alone
 * cannot show.
 */
public final class DigestWriter {
    private final ArchiveLayout layout;
    private final DigestReader digests;
    private final ObjectLockArchiveWriter writer;
    private final S3ManifestStore manifests;
    private final ManifestSigner signer;

    public DigestWriter(S3Client s3, String bucket, String prefix, ObjectLockArchiveWriter writer, S3ManifestStore manifests,
                        ManifestSigner signer) {
        this.layout = new ArchiveLayout(prefix);
        this.digests = new DigestReader(s3, bucket, layout);
        this.writer = writer;
        this.manifests = manifests;
        this.signer = signer;
    }

    /** Signs and writes a digest of the heads of every partition of {@code topic} that has a chain. */
    public Digest write(String topic, Instant now) {
        return write(List.of(topic), now);
    }

    /** Signs and writes a digest of the heads of every partition of these topics that has a chain. */
    public Digest write(List<String> topics, Instant now) {
        Digest digest = next(topics, now, latest(now));
        put(digest);
        return digest;
    }

    /**
     * Signs, without writing it, the digest that follows {@code previous} (none: the first): the heads of every
     * partition of these topics that has a chain, as S3 holds them now (S3 holds only the entries the consumer group
     * accepted). Each head is looked for from the one {@code previous} recorded on, so that it costs a listing or two
     * of what was written since, not one of the partition's whole history.
     */
    public Digest next(List<String> topics, Instant now, Optional<Digest> previous) {
        Map<String, Map<Integer, Long>> before = new HashMap<>();
        previous.ifPresent(d -> d.heads().forEach(h -> before.computeIfAbsent(h.topic(), t -> new HashMap<>())
                .put(h.partition(), h.lastOffset() + 1)));
        List<Digest.PartitionHead> heads = new ArrayList<>();
        for (String topic : topics) {
            for (int partition : manifests.partitions(topic)) {
                long next = before.getOrDefault(topic, Map.of()).getOrDefault(partition, 0L);
                manifests.last(topic, partition, next, 0).map(Digest.PartitionHead::of).ifPresent(heads::add);
            }
        }
        return signer.sign(Digest.unsigned(now, heads, previous.map(Digest::hash).orElse(ManifestEntry.GENESIS)));
    }

    /** Writes a signed digest under its key; writing the same digest again adds nothing (same key, same bytes). */
    public void put(Digest digest) {
        Instant createdAt = Instant.parse(digest.createdAt());
        writer.put(layout.digest(createdAt), ManifestCodec.writeDigest(digest), "application/json", Map.of(), createdAt);
    }

    /**
     * The latest digest in S3, if any: where a chain of digests goes on when the group has none committed. Reads one
     * digest ({@link DigestReader#latest}), however many years of them there are.
     */
    public Optional<Digest> latest(Instant now) {
        return digests.latest(now);
    }
}
