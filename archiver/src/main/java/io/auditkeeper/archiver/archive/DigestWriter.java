package io.auditkeeper.archiver.archive;

import io.auditkeeper.archiver.manifest.Digest;
import io.auditkeeper.archiver.manifest.ManifestCodec;
import io.auditkeeper.archiver.manifest.ManifestEntry;
import io.auditkeeper.archiver.manifest.ManifestSigner;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the periodic digests: a signed record of the head (last entry) of every partition's manifest chain, chained
 * to the previous digest, locked like everything else, under {@code [<prefix>/]digests/yyyy/MM/dd/HHmmss.SSS.json}.
 * A chain's tail deleted after a digest covered it (or a whole partition's chain) no longer matches the digest, which
 * the entries alone cannot show.
 */
public final class DigestWriter {
    private static final DateTimeFormatter KEY_TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd/HHmmss.SSS").withZone(ZoneOffset.UTC);

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final ObjectLockArchiveWriter writer;
    private final S3ManifestStore manifests;
    private final ManifestSigner signer;

    public DigestWriter(S3Client s3, String bucket, String prefix, ObjectLockArchiveWriter writer, S3ManifestStore manifests,
                        ManifestSigner signer) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix == null || prefix.isEmpty() ? "" : prefix + "/";
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
        List<Digest.PartitionHead> heads = new ArrayList<>();
        for (String topic : topics) {
            for (int partition : manifests.partitions(topic)) {
                manifests.last(topic, partition).map(Digest.PartitionHead::of).ifPresent(heads::add);
            }
        }
        List<Digest> previous = all();
        Digest digest = signer.sign(Digest.unsigned(now, heads,
                previous.isEmpty() ? ManifestEntry.GENESIS : previous.get(previous.size() - 1).hash()));
        writer.put(prefix + "digests/" + KEY_TIME.format(now) + ".json", ManifestCodec.writeDigest(digest),
                "application/json", Map.of(), now);
        return digest;
    }

    /**
     * Every digest, oldest first. A digest listed but not found when read is being written right then (radosgw lists a
     * key before its GET finds it; a deleted one is not listed at all): the listing is read again, up to three times.
     */
    public List<Digest> all() {
        for (int attempt = 1; ; attempt++) {
            try {
                return listAndRead();
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

    private List<Digest> listAndRead() {
        List<Digest> out = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix + "digests/").continuationToken(t));
            for (S3Object o : page.contents()) {
                out.add(ManifestCodec.readDigest(s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray()));
            }
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return out;
    }

    static List<Integer> partitionsOf(ListObjectsV2Response listing) {
        List<Integer> out = new ArrayList<>();
        for (CommonPrefix p : listing.commonPrefixes()) {
            String s = p.prefix();
            String last = s.substring(0, s.length() - 1);
            out.add(Integer.parseInt(last.substring(last.lastIndexOf('/') + 1)));
        }
        return out;
    }
}
