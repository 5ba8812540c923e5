package io.auditkeeper.archiver;

import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.Leftover;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.evidence.manifest.Problem;
import io.auditkeeper.evidence.manifest.VerificationReport;
import io.auditkeeper.evidence.store.ArchivedObjectReader;
import io.auditkeeper.evidence.store.DigestReader;
import io.auditkeeper.evidence.store.S3ObjectStore;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * What an auditor checks of a topic's archive after archivers ran on it, with nothing but the bucket and the public
 * key, through the same verifier {@code verify} uses: each partition's chain as S3 holds it, its verification, what
 * lies in the bucket besides the chains (the leftovers {@code verify} lists), the digest chain, and how many times
 * each record is in the archived objects. The tests that run the real archiver process judge its archive with it.
 */
final class ArchiveAudit {
    /** The retention every object must have: six years (and a day, for leap years). */
    static final Duration RETENTION = Duration.ofDays(6 * 365 + 1);
    private static final Pattern AUDIT_ID = Pattern.compile("\"auditID\":\"([^\"]+)\"\\s*,\\s*\"stage\"");

    private final S3Client s3;
    private final String bucket;
    private final String topic;
    private final int partitions;
    private final Path publicKey;
    private final ArchiveLayout layout = new ArchiveLayout("");

    ArchiveAudit(S3Client s3, String bucket, String topic, int partitions, Path publicKey) {
        this.s3 = s3;
        this.bucket = bucket;
        this.topic = topic;
        this.partitions = partitions;
        this.publicKey = publicKey;
    }

    /**
     * Records in the partitions' chains as S3 holds them now, from each chain's head: for a topic written without
     * transactions a partition's offsets are its records, from 0. Zero while the bucket is not there yet.
     */
    long archived() {
        S3ManifestStore manifests = new S3ManifestStore(s3, bucket, "", null);
        long n = 0;
        try {
            for (int part = 0; part < partitions; part++) {
                n += manifests.last(topic, part).map(e -> e.lastOffset() + 1).orElse(0L);
            }
        } catch (RuntimeException e) {
            return 0;
        }
        return n;
    }

    /** Every partition's chain, in order (empty for a partition without one). */
    Map<Integer, List<ManifestEntry>> chains() {
        S3ManifestStore manifests = new S3ManifestStore(s3, bucket, "", null);
        Map<Integer, List<ManifestEntry>> chains = new TreeMap<>();
        for (int part = 0; part < partitions; part++) {
            chains.put(part, manifests.all(topic, part));
        }
        return chains;
    }

    /** The chains keyed by {@code topic-partition}, as {@link ManifestVerifier#verifyDigests} takes them. */
    Map<String, List<ManifestEntry>> byTopicPartition(Map<Integer, List<ManifestEntry>> chains) {
        Map<String, List<ManifestEntry>> out = new HashMap<>();
        chains.forEach((part, chain) -> out.put(topic + "-" + part, chain));
        return out;
    }

    ManifestVerifier verifier() {
        return ManifestVerifier.fromPublicKeyPemFile(publicKey);
    }

    /** A partition's chain verified from its genesis: signatures, links, offsets, objects, locks. */
    VerificationReport verify(List<ManifestEntry> chain) {
        return verifier().verifyPartition(chain, new S3ObjectStore(s3, bucket), Instant.now(), RETENTION);
    }

    /**
     * What {@code verify} lists as leftovers for the topic's events: other versions of recorded keys with the recorded
     * bytes or events ({@link Leftover.Kind#DUPLICATE_VERSION}), and objects no entry names
     * ({@link Leftover.Kind#UNREFERENCED_OBJECT}).
     */
    List<Leftover> leftovers(Map<Integer, List<ManifestEntry>> chains) {
        List<Leftover> out = new ArrayList<>();
        chains.values().forEach(chain -> out.addAll(verify(chain).leftovers()));
        ManifestVerifier.unreferencedObjects(layout, topic,
                new ArchivedObjectReader(s3, bucket, layout).versions(ArchiveLayout.EVENTS, topic, null, null), chains)
                .values().forEach(out::addAll);
        return out;
    }

    /** The digests in S3, oldest first. */
    List<Digest> digests() {
        return new DigestReader(s3, bucket, layout).all();
    }

    /** The digest chain verified, its latest digest held against {@code chains}. */
    List<Problem> verifyDigests(List<Digest> digests, Map<Integer, List<ManifestEntry>> chains) {
        return verifier().verifyDigests(digests, byTopicPartition(chains));
    }

    /** How many times each record (by auditID) is in the objects the chains name. */
    Map<String, Integer> timesArchived(Map<Integer, List<ManifestEntry>> chains) {
        Map<String, Integer> times = new HashMap<>();
        for (List<ManifestEntry> chain : chains.values()) {
            for (ManifestEntry e : chain) {
                byte[] gz = s3.getObjectAsBytes(r -> r.bucket(bucket).key(e.key()).versionId(e.versionId())).asByteArray();
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                    Matcher m = AUDIT_ID.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    while (m.find()) {
                        times.merge(m.group(1), 1, Integer::sum);
                    }
                } catch (IOException x) {
                    throw new UncheckedIOException(e.key(), x);
                }
            }
        }
        return times;
    }
}
