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
import java.util.List;
import java.util.Map;

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
        Digest digest = next(topics, now, latest().map(Digest::hash).orElse(ManifestEntry.GENESIS));
        put(digest);
        return digest;
    }

    /**
     * Signs, without writing it, the digest that follows {@code previousHash}: the heads of every partition of these
     * topics that has a chain, as S3 holds them now (S3 holds only the entries the consumer group accepted).
     */
    public Digest next(List<String> topics, Instant now, String previousHash) {
        List<Digest.PartitionHead> heads = new ArrayList<>();
        for (String topic : topics) {
            for (int partition : manifests.partitions(topic)) {
                manifests.last(topic, partition).map(Digest.PartitionHead::of).ifPresent(heads::add);
            }
        }
        return signer.sign(Digest.unsigned(now, heads, previousHash));
    }

    /** Writes a signed digest under its key; writing the same digest again adds nothing (same key, same bytes). */
    public void put(Digest digest) {
        Instant createdAt = Instant.parse(digest.createdAt());
        writer.put(layout.digest(createdAt), ManifestCodec.writeDigest(digest), "application/json", Map.of(), createdAt);
    }

    /** The latest digest in S3, if any: where a chain of digests goes on when the group has none committed. */
    public java.util.Optional<Digest> latest() {
        List<Digest> all = digests.all();
        return all.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(all.get(all.size() - 1));
    }
}
