package io.auditkeeper.archiver.archive;

import io.auditkeeper.archiver.manifest.ManifestCodec;
import io.auditkeeper.archiver.manifest.ManifestEntry;
import io.auditkeeper.archiver.manifest.ManifestFormatException;
import io.auditkeeper.archiver.manifest.Problem;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Manifest entries in the archive bucket, one locked object per entry under
 * {@code [<prefix>/]manifests/<topic>/<partition>/<firstOffset>-<lastOffset>.json}: zero-padded offsets make the
 * listing the chain's order, so the last entry of a partition (where a restarted writer resumes) is the last key.
 */
public final class S3ManifestStore {
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final ObjectLockArchiveWriter writer;

    public S3ManifestStore(S3Client s3, String bucket, String prefix, ObjectLockArchiveWriter writer) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix == null || prefix.isEmpty() ? "" : prefix + "/";
        this.writer = writer;
    }

    public String key(String topic, int partition, long firstOffset, long lastOffset) {
        return partitionPrefix(topic, partition) + String.format("%020d-%020d.json", firstOffset, lastOffset);
    }

    public void put(ManifestEntry entry, Instant batchTime) {
        writer.put(key(entry.topic(), entry.partition(), entry.firstOffset(), entry.lastOffset()),
                ManifestCodec.write(List.of(entry)), "application/x-ndjson", Map.of(), batchTime);
    }

    public Optional<ManifestEntry> last(String topic, int partition) {
        String last = null;
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(partitionPrefix(topic, partition))
                    .continuationToken(t));
            for (S3Object o : page.contents()) {
                last = o.key();
            }
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        if (last == null) {
            return Optional.empty();
        }
        String key = last;
        List<ManifestEntry> entries = ManifestCodec.read(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(entries.size() - 1));
    }

    /** Every entry of a partition, in chain order. */
    public List<ManifestEntry> all(String topic, int partition) {
        List<ManifestEntry> out = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(partitionPrefix(topic, partition))
                    .continuationToken(t));
            for (S3Object o : page.contents()) {
                out.addAll(ManifestCodec.read(s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray()));
            }
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return out;
    }

    /**
     * A partition's chain as far as it can be read, for verification: the entries of every manifest object that
     * parses, and for each one that does not, a {@link Problem.Kind#MALFORMED_ENTRY} naming its key (and the offsets
     * its name gives), instead of the exception {@link #all} throws. The writer uses {@link #all}: it must not chain
     * onto a manifest it cannot read.
     */
    public Chain readChain(String topic, int partition) {
        return readChain(topic, partition, Runnable::run);
    }

    /**
     * As {@link #readChain(String, int)}, with the manifest objects of each listed page fetched on {@code reads} (all
     * at once, as many as it runs in parallel), and taken in key order: a chain of years is thousands of small GETs,
     * which a verifier far from the bucket would otherwise wait for one by one.
     */
    public Chain readChain(String topic, int partition, java.util.concurrent.Executor reads) {
        List<ManifestEntry> entries = new ArrayList<>();
        List<Problem> unreadable = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(partitionPrefix(topic, partition))
                    .continuationToken(t));
            List<java.util.concurrent.CompletableFuture<byte[]>> bodies = new ArrayList<>();
            for (S3Object o : page.contents()) {
                bodies.add(java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray(), reads));
            }
            for (int i = 0; i < bodies.size(); i++) {
                S3Object o = page.contents().get(i);
                try {
                    entries.addAll(ManifestCodec.read(join(bodies.get(i))));
                } catch (ManifestFormatException e) {
                    long[] offsets = offsetsOf(o.key());
                    unreadable.add(new Problem(Problem.Kind.MALFORMED_ENTRY, o.key(), offsets[0], offsets[1],
                            "the manifest object cannot be read: " + e.getMessage()));
                }
            }
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return new Chain(entries, unreadable);
    }

    /** The GET's bytes, or its own exception as if it had been made here. */
    private static byte[] join(java.util.concurrent.CompletableFuture<byte[]> body) {
        try {
            return body.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** The readable entries of a chain, in order, and a problem for each manifest object that could not be read. */
    public record Chain(List<ManifestEntry> entries, List<Problem> unreadable) {
        public Chain {
            entries = List.copyOf(entries);
            unreadable = List.copyOf(unreadable);
        }
    }

    /** {@code <first>-<last>} from a manifest key {@code .../<first>-<last>.json}; -1 for what it does not say. */
    static long[] offsetsOf(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1).replace(".json", "");
        int dash = name.indexOf('-');
        try {
            return new long[] {Long.parseLong(name.substring(0, dash)), Long.parseLong(name.substring(dash + 1))};
        } catch (RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    /** The partitions of {@code topic} that have a manifest chain. */
    public List<Integer> partitions(String topic) {
        List<Integer> out = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix + "manifests/" + topic + "/")
                    .delimiter("/").continuationToken(t));
            out.addAll(DigestWriter.partitionsOf(page));
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return out;
    }

    private String partitionPrefix(String topic, int partition) {
        return prefix + "manifests/" + topic + "/" + String.format("%04d", partition) + "/";
    }
}
