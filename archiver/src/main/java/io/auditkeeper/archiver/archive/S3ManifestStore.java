package io.auditkeeper.archiver.archive;

import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.store.ManifestReader;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The manifest chains as their writer sees them: each entry written as a locked object under
 * {@link ArchiveLayout#manifest}, and a chain's head or whole history read back (through the shared
 * {@link ManifestReader}) to resume from.
 */
public final class S3ManifestStore {
    private final ArchiveLayout layout;
    private final ManifestReader reader;
    private final ObjectLockArchiveWriter writer;

    public S3ManifestStore(S3Client s3, String bucket, String prefix, ObjectLockArchiveWriter writer) {
        this.layout = new ArchiveLayout(prefix);
        this.reader = new ManifestReader(s3, bucket, layout);
        this.writer = writer;
    }

    public String key(String topic, int partition, long firstOffset, long lastOffset) {
        return layout.manifest(topic, partition, firstOffset, lastOffset);
    }

    public void put(ManifestEntry entry, Instant batchTime) {
        writer.put(key(entry.topic(), entry.partition(), entry.firstOffset(), entry.lastOffset()),
                ManifestCodec.write(List.of(entry)), "application/x-ndjson", Map.of(), batchTime);
    }

    /** A chain's head, listing the whole chain ({@link ManifestReader#last(String, int)}). */
    public Optional<ManifestEntry> last(String topic, int partition) {
        return reader.last(topic, partition);
    }

    /**
     * A chain's head, looked for from {@code next - back} on, then further back: a request or two when the chain goes
     * on from about there, whatever its length; the same head as {@link #last(String, int)}
     * ({@link ManifestReader#last(String, int, long, long)}).
     */
    public Optional<ManifestEntry> last(String topic, int partition, long next, long back) {
        return reader.last(topic, partition, next, back);
    }

    /** Every entry of a partition, in chain order. */
    public List<ManifestEntry> all(String topic, int partition) {
        return reader.all(topic, partition);
    }

    /** The partitions of {@code topic} that have a manifest chain. */
    public List<Integer> partitions(String topic) {
        return reader.partitions(topic);
    }
}
