package io.auditkeeper.cli.investigate;

import io.auditkeeper.archiver.ArchiverService;
import io.auditkeeper.archiver.archive.DigestWriter;
import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.evidence.store.DigestReader;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An archive written by the real archiver to the local stack's Ceph, under fresh names, for the tests of the
 * investigate commands: they read, verify and tamper with what production writes, not with a hand-made copy.
 *
 * @param publicKey     the manifest public key, as an investigator holds it outside the bucket
 * @param secretKeyFile the S3 secret key, for {@code --secret-key-file}
 */
record TestArchive(LocalStack stack, String topic, String bucket, String prefix, Path publicKey, Path secretKeyFile) {
    /** The test events are from months ago: without this, the broker's retention check may delete them mid-test. */
    static final Map<String, String> KEEP_OLD_RECORDS = Map.of("retention.ms", "-1");

    /** One record to archive: its partition, its Kafka timestamp, and its value. */
    record Event(int partition, Instant time, String json) {
    }

    /**
     * Produces {@code events} to a new topic of {@code partitions} and runs the archiver until all are archived,
     * with batches of at most {@code batchEvents}; then, when {@code awaitDigests}, until a signed digest covers the
     * last entry of every partition that has events.
     */
    static TestArchive write(LocalStack stack, Path dir, String name, int partitions, List<Event> events,
                             int batchEvents, boolean awaitDigests) throws Exception {
        return write(stack, dir, name, partitions, events, batchEvents, awaitDigests, List.of());
    }

    /**
     * As above, and {@code deadLetters} (as ingest writes them: source {@code ingest}, reason {@code malformed-json},
     * cluster {@code test})
     * on partition 0 of the archive's dead-letter topic, {@link #deadLetterTopic}, until they are archived too.
     */
    static TestArchive write(LocalStack stack, Path dir, String name, int partitions, List<Event> events,
                             int batchEvents, boolean awaitDigests, List<Event> deadLetters) throws Exception {
        return write(stack, dir, name, partitions, events, batchEvents, awaitDigests ? Sealing.WHILE_WRITING : Sealing.NONE,
                deadLetters);
    }

    /** When digests are written: not awaited, every second while the archiver writes, or only once all is written. */
    enum Sealing {
        NONE,
        WHILE_WRITING,
        /**
         * The archiver writes no digest until every event is archived; then a second archiver seals every head: the
         * first digest naming an entry then names the last entry of its partition too, whatever the timing.
         */
        AFTER_ALL_ENTRIES
    }

