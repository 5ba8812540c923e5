package io.auditkeeper.archiver.s3;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DefaultRetention;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectLockConfiguration;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRule;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Makes sure the archive bucket can keep records unaltered for the retention period before anything is written: a
 * missing bucket is created with Object Lock, versioning and a default COMPLIANCE retention; an existing bucket
 * without Object Lock, or with a weaker default retention, stops startup with a message that says what is wrong.
 * (Object Lock cannot be turned on for an existing bucket by this service; a weaker default would let a plain PUT
 * through with less protection.)
 */
public final class ArchiveBucketBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveBucketBootstrap.class);

    /**
     * How long a bucket with Object Lock but no default retention is given, with {@code s3.create-bucket}, before it is
     * refused: archivers that start together race to create the bucket, and the winner sets the retention just after.
     */
    static final java.time.Duration CREATOR_GRACE = java.time.Duration.ofSeconds(15);

    private ArchiveBucketBootstrap() {
    }

    public static void ensure(S3Client s3, String bucket, int retentionYears, boolean create) {
        if (!exists(s3, bucket)) {
            if (!create) {
                throw new IllegalStateException("archive bucket " + bucket + " does not exist (s3.create-bucket=false)");
            }
            if (create(s3, bucket)) {
                s3.putObjectLockConfiguration(b -> b.bucket(bucket)
                        .objectLockConfiguration(configuration(retentionYears)));
                LOG.atInfo().addKeyValue("bucket", bucket).addKeyValue("retention_years", retentionYears)
                        .log("created archive bucket with Object Lock, default COMPLIANCE retention");
            }
        }
        ObjectLockConfiguration lock = lockOf(s3, bucket);
        DefaultRetention d = lock.rule() == null ? null : lock.rule().defaultRetention();
        // an archiver starting at the same time may have created the bucket and not yet set its default retention
        long deadline = System.nanoTime() + CREATOR_GRACE.toNanos();
        while (d == null && create && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            lock = lockOf(s3, bucket);
            d = lock.rule() == null ? null : lock.rule().defaultRetention();
        }
        if (d == null || d.mode() != ObjectLockRetentionMode.COMPLIANCE || years(d) < retentionYears) {
            throw new IllegalStateException("archive bucket " + bucket + " has default retention "
                    + (d == null ? "none" : d.mode() + " " + describe(d)) + "; it needs COMPLIANCE for at least "
                    + retentionYears + " years (set it with put-object-lock-configuration, or use another bucket)");
        }
        BucketVersioningStatus versioning = s3.getBucketVersioning(b -> b.bucket(bucket)).status();
        if (versioning != BucketVersioningStatus.ENABLED) {
            throw new IllegalStateException("archive bucket " + bucket + " does not have versioning enabled");
        }
    }

    /** Creates the bucket with Object Lock; false when another archiver created it first (it sets the rest). */
    private static boolean create(S3Client s3, String bucket) {
        try {
            s3.createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(true));
            return true;
        } catch (BucketAlreadyOwnedByYouException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 409 && e.awsErrorDetails() != null
                    && "BucketAlreadyOwnedByYou".equals(e.awsErrorDetails().errorCode())) {
                return false;
            }
            throw e;
        }
    }

    private static ObjectLockConfiguration lockOf(S3Client s3, String bucket) {
        ObjectLockConfiguration lock;
        try {
            lock = s3.getObjectLockConfiguration(b -> b.bucket(bucket)).objectLockConfiguration();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new IllegalStateException("archive bucket " + bucket + " has no Object Lock; it can only be enabled"
                        + " when a bucket is created: create a new bucket with Object Lock (or let the archiver create it)");
            }
            throw e;
        }
        if (lock == null || lock.objectLockEnabled() != ObjectLockEnabled.ENABLED) {
            throw new IllegalStateException("archive bucket " + bucket + " has no Object Lock enabled");
        }
        return lock;
    }

    static ObjectLockConfiguration configuration(int years) {
        return ObjectLockConfiguration.builder().objectLockEnabled(ObjectLockEnabled.ENABLED)
                .rule(ObjectLockRule.builder().defaultRetention(DefaultRetention.builder()
                        .mode(ObjectLockRetentionMode.COMPLIANCE).years(years).build()).build())
                .build();
    }

    private static boolean exists(S3Client s3, String bucket) {
        try {
            s3.headBucket(b -> b.bucket(bucket));
            return true;
        } catch (NoSuchBucketException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static double years(DefaultRetention d) {
        if (d.years() != null) {
            return d.years();
        }
        return d.days() == null ? 0 : d.days() / 365.0;
    }

    private static String describe(DefaultRetention d) {
        return d.years() != null ? d.years() + " years" : d.days() + " days";
    }
}
