package io.auditkeeper.cli.investigate;

import io.auditkeeper.archiver.ArchiverService;
import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.manifest.ManifestCodec;
import io.auditkeeper.archiver.manifest.ManifestEntry;
import io.auditkeeper.archiver.manifest.ManifestSigner;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code auditkeeper replay archive} against archives the real archiver wrote to Ceph (Object Lock enforced): 40
 * events, one a minute, on two partitions (even events on 0, odd on 1), ten per object, so each partition has two
 * objects: events 0-18 and 20-38 on partition 0, 1-19 and 21-39 on partition 1. One archive stays intact; another is
 * tampered with as Object Lock still allows: a new version written on top of a data object (the recorded version is
 * intact, so the replay goes on) and a new version of a manifest entry with an altered field (its signature fails).
 */
@ExtendWith(LocalStackExtension.class)
class ReplayArchiveCommandIT {
    /** The test events are from months ago: without this, the broker's retention check may delete them mid-test. */
    private static final Map<String, String> KEEP_OLD_RECORDS = Map.of("retention.ms", "-1");

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final int EVENTS = 40;
    private static final int PARTITIONS = 2;

    @TempDir
    static Path dir;

    private static Archive intact;
    private static Archive tampered;
    private static ManifestEntry alteredEntry;
    private static ManifestEntry overwrittenObject;

    /** Event i: namespace, verb, actor and cluster vary with i so that filters pick known ones. */
    private static String event(int i) {
        String ns = i % 2 == 0 ? "phi-records" : "default";
        return "{\"schemaVersion\":1,\"cluster\":\"" + (i % 5 == 0 ? "prod-west" : "prod-east") + "\",\"auditID\":\"a-" + i
                + "\",\"stage\":\"ResponseComplete\",\"timestamp\":\"" + T0.plus(Duration.ofMinutes(i)) + "\",\"verb\":\""
                + (i % 3 == 0 ? "get" : "list") + "\",\"actor\":\"" + (i % 4 == 0 ? "alice" : "bob")
                + "\",\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"" + ns + "\",\"name\":\"db\"}}";
    }

    private static List<String> events(int... is) {
        return IntStream.of(is).mapToObj(ReplayArchiveCommandIT::event).toList();
    }

    @Test
    void shouldPrintExactlyTheFilteredEventsOfThePeriodInPartitionAndOffsetOrderWhenTheArchiveIsIntact(LocalStack stack)
            throws Exception {
        Archive a = intact(stack);

        // [10:06, 10:30) and verb get: 6, 9, 12, ..., 27; partition 0 (even) first, each in offset (= time) order
        CliRun run = CliRun.of(a.args("--public-key", a.publicKey.toString(), "--from", "2026-03-01T10:06:00Z",
                "--to", "2026-03-01T10:30:00Z", "--verb", "get", "--resource", "secrets"));

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactlyElementsOf(events(6, 12, 18, 24, 9, 15, 21, 27));
        assertThat(run.err()).as("no warning, no progress line when stderr is not a terminal").isEmpty();
    }

