package io.auditkeeper.localstack;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.DefaultRetention;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectLockConfiguration;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRule;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Creates WORM buckets: Object Lock enabled at creation and a default COMPLIANCE retention, so that every object put
 * into them, even by a client that sets no lock headers, is undeletable for the retention period.
 *
 * <p>Object Lock can only be switched on when a bucket is created (on Ceph), which is why an existing bucket without
 * it is an error here instead of being silently accepted.
 */
public final class ObjectLockBuckets {
    private ObjectLockBuckets() { }

    /**
     * Creates {@code bucket} with Object Lock if it does not exist, and makes its default retention COMPLIANCE for
     * {@code retentionYears}. Idempotent.
     *
     * @throws IllegalStateException if the bucket exists without Object Lock
     */
    public static void ensureBucket(S3Client s3, String bucket, int retentionYears) {
        if (retentionYears < 1) {
            throw new IllegalArgumentException("retentionYears must be at least 1, was " + retentionYears);
        }
        if (!exists(s3, bucket)) {
            create(s3, bucket);
        }
        ObjectLockConfiguration current = currentConfiguration(s3, bucket);
        if (current == null || current.objectLockEnabled() != ObjectLockEnabled.ENABLED) {
            throw new IllegalStateException("bucket " + bucket + " exists without Object Lock; it cannot hold the "
                + "audit archive (Object Lock can only be enabled when a bucket is created)");
        }
        DefaultRetention want = DefaultRetention.builder()
            .mode(ObjectLockRetentionMode.COMPLIANCE)
            .years(retentionYears)
            .build();
        if (current.rule() != null && want.equals(current.rule().defaultRetention())) {
            return;
        }
        s3.putObjectLockConfiguration(p -> p.bucket(bucket).objectLockConfiguration(c -> c
            .objectLockEnabled(ObjectLockEnabled.ENABLED)
            .rule(ObjectLockRule.builder().defaultRetention(want).build())));
    }

    private static boolean exists(S3Client s3, String bucket) {
        try {
            s3.headBucket(h -> h.bucket(bucket));
            return true;
        } catch (NoSuchBucketException e) {
            return false;
        }
    }

    private static void create(S3Client s3, String bucket) {
        CreateBucketRequest.Builder req = CreateBucketRequest.builder().bucket(bucket).objectLockEnabledForBucket(true);
        Region region = s3.serviceClientConfiguration().region();
        if (region != null && !Region.US_EAST_1.equals(region)) {
            req.createBucketConfiguration(c -> c.locationConstraint(region.id()));
        }
        try {
            s3.createBucket(req.build());
        } catch (BucketAlreadyOwnedByYouException e) {
            // created concurrently by another caller: fine, the lock check follows
        }
    }

    private static ObjectLockConfiguration currentConfiguration(S3Client s3, String bucket) {
        try {
            return s3.getObjectLockConfiguration(g -> g.bucket(bucket)).objectLockConfiguration();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }
}
