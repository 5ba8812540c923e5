package io.auditkeeper.evidence.store;

import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.util.ArrayList;
import java.util.List;

/**
 * The archive's digests, read-only and oldest first: the previous link for the archiver's next digest, and what
 * {@code verify} checks every chain's head against.
 */
public final class DigestReader {
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
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(layout.digests()).continuationToken(t));
            for (S3Object o : page.contents()) {
                out.add(ManifestCodec.readDigest(s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray()));
            }
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return out;
    }
}