    @Test
    void shouldPublishTheMatchingEventsKeyedAndTimedAsTheStreamProcessorDoesWhenToTopicIsGiven(LocalStack stack)
            throws Exception {
        Archive a = intact(stack);
        String target = a.topic + ".replayed";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(target, 1, (short) 1).configs(KEEP_OLD_RECORDS))).all().get();
        }

        // the bucket's own key this time: it must work, with the warning
        CliRun run = CliRun.of(a.args("--actor", "alice", "--cluster", "prod-west", "--to-topic", target,
                "--bootstrap", stack.kafkaBootstrap()));

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("WARNING").contains("manifests/public-key.pem")
                .contains("2 of " + EVENTS + " events published to " + target);
        List<ConsumerRecord<byte[], byte[]>> got = readAll(stack, target, 2);
        assertThat(got).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactlyElementsOf(events(0, 20));
        assertThat(got).extracting(r -> new String(r.key(), StandardCharsets.UTF_8) + "@" + Instant.ofEpochMilli(r.timestamp()))
                .containsExactly("prod-west/a-0@" + T0, "prod-west/a-20@" + T0.plus(Duration.ofMinutes(20)));
    }

    @Test
    void shouldExitOneNamingTheFirstObjectAndPrintNothingWhenThePublicKeyIsNotTheArchivers(LocalStack stack)
            throws Exception {
        Archive a = intact(stack);
        Path otherKey = dir.resolve("other.pub.pem");
        ManifestSigner.generate(dir.resolve("other.pem"), otherKey);
        ManifestEntry first = a.manifests(stack).all(a.topic, 0).get(0);

        CliRun run = CliRun.of(a.args("--public-key", otherKey.toString()));
        CliRun skipping = CliRun.of(a.args("--public-key", otherKey.toString(), "--continue-on-error"));

        assertThat(run.code()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("FAILED " + first.key() + " (" + a.topic + "-0 offsets 0-9)")
                .contains("BAD_SIGNATURE " + first.key() + " offsets 0-9: entry signature does not verify")
                .contains("STOPPED after 0 of 4 objects");
        assertThat(skipping.code()).as(skipping.err()).isEqualTo(1);
        assertThat(skipping.out()).isEmpty();
        assertThat(skipping.err().lines().filter(l -> l.contains(": SKIPPED "))).hasSize(4);
        assertThat(skipping.err()).contains("FAILED: 4 of 4 objects failed verification");
    }

    @Test
    void shouldStopAtTheObjectWhoseManifestEntryWasAlteredAfterReplayingTheOnesBefore(LocalStack stack)
            throws Exception {
        Archive a = tampered(stack);

        CliRun run = CliRun.of(a.args("--public-key", a.publicKey.toString()));

        assertThat(run.code()).as(run.err()).isEqualTo(1);
        // partition 0's first object, then its altered second entry stops the replay
        assertThat(run.out().lines().toList()).containsExactlyElementsOf(events(0, 2, 4, 6, 8, 10, 12, 14, 16, 18));
        assertThat(run.err()).contains("FAILED " + alteredEntry.key() + " (" + a.topic + "-0 offsets 10-19)")
                .contains("BAD_SIGNATURE " + alteredEntry.key() + " offsets 10-19")
                .contains("STOPPED after 1 of 4 objects");
    }

    @Test
    void shouldSkipOnlyTheAlteredObjectAndReplayTheRecordedVersionUnderANewOneWhenContinuingOnError(LocalStack stack)
            throws Exception {
        Archive a = tampered(stack);

        CliRun run = CliRun.of(a.args("--public-key", a.publicKey.toString(), "--continue-on-error"));

        assertThat(run.code()).as(run.err()).isEqualTo(1);
        List<String> expected = new ArrayList<>(events(0, 2, 4, 6, 8, 10, 12, 14, 16, 18));
        IntStream.range(0, 20).map(i -> 2 * i + 1).mapToObj(ReplayArchiveCommandIT::event).forEach(expected::add);
        assertThat(run.out().lines().toList()).containsExactlyElementsOf(expected);
        assertThat(run.err()).contains("SKIPPED " + alteredEntry.key() + " (" + a.topic + "-0 offsets 10-19)")
                .contains("BAD_SIGNATURE " + alteredEntry.key())
                .contains("note: NEWER_VERSION " + overwrittenObject.key() + " offsets 0-9")
                .contains("FAILED: 1 of 4 objects failed verification");
    }

    private static synchronized Archive intact(LocalStack stack) throws Exception {
        if (intact == null) {
            intact = archive(stack, "intact");
        }
        return intact;
    }

    /** Partition 1's first object gets a new version on top; partition 0's second entry a new, altered version. */
    private static synchronized Archive tampered(LocalStack stack) throws Exception {
        if (tampered == null) {
            Archive a = archive(stack, "tampered");
            S3Client s3 = stack.s3().client();
            S3ManifestStore manifests = a.manifests(stack);
            overwrittenObject = manifests.all(a.topic, 1).get(0);
            byte[] forged = "{\"forged\":true}\n".getBytes(StandardCharsets.UTF_8);
            s3.putObject(b -> b.bucket(a.bucket).key(overwrittenObject.key()).contentMD5(md5(forged)),
                    RequestBody.fromBytes(forged));
            alteredEntry = manifests.all(a.topic, 0).get(1);
            ManifestEntry e = alteredEntry;
            ManifestEntry altered = new ManifestEntry(e.version(), e.topic(), e.partition(), e.firstOffset(),
                    e.lastOffset(), e.count() - 1, e.firstEventTime(), e.lastEventTime(), e.key(), e.versionId(),
                    e.sha256(), e.previousHash(), e.retentionMode(), e.retainUntil(), e.signature());
            byte[] manifest = ManifestCodec.write(List.of(altered));
            String manifestKey = manifests.key(e.topic(), e.partition(), e.firstOffset(), e.lastOffset());
            s3.putObject(b -> b.bucket(a.bucket).key(manifestKey).contentMD5(md5(manifest)), RequestBody.fromBytes(manifest));
            tampered = a;
        }
        return tampered;
    }

    private static String md5(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(LocalStack stack, String topic, int expected)
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

    /** {@link #EVENTS} events archived by the real archiver under fresh names. */
    private static Archive archive(LocalStack stack, String name) throws Exception {
        String id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        Archive a = new Archive(stack, "replay-" + id, "replay-" + id, "run-" + id,
                dir.resolve(id + "-signing.pub.pem"), dir.resolve(id + "-secret-key"));
        Files.writeString(a.secretKeyFile, stack.s3().secretKey());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(a.topic, PARTITIONS, (short) 1).configs(KEEP_OLD_RECORDS))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
                "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < EVENTS; i++) {
                p.send(new ProducerRecord<>(a.topic, i % PARTITIONS, T0.plus(Duration.ofMinutes(i)).toEpochMilli(),
                        null, event(i).getBytes(StandardCharsets.UTF_8)));
            }
        }
        Path key = dir.resolve(id + "-signing.pem");
        ManifestSigner.generate(key, a.publicKey);
        Map<String, Object> s = new HashMap<>();
        s.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        s.put("topics.events.name", a.topic);
        s.put("topics.archive.name", a.topic + ".archive");
        s.put("archive.group-id", "archive-" + id);
        s.put("s3.bucket", a.bucket);
        s.put("s3.prefix", a.prefix);
        s.put("s3.endpoint", stack.s3().endpoint().toString());
        s.put("s3.region", stack.s3().region());
        s.put("s3.path-style", "true");
        s.put("s3.access-key", stack.s3().accessKey());
        s.put("s3.secret-key", stack.s3().secretKey());
        s.put("batch.max-events", "10");
        s.put("batch.max-age-ms", "300");
        s.put("admin.enabled", "false");
        s.put("manifest.signing-key-file", key.toString());
        try (ArchiverService archiver = new ArchiverService(ArchiverConfig.of(s)).start()) {
            CliRun.await("the archive of every event", Duration.ofSeconds(90), () -> archiver.archivedRecords() >= EVENTS);
        }
        return a;
    }

    private record Archive(LocalStack stack, String topic, String bucket, String prefix, Path publicKey,
                           Path secretKeyFile) {
        String[] args(String... more) {
            List<String> args = new ArrayList<>(List.of("replay", "archive", "--topic", topic, "--bucket", bucket,
                    "--prefix", prefix, "--s3-endpoint", stack.s3().endpoint().toString(), "--s3-region",
                    stack.s3().region(), "--path-style", "--access-key", stack.s3().accessKey(), "--secret-key-file",
                    secretKeyFile.toString()));
            args.addAll(List.of(more));
            return args.toArray(String[]::new);
        }

        S3ManifestStore manifests(LocalStack stack) {
            S3Client s3 = stack.s3().client();
            return new S3ManifestStore(s3, bucket, prefix,
                    new ObjectLockArchiveWriter(s3, bucket, 6, ObjectLockArchiveWriter.Encryption.none()));
        }
    }
}
