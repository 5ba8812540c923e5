package io.auditkeeper.evidence.store;

import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import io.auditkeeper.evidence.manifest.Problem;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The archive's digests, read-only and oldest first: the previous link for the archiver's next digest, and what
 * {@code verify} checks every chain's head against.
 */
public final class DigestReader {
    /** How much further back each next listing of {@link #latest} starts. */
    static final int WIDER = 8;
    /** Beyond this, {@link #latest} lists every digest (a clock this far off, or an archive this old and idle). */
    private static final Duration FURTHEST = Duration.ofDays(365L * 100);

    private final S3Client s3;
    private final String bucket;
    private final ArchiveLayout layout;

    public DigestReader(S3Client s3, String bucket, ArchiveLayout layout) {
        this.s3 = s3;
        this.bucket = bucket;
        this.layout = layout;
    }

    /**
     * Every digest, oldest first. A digest listed but not found when read is being written right then (radosgw lists a
     * key before its GET finds it; a deleted one is not listed at all): the listing is read again, up to three times.
     */
    public List<Digest> all() {
        return everyVersion().digests();
    }

    /** Every digest read at its first version, oldest first, and each digest key written more than once. */
    public record Digests(List<Digest> digests, List<Problem> rewritten, java.util.Map<Digest, Instant> writtenAt) {
        public Digests {
            digests = List.copyOf(digests);
            rewritten = List.copyOf(rewritten);
            writtenAt = java.util.Map.copyOf(writtenAt);
        }

        /** When S3 wrote a digest's object (its first version); null when not known. */
        public Instant writtenAt(Digest digest) {
            return writtenAt.get(digest);
        }
    }

    /**
     * Every digest, oldest first, each read at its <em>first</em> version (a digest is written once: a later version,
     * even one signed with the real key, was written on top), and a {@link Problem.Kind#REWRITTEN_DIGEST} for each key
     * with more than one version or a delete marker. What {@code verify} reads.
     */
    public Digests everyVersion() {
        return listedAgainIfMissing(() -> {
            List<Digest> digests = new ArrayList<>();
            List<Problem> rewritten = new ArrayList<>();
            java.util.Map<Digest, Instant> writtenAt = new java.util.HashMap<>();
            for (VersionListing.KeyVersions k : VersionListing.of(s3, bucket, layout.digests())) {
                read(k, digests, rewritten, writtenAt);
            }
            return new Digests(digests, rewritten, writtenAt);
        });
    }

    /**
     * The digests written from {@code start} on, oldest first, each read at its first version as {@link #everyVersion}
     * reads them, until {@code enough} holds for those read so far (or there are no more): what {@code verify} of a
     * period reads, a day's listing at a time, instead of six years of digests.
     */
    public Digests from(Instant start, java.util.function.Predicate<List<Digest>> enough) {
        return listedAgainIfMissing(() -> {
            List<Digest> digests = new ArrayList<>();
            List<Problem> rewritten = new ArrayList<>();
            java.util.Map<Digest, Instant> writtenAt = new java.util.HashMap<>();
            Instant day = start;
            String startAfter = layout.digestsFrom(start);
            while (true) {
                String endKey = layout.digestsFrom(day.plus(1, java.time.temporal.ChronoUnit.DAYS));
                List<VersionListing.KeyVersions> keys = VersionListing.of(s3, bucket, layout.digests(), startAfter,
                        k -> k.compareTo(endKey) >= 0);
                for (VersionListing.KeyVersions k : keys) {
                    if (read(k, digests, rewritten, writtenAt) && enough.test(digests)) {
                        return new Digests(digests, rewritten, writtenAt);
                    }
                }
                if (keys.isEmpty() && s3.listObjectsV2(b -> b.bucket(bucket).prefix(layout.digests())
                        .startAfter(endKey).maxKeys(1)).contents().isEmpty()) {
                    return new Digests(digests, rewritten, writtenAt);
                }
                startAfter = endKey;
                day = day.plus(1, java.time.temporal.ChronoUnit.DAYS);
            }
        });
    }

    /** Reads a digest key at its first version into the lists; true when there was a version to read. */
    private boolean read(VersionListing.KeyVersions k, List<Digest> digests, List<Problem> rewritten,
                         java.util.Map<Digest, Instant> writtenAt) {
        if (k.rewritten()) {
            rewritten.add(new Problem(Problem.Kind.REWRITTEN_DIGEST, k.key(), -1, -1, k.describe()));
        }
        if (k.oldest() == null) {
            return false;
        }
        Digest digest = ManifestCodec.readDigest(s3.getObjectAsBytes(b -> b.bucket(bucket).key(k.key())
                .versionId(k.oldest())).asByteArray());
        digests.add(digest);
        writtenAt.put(digest, k.versions().get(0).lastModified());
        return true;
    }

    /**
     * The latest digest, if any, reading one: looked for from {@code now} backwards, each listing starting
     * {@value #WIDER} times further back than the one before (a day, then 8, then 64...; the whole prefix last), the
     * first that finds a key holding the latest one, since every later key was in it too. With a digest an hour, a
     * listing or two of a page, where {@link #all} reads years of digests. Retried as {@link #all} is.
     */
    public Optional<Digest> latest(Instant now) {
        return listedAgainIfMissing(() -> findLatest(now));
    }

    /** {@code read}, again (up to three times in all) when a key it listed is not found: a digest being written. */
    private static <T> T listedAgainIfMissing(java.util.function.Supplier<T> read) {
        for (int attempt = 1; ; attempt++) {
            try {
                return read.get();
            } catch (NoSuchKeyException e) {
                if (attempt == 3) {
                    throw e;
                }
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private Optional<Digest> findLatest(Instant now) {
        Duration back = Duration.ZERO;
        while (true) {
            Instant from = now.minus(back);
            String startAfter = back.compareTo(FURTHEST) > 0 ? null : layout.digestsFrom(from);
            String last = null;
            String token = null;
            do {
                String t = token;
                ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(layout.digests())
                        .startAfter(startAfter).continuationToken(t));
                for (S3Object o : page.contents()) {
                    last = o.key();
                }
                token = page.isTruncated() ? page.nextContinuationToken() : null;
            } while (token != null);
            if (last != null) {
                String key = last;
                return Optional.of(ManifestCodec.readDigest(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()));
            }
            if (startAfter == null) {
                return Optional.empty();
            }
            back = back.isZero() ? Duration.ofDays(1) : back.multipliedBy(WIDER);
        }
    }
}