    static TestArchive write(LocalStack stack, Path dir, String name, int partitions, List<Event> events,
                             int batchEvents, Sealing sealing, List<Event> deadLetters) throws Exception {
        String id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        TestArchive a = new TestArchive(stack, id, id, "run-" + id, dir.resolve(id + "-signing.pub.pem"),
                dir.resolve(id + "-secret-key"));
        Files.writeString(a.secretKeyFile, stack.s3().secretKey());
        createTopic(stack, a.topic, partitions);
        createTopic(stack, a.deadLetterTopic(), 1);
        long[] lastOffset = new long[partitions];
        java.util.Arrays.fill(lastOffset, -1);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
                "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Event e : events) {
                p.send(new ProducerRecord<>(a.topic, e.partition(), e.time().toEpochMilli(), null,
                        e.json().getBytes(StandardCharsets.UTF_8)));
                lastOffset[e.partition()]++;
            }
            for (Event e : deadLetters) {
                org.apache.kafka.common.header.internals.RecordHeaders h = new org.apache.kafka.common.header.internals.RecordHeaders();
                h.add("auditkeeper.dlq.source", "ingest".getBytes(StandardCharsets.UTF_8));
                h.add("auditkeeper.dlq.reason", "malformed-json".getBytes(StandardCharsets.UTF_8));
                h.add("auditkeeper.cluster", "test".getBytes(StandardCharsets.UTF_8));
                p.send(new ProducerRecord<>(a.deadLetterTopic(), 0, e.time().toEpochMilli(), null,
                        e.json().getBytes(StandardCharsets.UTF_8), h));
            }
        }
        Path key = a.signingKey();
        ManifestSigner.generate(key, a.publicKey);
        Map<String, Object> s = new HashMap<>();
        s.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        s.put("topics.events.name", a.topic);
        s.put("topics.archive.name", a.topic + ".archive");
        s.put("archive.group-id", "archive-" + id);
        s.put("topics.dlq.name", a.deadLetterTopic());
        s.put("dead-letters.group-id", "dead-letters-" + id);
        s.put("s3.bucket", a.bucket);
        s.put("s3.prefix", a.prefix);
        s.put("s3.endpoint", stack.s3().endpoint().toString());
        s.put("s3.region", stack.s3().region());
        s.put("s3.path-style", "true");
        s.put("s3.access-key", stack.s3().accessKey());
        s.put("s3.secret-key", stack.s3().secretKey());
        s.put("batch.max-events", Integer.toString(batchEvents));
        s.put("batch.max-age-ms", "300");
        s.put("digest.interval-ms", sealing == Sealing.AFTER_ALL_ENTRIES ? "3600000" : "1000");
        s.put("admin.enabled", "false");
        s.put("manifest.signing-key-file", key.toString());
        try (ArchiverService archiver = new ArchiverService(ArchiverConfig.of(s)).start()) {
            CliRun.await("the archive of every event", Duration.ofSeconds(90),
                    () -> archiver.archivedRecords() >= events.size() && archiver.archivedDeadLetters() >= deadLetters.size());
            if (sealing == Sealing.WHILE_WRITING) {
                awaitDigestOfEveryHead(a, lastOffset);
            }
        }
        if (sealing == Sealing.AFTER_ALL_ENTRIES) {
            s.put("digest.interval-ms", "1000");
            try (ArchiverService sealer = new ArchiverService(ArchiverConfig.of(s)).start()) {
                awaitDigestOfEveryHead(a, lastOffset);
            }
        }
        return a;
    }

    private static void awaitDigestOfEveryHead(TestArchive a, long[] lastOffset) throws InterruptedException {
        try (S3Client s3 = a.stack.s3().client()) {
            DigestReader digests = new DigestReader(s3, a.bucket, new ArchiveLayout(a.prefix));
            CliRun.await("a digest of every partition's last entry", Duration.ofSeconds(30), () -> {
                List<Digest> all;
                try {
                    all = digests.all();
                } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
                    // radosgw listed a digest that a GET then did not find, while the archiver was writing digests (seen once in CI): look again
                    return false;
                }
                if (all.isEmpty()) {
                    return false;
                }
                Digest last = all.get(all.size() - 1);
                for (int p = 0; p < lastOffset.length; p++) {
                    int partition = p;
                    if (lastOffset[p] >= 0 && last.heads().stream()
                            .noneMatch(h -> h.topic().equals(a.topic) && h.partition() == partition && h.lastOffset() == lastOffset[partition])) {
                        return false;
                    }
                }
                return true;
            });
        }
    }

    /** A topic that keeps its old test records. */
    static void createTopic(LocalStack stack, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic, partitions, (short) 1).configs(KEEP_OLD_RECORDS));
        }
    }

    /** Exactly {@code expected} committed records of partition 0 of {@code topic}: fails on fewer, or on more. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(LocalStack stack, String topic, int expected)
            throws InterruptedException {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
                "isolation.level", "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            CliRun.await(expected + " records in " + topic, Duration.ofSeconds(30), () -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= expected;
            });
            assertThat(c.poll(Duration.ofMillis(500))).as("nothing more").isEmpty();
        }
        return out;
    }

    /** The dead-letter topic archived next to {@link #topic}. */
    String deadLetterTopic() {
        return topic + ".dlq";
    }

    /** The arguments of an investigate command ({@code verify}, or {@code replay archive}) on this archive. */
    String[] args(List<String> command, String... more) {
        return args(topic, command, more);
    }

    /** The same, for the archive of another topic in the bucket (the dead-letter topic's). */
    String[] args(String archivedTopic, List<String> command, String... more) {
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of("--topic", archivedTopic, "--bucket", bucket, "--prefix", prefix, "--s3-endpoint",
                stack.s3().endpoint().toString(), "--s3-region", stack.s3().region(), "--path-style", "--access-key",
                stack.s3().accessKey(), "--secret-key-file", secretKeyFile.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** The archiver's signing key (PKCS#8 PEM), for a test that signs an entry of its own. */
    Path signingKey() {
        return publicKey.resolveSibling(topic + "-signing.pem");
    }

    /** The archive's manifests, as the archiver reads them; the client lives as long as the test JVM. */
    S3ManifestStore manifests() {
        S3Client s3 = stack.s3().client();
        return new S3ManifestStore(s3, bucket, prefix,
                new ObjectLockArchiveWriter(s3, bucket, 6, ObjectLockArchiveWriter.Encryption.none()));
    }

    /**
     * The lines gzipped at deflate {@code level} by another zlib, as an archiver in another image writes them: headed
     * as zlib's own gzip writer (zlib-ng, Python, gzip) heads it, XFL 4 (fastest) or 2 (best) and OS 3 (Unix), where
     * the JDK writes 0 and 255. A few events deflate to the same bytes at every level; the header still differs.
     */
    static byte[] gzippedElsewhere(List<byte[]> lines, int level) {
        io.auditkeeper.archiver.archive.ArchiveBatch batch = new io.auditkeeper.archiver.archive.ArchiveBatch("t", 0, 0);
        for (int i = 0; i < lines.size(); i++) {
            batch.add(i, 0, lines.get(i));
        }
        byte[] gz = batch.encode(level);
        gz[8] = (byte) (level == 1 ? 4 : level == 9 ? 2 : 0);
        gz[9] = 3;
        return gz;
    }
}
