package io.auditkeeper.archiver.s3;

import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.proof.ArchivedEvents;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Writes archive objects that cannot be altered or deleted before their time: every PUT carries Object Lock mode
 * COMPLIANCE with a retain-until date of the retention after the later of the batch's time and this writer's clock
 * (see {@link #retainUntil}), a Content-MD5 that S3 verifies (Object
 * Lock uploads require one, and Ceph checks it), the SHA-256 as {@code x-amz-checksum-sha256} (AWS verifies it) and in
 * the metadata, and server-side encryption when configured. Writing the same batch again (a retry after a crash) finds
 * the object already there with the same SHA-256 and writes nothing. The same batch gzipped at another level (or by
 * another zlib: archivers of two images during a rolling change) has other bytes but the same lines; that object is
 * adopted, as it is, so that the manifest records what is stored. Other content under the same key is refused: two
 * batches never claim the same offsets.
 *
 * <p>A PUT is never retried by the SDK: on a versioned bucket a retry of a PUT whose answer was lost (the object stored,
 * the connection reset before the response) writes a second version of a locked key, permanently. Instead, a PUT whose
 * outcome is unknown is resolved by looking: if the key holds these bytes, the write happened; otherwise the failure
 * goes to the caller, which tries again later the same way (look first, then write).
 *
 * <p><b>Whose clock.</b> A batch's time is its records' Kafka timestamps, which ingest's clock set; an ingest host
 * whose clock is behind would shorten every lock by as much. So the lock runs for the retention from the moment of
 * writing as this writer's clock tells it, and no less than from the batch's time: no clock but the archiver's can make
 * it shorter. The archiver's host must keep NTP time; a clock behind by some amount shortens the locks by that amount
 * (still never below the batch's time plus the retention), one ahead lengthens them (docs/archiver.md, "Retention").
 */
public final class ObjectLockArchiveWriter {
    /** Server-side encryption: none, SSE-S3 (AES256), or SSE-KMS with a key id. */
    public record Encryption(ServerSideEncryption algorithm, String kmsKeyId) {
        public static Encryption none() {
            return new Encryption(null, null);
        }
    }

    /** The SDK's retries off for one request (a retried PUT on a versioned bucket writes a second version). */
    private static final SdkPlugin NO_RETRY = config -> config.overrideConfiguration(
            config.overrideConfiguration().toBuilder().retryStrategy(AwsRetryStrategy.doNotRetry()).build());

    private final S3Client s3;
    private final String bucket;
    private final int retentionYears;
    private final Encryption encryption;
    private final Clock clock;

    public ObjectLockArchiveWriter(S3Client s3, String bucket, int retentionYears, Encryption encryption) {
        this(s3, bucket, retentionYears, encryption, Clock.systemUTC());
    }

    /** @param clock the archiver's clock: a lock lasts the retention from the moment of writing by this clock */
    public ObjectLockArchiveWriter(S3Client s3, String bucket, int retentionYears, Encryption encryption, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.retentionYears = retentionYears;
        this.encryption = encryption;
        this.clock = clock;
    }

    /**
     * The retain-until of an object written at {@code now} (the archiver's clock) for a batch of {@code batchTime}:
     * {@code retentionYears} calendar years (UTC) after the later of the two. Never before {@code now} plus the
     * retention, whatever the records' times say, and never before the batch's time plus the retention (the rule
     * before the archiver's clock counted, which a clock behind the records' must not undercut either). Rounded up to
     * the whole second, so that the date S3 stores and the one the manifest entry records are the same.
     */
    public static Instant retainUntil(Instant batchTime, Instant now, int retentionYears) {
        Instant from = batchTime.isAfter(now) ? batchTime : now;
        Instant second = from.truncatedTo(ChronoUnit.SECONDS);
        if (second.isBefore(from)) {
            second = second.plusSeconds(1);
        }
        return second.atZone(ZoneOffset.UTC).plusYears(retentionYears).toInstant();
    }

    /**
     * Writes {@code content} under {@code key}, locked for the retention from now or from {@code batchTime}, whichever
     * is later ({@link #retainUntil}). Stored as it is (no Content-Encoding), so that what a client downloads is what
     * the SHA-256 covers. An object already there with these bytes, or with the same lines gzipped otherwise (adopted:
     * the returned object is the stored one, its version, SHA-256 and length), keeps the lock it has.
     */
    public ArchivedObject put(String key, byte[] content, String contentType, Map<String, String> metadata,
                              Instant batchTime) {
        String sha256 = HexFormat.of().formatHex(digest("SHA-256", content));
        ArchivedObject existing = existing(key, sha256, content);
        if (existing != null) {
            return existing;
        }
        Instant retainUntil = retainUntil(batchTime, clock.instant(), retentionYears);
        Map<String, String> meta = new HashMap<>(metadata);
        meta.put(ArchiveLayout.SHA256_METADATA, sha256);
        PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(bucket).key(key)
                .contentType(contentType)
                .contentMD5(Base64.getEncoder().encodeToString(digest("MD5", content)))
                .checksumSHA256(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256)))
                .objectLockMode(ObjectLockMode.COMPLIANCE)
                .objectLockRetainUntilDate(retainUntil)
                .metadata(meta);
        if (encryption.algorithm() != null) {
            req.serverSideEncryption(encryption.algorithm());
            if (encryption.kmsKeyId() != null) {
                req.ssekmsKeyId(encryption.kmsKeyId());
            }
        }
        req.overrideConfiguration(o -> o.addPlugin(NO_RETRY));
        PutObjectResponse r;
        try {
            r = s3.putObject(req.build(), RequestBody.fromBytes(content));
        } catch (SdkException e) {
            ArchivedObject stored = existingAfterFailure(key, sha256, content, e);
            if (stored != null) {
                return stored;
            }
            throw e;
        }
        return new ArchivedObject(key, r.versionId(), sha256, content.length, retainUntil);
    }

    /** The PUT's own object if it landed although its answer did not arrive; null if it did not (or cannot be told). */
    private ArchivedObject existingAfterFailure(String key, String sha256, byte[] content, SdkException failure) {
        try {
            return existing(key, sha256, content);
        } catch (SdkException lookFailed) {
            failure.addSuppressed(lookFailed);
            return null;
        }
    }

    /** The object under {@code key}, if there is one: its version, metadata and lock. */
    public java.util.Optional<HeadObjectResponse> head(String key) {
        try {
            return java.util.Optional.of(s3.headObject(b -> b.bucket(bucket).key(key)));
        } catch (NoSuchKeyException e) {
            return java.util.Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return java.util.Optional.empty();
            }
            throw e;
        }
    }

    /** The bytes of version {@code versionId} of {@code key}. */
    public byte[] content(String key, String versionId) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)).asByteArray();
    }

    /**
     * The object already under {@code key} if it holds these bytes, or other gzip of the same lines (adopted: its own
     * version, SHA-256, length and lock); null if there is none; refused if it holds anything else.
     */
    private ArchivedObject existing(String key, String sha256, byte[] content) {
        HeadObjectResponse head;
        try {
            head = s3.headObject(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
        String stored = head.metadata().get(ArchiveLayout.SHA256_METADATA);
        if (sha256.equals(stored)) {
            return new ArchivedObject(key, head.versionId(), sha256, content.length, head.objectLockRetainUntilDate());
        }
        if (stored != null) {
            byte[] there = content(key, head.versionId());
            if (stored.equals(HexFormat.of().formatHex(digest("SHA-256", there)))
                    && ArchivedEvents.sameEvents(there, content)) {
                return new ArchivedObject(key, head.versionId(), stored, there.length, head.objectLockRetainUntilDate());
            }
        }
        throw new IllegalStateException("archive object " + key + " already exists with other content (sha256 "
                + stored + ", this batch " + sha256 + "): two batches claim the same offsets");
    }

    static byte[] digest(String algorithm, byte[] content) {
        try {
            return MessageDigest.getInstance(algorithm).digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
