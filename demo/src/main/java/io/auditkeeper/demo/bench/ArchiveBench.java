package io.auditkeeper.demo.bench;

import io.auditkeeper.archiver.ArchiverService;
import io.auditkeeper.archiver.archive.ArchiveListener;
import io.auditkeeper.archiver.archive.ArchiveWriterLoop;
import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.S3Endpoint;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The archive side of {@code bench archiver}: the real {@link ArchiveWriterLoop} (intent commit, Object Lock PUT,
 * signed manifest entry, offset commit per batch) over a pre-loaded topic, and then, through the same S3 client, plain
 * PUTs of the very objects it wrote, with the headers it sends (Content-MD5, SHA-256 checksum, COMPLIANCE lock,
 * metadata) and nothing else: the floor the writer is compared with.
 */
final class ArchiveBench {
    /** A measured run: records, objects and their stored bytes, and the seconds it took. */
    record Run(long records, int objects, long bytes, double seconds) {
        double rate() {
            return records / seconds;
        }
    }

    private final ArchiverConfig config;
    private final S3Client s3;
    private final ManifestSigner signer;

    /**
     * The archiver settings of a benchmark on the local stack: its Kafka and S3 (Ceph), {@code key} as the signing key,
     * no admin port; {@code more} adds or overrides (batch sizes, OpenSearch).
     */
    static ArchiverConfig config(LocalStack stack, String bucket, Path key, Map<String, Object> more) {
        S3Endpoint s3 = stack.s3();
        Map<String, Object> c = new HashMap<>();
        c.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        c.put("s3.bucket", bucket);
        c.put("s3.endpoint", s3.endpoint().toString());
        c.put("s3.region", s3.region());
        c.put("s3.path-style", "true");
        c.put("s3.access-key", s3.accessKey());
        c.put("s3.secret-key", s3.secretKey());
        c.put("manifest.signing-key-file", key.toString());
        c.put("admin.enabled", "false");
        c.putAll(more);
        return ArchiverConfig.of(c);
    }

    ArchiveBench(ArchiverConfig config, S3Client s3, ManifestSigner signer) {
        this.config = config;
        this.s3 = s3;
        this.signer = signer;
    }

    /**
     * Archives {@code expected} records of {@code topic} under {@code prefix} with a fresh consumer group, timed from
     * the first poll that sees the partitions' ends (the group is joined) to the last batch's commit.
     */
    Run archive(String topic, String prefix, long expected) {
        ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, config.bucket(), config.retentionYears(),
                ObjectLockArchiveWriter.Encryption.none());
        S3ManifestStore manifests = new S3ManifestStore(s3, config.bucket(), prefix, writer);
        long[] objects = {0, 0};
        boolean[] started = {false};
        ArchiveListener listener = new ArchiveListener() {
            @Override
            public void objectWritten(int records, long bytes) {
                objects[0]++;
                objects[1] += bytes;
            }

            @Override
            public void lag(Map<TopicPartition, Long> lagByPartition) {
                started[0] |= !lagByPartition.isEmpty();
            }
        };
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(ArchiverService.archiveConsumerProperties(config, "bench-" + prefix),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try (ArchiveWriterLoop loop = new ArchiveWriterLoop(consumer, writer, manifests, signer,
                new ArchiveWriterLoop.Settings(topic, prefix, config.batchMaxBytes(), config.batchMaxEvents(),
                        config.batchMaxAge(), Duration.ofMillis(500)), listener)) {
            loop.subscribe();
            long t0 = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (loop.archivedRecords() < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("archived only " + loop.archivedRecords() + " of " + expected);
                }
                long before = System.nanoTime();
                loop.runOnce();
                if (t0 == 0 && started[0]) {
                    t0 = before;
                }
            }
            return new Run(loop.archivedRecords(), (int) objects[0], objects[1], (System.nanoTime() - t0) / 1e9);
        }
    }

    /** The writer's gzip of the same records into objects of {@code perObject} records, alone, on this thread. */
    static Run gzipOnly(List<byte[]> events, int partitions, int perObject) {
        long bytes = 0;
        int objects = 0;
        long t0 = System.nanoTime();
        for (int p = 0; p < partitions; p++) {
            io.auditkeeper.archiver.archive.ArchiveBatch b = null;
            for (int i = p; i < events.size(); i += partitions) {
                if (b == null) {
                    b = new io.auditkeeper.archiver.archive.ArchiveBatch("t", p, -1);
                }
                b.add(i, 0, events.get(i));
                if (b.count() == perObject) {
                    bytes += b.encode().length;
                    objects++;
                    b = null;
                }
            }
            if (b != null) {
                bytes += b.encode().length;
                objects++;
            }
        }
        return new Run(events.size(), objects, bytes, (System.nanoTime() - t0) / 1e9);
    }

    /** An object of the archive as fetched back: its bytes and the metadata the writer gave it. */
    record StoredEvents(String key, byte[] content, Map<String, String> metadata, long records) {
    }

    /** The event objects the writer put under {@code prefix} (fetched before the plain PUTs, outside the timing). */
    List<StoredEvents> objectsUnder(String prefix) {
        List<StoredEvents> out = new ArrayList<>();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(config.bucket()).prefix(prefix + "/events/")).contents()) {
            ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(config.bucket()).key(o.key()));
            Map<String, String> meta = got.response().metadata();
            out.add(new StoredEvents(o.key(), got.asByteArray(), meta, Long.parseLong(meta.get("auditkeeper-count"))));
        }
        return out;
    }

    /**
     * PUTs each object again under {@code prefix}, one after the other as the writer does, each with its Content-MD5
     * and SHA-256 computed as the writer computes them, COMPLIANCE until its last event's time plus the retention,
     * and the same metadata.
     */
    Run plainPuts(List<StoredEvents> objects, String prefix) throws Exception {
        long records = 0;
        long bytes = 0;
        long t0 = System.nanoTime();
        for (StoredEvents o : objects) {
            byte[] content = o.content();
            String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(content));
            String sha256 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(content));
            Instant retainUntil = Instant.parse(o.metadata().get("auditkeeper-last-time")).atZone(ZoneOffset.UTC)
                    .plusYears(config.retentionYears()).toInstant();
            String key = prefix + "/" + o.key().substring(o.key().indexOf("events/"));
            s3.putObject(b -> b.bucket(config.bucket()).key(key).contentType("application/gzip").contentMD5(md5)
                    .checksumSHA256(sha256).objectLockMode(ObjectLockMode.COMPLIANCE).objectLockRetainUntilDate(retainUntil)
                    .metadata(o.metadata()), RequestBody.fromBytes(content));
            records += o.records();
            bytes += content.length;
        }
        return new Run(records, objects.size(), bytes, (System.nanoTime() - t0) / 1e9);
    }
}
