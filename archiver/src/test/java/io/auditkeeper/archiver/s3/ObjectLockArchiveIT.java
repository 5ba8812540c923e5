package io.auditkeeper.archiver.s3;

import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.S3Endpoint;
import io.auditkeeper.localstack.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against Ceph radosgw, which really enforces Object Lock: what the archive writes cannot be deleted or shortened. */
@ExtendWith(LocalStackExtension.class)
class ObjectLockArchiveIT {
    private static S3Client s3;
    private static String bucket;
    private static ObjectLockArchiveWriter writer;

    @BeforeAll
    static void start(LocalStack stack) {
        s3 = stack.s3().client();
        bucket = "archive-" + UUID.randomUUID().toString().substring(0, 8);
        ArchiveBucketBootstrap.ensure(s3, bucket, 6, true);
        writer = new ObjectLockArchiveWriter(s3, bucket, 6, ObjectLockArchiveWriter.Encryption.none());
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @Test
    void shouldWriteOneVersionWhenThePutsAnswerIsLostAfterTheObjectWasStored(LocalStack stack) throws Exception {
        URI endpoint = stack.s3().endpoint();
        try (TcpProxy proxy = TcpProxy.start(endpoint.getHost(), endpoint.getPort());
             S3Client viaProxy = new S3Endpoint(URI.create("http://127.0.0.1:" + proxy.port()), stack.s3().region(),
                     stack.s3().accessKey(), stack.s3().secretKey(), true).client()) {
            ObjectLockArchiveWriter lossy = new ObjectLockArchiveWriter(viaProxy, bucket, 6,
                    ObjectLockArchiveWriter.Encryption.none());
            String key = new ArchiveLayout("lost-answer").events("audit.events", 0, 0, 9, Instant.now());
            byte[] content = gzip("{\"auditID\":\"lost-answer\"}\n");

            proxy.loseResponseTo("PUT ");
            ArchivedObject o = lossy.put(key, content, "application/gzip", Map.of(), Instant.now());

            var versions = s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).versions();
            assertThat(versions).as("a lost answer must not make the SDK write the locked key again").hasSize(1);
            assertThat(o.versionId()).isEqualTo(versions.get(0).versionId());
            assertThat(o.sha256()).isEqualTo(java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(content)));
        }
    }

    @Test
    void shouldCreateTheBucketWithObjectLockAndSixYearsOfDefaultComplianceRetention() {
        var lock = s3.getObjectLockConfiguration(b -> b.bucket(bucket)).objectLockConfiguration();

        assertThat(lock.rule().defaultRetention().mode()).isEqualTo(ObjectLockRetentionMode.COMPLIANCE);
        assertThat(lock.rule().defaultRetention().years()).isEqualTo(6);
        ArchiveBucketBootstrap.ensure(s3, bucket, 6, true);
    }

    @Test
    void shouldStartOnABucketAnotherArchiverCreatedAndIsStillConfiguring() throws Exception {
        // archivers that start together: one has created the bucket with Object Lock and sets its default retention a
        // moment later; the others must wait for it rather than refuse to start
        String fresh = "together-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(b -> b.bucket(fresh).objectLockEnabledForBucket(true));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<?> second = pool.submit(() -> ArchiveBucketBootstrap.ensure(s3, fresh, 6, true));
            Thread.sleep(1_000); // the creator's moment between its two calls, stretched
            s3.putObjectLockConfiguration(b -> b.bucket(fresh)
                    .objectLockConfiguration(ArchiveBucketBootstrap.configuration(6)));

            second.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(s3.getObjectLockConfiguration(b -> b.bucket(fresh)).objectLockConfiguration().rule()
                .defaultRetention().mode()).isEqualTo(software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode.COMPLIANCE);
    }

    @Test
    void shouldRefuseABucketWithoutObjectLock() {
        String plain = "plain-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(b -> b.bucket(plain));

        assertThatThrownBy(() -> ArchiveBucketBootstrap.ensure(s3, plain, 6, true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(plain).hasMessageContaining("Object Lock");
    }

    @Test
    void shouldRefuseABucketWhoseDefaultRetentionIsWeaker() {
        String weak = "weak-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(b -> b.bucket(weak).objectLockEnabledForBucket(true));
        s3.putObjectLockConfiguration(b -> b.bucket(weak).objectLockConfiguration(c -> c.objectLockEnabled("Enabled")
                .rule(r -> r.defaultRetention(d -> d.mode(ObjectLockRetentionMode.GOVERNANCE).days(30)))));

        assertThatThrownBy(() -> ArchiveBucketBootstrap.ensure(s3, weak, 6, true))
                .hasMessageContaining(weak).hasMessageContaining("GOVERNANCE 30 days").hasMessageContaining("COMPLIANCE");
    }

    @Test
    void shouldRefuseAMissingBucketWhenCreationIsOff() {
        assertThatThrownBy(() -> ArchiveBucketBootstrap.ensure(s3, "missing-" + UUID.randomUUID().toString().substring(0, 8), 6, false))
                .hasMessageContaining("does not exist");
    }

    @Test
    void shouldWriteAnObjectThatIsLockedForSixYearsAndCannotBeDeleted() throws Exception {
        Instant batchTime = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        byte[] content = gzip("{\"auditID\":\"a\"}\n{\"auditID\":\"b\"}\n");
        String key = new ArchiveLayout("").events("audit.events", 3, 100, 101, batchTime);

        ArchivedObject o = writer.put(key, content, "application/gzip",
                Map.of("first-offset", "100", "last-offset", "101"), batchTime);

        assertThat(key).startsWith("events/" + batchTime.atZone(ZoneOffset.UTC).getYear() + "/")
                .endsWith("audit.events_0003_00000000000000000100-00000000000000000101.ndjson.gz");
        ObjectLockRetention retention = s3.getObjectRetention(b -> b.bucket(bucket).key(key).versionId(o.versionId())).retention();
        assertThat(retention.mode()).isEqualTo(ObjectLockRetentionMode.COMPLIANCE);
        assertThat(retention.retainUntilDate()).isAfterOrEqualTo(batchTime.atZone(ZoneOffset.UTC).plusYears(6).minusDays(1).toInstant());
        assertThatThrownBy(() -> s3.deleteObject(b -> b.bucket(bucket).key(key).versionId(o.versionId())))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        assertThatThrownBy(() -> s3.putObjectRetention(b -> b.bucket(bucket).key(key).versionId(o.versionId())
                .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(batchTime.plus(1, ChronoUnit.DAYS)))))
                .isInstanceOf(S3Exception.class);
        ResponseBytes<GetObjectResponse> stored = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(o.versionId()));
        assertThat(gunzip(stored.asByteArray())).isEqualTo("{\"auditID\":\"a\"}\n{\"auditID\":\"b\"}\n");
        assertThat(stored.response().metadata()).containsEntry("first-offset", "100")
                .containsEntry(ArchiveLayout.SHA256_METADATA, o.sha256());
    }

    @Test
    void shouldLockForSixYearsFromTheWriteWhenTheBatchTimeIsTwoHoursBehind() throws Exception {
        Instant before = Instant.now();
        Instant batchTime = before.minus(java.time.Duration.ofHours(2));
        String key = new ArchiveLayout("slow-ingest").events("audit.events", 0, 0, 0, batchTime);

        ArchivedObject o = writer.put(key, gzip("{\"auditID\":\"slow\"}\n"), "application/gzip", Map.of(), batchTime);

        Instant floor = before.atZone(ZoneOffset.UTC).plusYears(6).toInstant();
        ObjectLockRetention retention = s3.getObjectRetention(b -> b.bucket(bucket).key(key).versionId(o.versionId())).retention();
        assertThat(retention.retainUntilDate()).isAfterOrEqualTo(floor).isEqualTo(o.retainUntil());
        assertThat(s3.headObject(b -> b.bucket(bucket).key(key)).objectLockRetainUntilDate()).isAfterOrEqualTo(floor);
    }

    @Test
    void shouldWriteNothingWhenTheSameBatchIsWrittenAgainAndRefuseOtherContentUnderItsKey() throws Exception {
        Instant batchTime = Instant.now();
        String key = new ArchiveLayout("retry").events("audit.events", 1, 5, 9, batchTime);
        byte[] content = gzip("{\"auditID\":\"x\"}\n");

        ArchivedObject first = writer.put(key, content, "application/gzip", Map.of(), batchTime);
        ArchivedObject again = writer.put(key, content, "application/gzip", Map.of(), batchTime);

        assertThat(again.versionId()).isEqualTo(first.versionId());
        assertThat(s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).versions()).hasSize(1);
        assertThatThrownBy(() -> writer.put(key, gzip("{\"auditID\":\"other\"}\n"), "application/gzip", Map.of(), batchTime))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already exists with other content");
    }

    @Test
    void shouldAdoptTheObjectOfTheSameLinesAtAnotherLevelAndStillRefuseOtherLines() throws Exception {
        Instant batchTime = Instant.now();
        String key = new ArchiveLayout("levels").events("audit.events", 2, 0, 199, batchTime);
        byte[] atLevel1 = batch("level").encode(1);
        byte[] atLevel6 = batch("level").encode(6);
        assertThat(atLevel1).as("the same lines, other bytes").isNotEqualTo(atLevel6);

        ArchivedObject first = writer.put(key, atLevel1, "application/gzip", Map.of(), batchTime);
        ArchivedObject adopted = writer.put(key, atLevel6, "application/gzip", Map.of(), batchTime.plusSeconds(5));

        assertThat(adopted).as("the stored object as it is: its version, SHA-256, length and lock").isEqualTo(first);
        assertThat(adopted.sha256()).isEqualTo(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(atLevel1)));
        assertThat(adopted.bytes()).isEqualTo(atLevel1.length);
        assertThat(s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).versions())
                .as("no second version written").hasSize(1);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(adopted.versionId())).asByteArray())
                .isEqualTo(atLevel1);

        assertThatThrownBy(() -> writer.put(key, batch("other").encode(6), "application/gzip", Map.of(), batchTime))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("two batches claim the same offsets");
        assertThat(s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).versions()).hasSize(1);
    }

    /** 200 events whose audit IDs start with {@code id}, as the archive writer batches them. */
    private static io.auditkeeper.archiver.archive.ArchiveBatch batch(String id) {
        var batch = new io.auditkeeper.archiver.archive.ArchiveBatch("audit.events", 2, 0);
        for (int i = 0; i < 200; i++) {
            batch.add(i, 1_000L + i, ("{\"auditID\":\"" + id + "-" + i + "\",\"verb\":\"get\",\"namespace\":\"phi-records\","
                    + "\"user\":{\"username\":\"clinician-" + (i % 7) + "\"}}").getBytes(StandardCharsets.UTF_8));
        }
        return batch;
    }

    private static byte[] gzip(String s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static String gunzip(byte[] b) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
