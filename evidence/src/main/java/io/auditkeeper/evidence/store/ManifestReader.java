package io.auditkeeper.evidence.store;

import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestFormatException;
import io.auditkeeper.evidence.manifest.Problem;
import io.auditkeeper.evidence.store.VersionListing.KeyVersions;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The manifest chains of the archive bucket, read-only: what the archiver resumes from and what the auditors' tools
 * verify and replay by. Listing order is chain order ({@link ArchiveLayout#manifest}).
 */
public final class ManifestReader {
    /** How far back from the expected offset {@link #last(String, int, long, long)} looks at least, after a miss. */
    static final long FIRST_STEP = 8;
    /** How much further back each next listing of {@link #last(String, int, long, long)} starts. */
    static final long WIDER = 8;

    private final S3Client s3;
    private final String bucket;
    private final ArchiveLayout layout;

    public ManifestReader(S3Client s3, String bucket, ArchiveLayout layout) {
        this.s3 = s3;
        this.bucket = bucket;
        this.layout = layout;
    }

    /**
     * The head of a partition's chain: the last entry of its last manifest object. Lists the whole chain, one request
     * per thousand entries; {@link #last(String, int, long, long)} finds the same head in a request or two.
     */
    public Optional<ManifestEntry> last(String topic, int partition) {
        return last(topic, partition, 0, 0);
    }

    /**
     * The head of a partition's chain, as {@link #last(String, int)}, looked for near {@code next}, the offset the
     * caller expects the chain to go on from (a committed offset, the end of the log, the offset after a digest's
     * head). The first listing takes the keys of the entries from {@code next - back} on, and each next one starts
     * {@value #WIDER} times further back (at least {@value #FIRST_STEP} offsets), the last one at the chain's start;
     * the first that finds a key has found the chain's last key, since every later key was in it too. So the answer
     * never depends on the guess, only the cost does: a head that ends just before {@code next}, and began less than
     * {@code back} offsets before it, costs one listing of a page and one GET, whatever the chain's length; a guess too
     * far ahead costs a few more listings, and one behind the head (or 0) reads the chain's keys from there on.
     */
    public Optional<ManifestEntry> last(String topic, int partition, long next, long back) {
        String dir = layout.manifests(topic, partition);
        while (true) {
            long from = back >= next ? 0 : next - back;
            String startAfter = from <= 0 ? null : layout.manifestsFrom(topic, partition, from);
            String[] last = {null};
            list(dir, null, startAfter, page -> page.contents().forEach(o -> last[0] = o.key()));
            if (last[0] != null) {
                List<ManifestEntry> entries = ManifestCodec.read(read(last[0]));
                return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(entries.size() - 1));
            }
            if (startAfter == null) {
                return Optional.empty();
            }
            back = back < FIRST_STEP ? FIRST_STEP : back > next / WIDER ? next : back * WIDER;
        }
    }

    /** Every entry of a partition, in chain order; a manifest object that cannot be read is an exception. */
    public List<ManifestEntry> all(String topic, int partition) {
        List<ManifestEntry> out = new ArrayList<>();
        list(layout.manifests(topic, partition), null, null,
                page -> page.contents().forEach(o -> out.addAll(ManifestCodec.read(read(o.key())))));
        return out;
    }

    /**
     * A partition's chain as far as it can be read, for verification, trusting no version it did not expect: every
     * version and delete marker of every manifest object is listed, each object is read at its <em>oldest</em> version
     * (the archiver writes a manifest object once; anything later was written on top), and an object with more than
     * one version, or a delete marker, is a {@link Problem.Kind#REWRITTEN_MANIFEST}. A manifest object that does not
     * parse is a {@link Problem.Kind#MALFORMED_ENTRY} naming its key (and the offsets its name gives), instead of the
     * exception {@link #all} throws. A writer uses {@link #all}: it must not chain onto a manifest it cannot read.
     */
    public Chain readChain(String topic, int partition) {
        return readChain(topic, partition, Runnable::run);
    }

    /**
     * As {@link #readChain(String, int)}, with the manifest objects fetched on {@code reads} (as many at once as it
     * runs in parallel), and taken in key order: a chain of years is thousands of small GETs, which a verifier far from
     * the bucket would otherwise wait for one by one.
     */
    public Chain readChain(String topic, int partition, Executor reads) {
        return read(VersionListing.of(s3, bucket, layout.manifests(topic, partition)), reads);
    }

    /**
     * As {@link #readChain(String, int, Executor)}, for the manifest objects whose first offset is from
     * {@code firstOffset} to {@code lastOffset}: one version listing of that range and a GET per entry, whatever the
     * chain's length.
     */
    public Chain readRange(String topic, int partition, long firstOffset, long lastOffset, Executor reads) {
        String startAfter = firstOffset <= 0 ? null : layout.manifestsFrom(topic, partition, firstOffset);
        return read(VersionListing.of(s3, bucket, layout.manifests(topic, partition), startAfter,
                key -> ArchiveLayout.manifestOffsets(key)[0] > lastOffset), reads);
    }

    /**
     * The key of the last manifest object of the partition that starts at or before {@code offset}, if any: the one
     * whose entry holds the offset, unless the chain has a gap there or ends before it. The listing starts a thousand
     * offsets before it (more than a batch usually holds), then {@value #WIDER} times further back each time, so that
     * it costs a page or two wherever the offset is in the chain.
     */
    public Optional<String> keyAtOrBefore(String topic, int partition, long offset) {
        String dir = layout.manifests(topic, partition);
        long back = 1024;
        while (true) {
            long from = offset - back;
            String startAfter = from <= 0 ? null : layout.manifestsFrom(topic, partition, from);
            String found = null;
            String token = null;
            boolean past = false;
            do {
                String t = token;
                ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(dir).startAfter(startAfter)
                        .continuationToken(t));
                for (software.amazon.awssdk.services.s3.model.S3Object o : page.contents()) {
                    if (ArchiveLayout.manifestOffsets(o.key())[0] > offset) {
                        past = true;
                        break;
                    }
                    found = o.key();
                }
                token = !past && page.isTruncated() ? page.nextContinuationToken() : null;
            } while (token != null);
            if (found != null || startAfter == null) {
                return Optional.ofNullable(found);
            }
            back = back > Long.MAX_VALUE / WIDER ? Long.MAX_VALUE : back * WIDER;
        }
    }

    private Chain read(List<KeyVersions> keys, Executor reads) {
        List<ManifestEntry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        java.util.Map<ManifestEntry, java.time.Instant> writtenAt = new java.util.HashMap<>();
        List<CompletableFuture<byte[]>> bodies = new ArrayList<>();
        for (KeyVersions k : keys) {
            bodies.add(k.oldest() == null ? null
                    : CompletableFuture.supplyAsync(() -> read(k.key(), k.oldest()), reads));
        }
        for (int i = 0; i < keys.size(); i++) {
            KeyVersions k = keys.get(i);
            long[] offsets = ArchiveLayout.manifestOffsets(k.key());
            if (k.rewritten()) {
                problems.add(new Problem(Problem.Kind.REWRITTEN_MANIFEST, k.key(), offsets[0], offsets[1],
                        k.describe()));
            }
            if (bodies.get(i) == null) {
                continue;
            }
            try {
                for (ManifestEntry e : ManifestCodec.read(join(bodies.get(i)))) {
                    entries.add(e);
                    writtenAt.put(e, k.versions().get(0).lastModified());
                }
            } catch (ManifestFormatException e) {
                problems.add(new Problem(Problem.Kind.MALFORMED_ENTRY, k.key(), offsets[0], offsets[1],
                        "the manifest object cannot be read: " + e.getMessage()));
            }
        }
        return new Chain(entries, problems, writtenAt);
    }

    /** The partitions of {@code topic} that have a manifest chain. */
    public List<Integer> partitions(String topic) {
        List<Integer> out = new ArrayList<>();
        list(layout.manifests(topic), "/", null, page -> {
            for (CommonPrefix p : page.commonPrefixes()) {
                out.add(ArchiveLayout.partitionOf(p.prefix()));
            }
        });
        return out;
    }

    /**
     * The readable entries of a chain, in order, and what reading it found: a manifest object that could not be read,
     * or that was written more than once.
     */
    public record Chain(List<ManifestEntry> entries, List<Problem> problems,
                        java.util.Map<ManifestEntry, java.time.Instant> writtenAt) {
        public Chain {
            entries = List.copyOf(entries);
            problems = List.copyOf(problems);
            writtenAt = java.util.Map.copyOf(writtenAt);
        }

        /** When S3 wrote an entry's manifest object (its first version); null when not known. */
        public java.time.Instant writtenAt(ManifestEntry entry) {
            return writtenAt.get(entry);
        }
    }

    private void list(String prefix, String delimiter, String startAfter, Consumer<ListObjectsV2Response> pages) {
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).delimiter(delimiter)
                    .startAfter(startAfter).continuationToken(t));
            pages.accept(page);
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
    }

    private byte[] read(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    private byte[] read(String key, String versionId) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)).asByteArray();
    }

    /** The GET's bytes, or its own exception as if it had been made here. */
    private static byte[] join(CompletableFuture<byte[]> body) {
        try {
            return body.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
