package io.auditkeeper.archiver.archive;

import io.auditkeeper.archiver.s3.ArchiveBucketBootstrap;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.evidence.manifest.VerificationReport;
import io.auditkeeper.evidence.store.DigestReader;
import io.auditkeeper.evidence.store.S3ObjectStore;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On the real broker and Ceph: every record of the topic ends up in exactly one locked archive object, recorded in a
 * signed manifest chain that verifies, even when the writer dies between the PUT of an object and the offset commit.
 */
@ExtendWith(LocalStackExtension.class)
class ArchiveWriterLoopIT {
    private static final int PER_PARTITION = 300;

    @TempDir
    Path keys;

    @Test
    void shouldArchiveEveryOffsetExactlyOnceWhenTheWriterDiesBetweenPutAndCommit(LocalStack stack) throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String topic = "archive-it-" + UUID.randomUUID().toString().substring(0, 8);
        String bucket = "arch-" + UUID.randomUUID().toString().substring(0, 8);
        S3Client s3 = stack.s3().client();
        ArchiveBucketBootstrap.ensure(s3, bucket, 6, true);
        ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, bucket, 6, ObjectLockArchiveWriter.Encryption.none());
        S3ManifestStore manifests = new S3ManifestStore(s3, bucket, "", writer);
        ManifestSigner.generate(keys.resolve("signing.pem"), keys.resolve("signing.pub.pem"));
        ManifestSigner signer = ManifestSigner.fromPemFile(keys.resolve("signing.pem"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic, 2, (short) 1));
        }
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int part = 0; part < 2; part++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    p.send(new ProducerRecord<>(topic, part, null, ("{\"p\":" + part + ",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
        ArchiveWriterLoop.Settings settings = new ArchiveWriterLoop.Settings(topic, "", 1 << 20, 70, Duration.ofSeconds(1),
                Duration.ofMillis(100));
        String group = "archiver-" + topic;

        ArchiveWriterLoop first = new ArchiveWriterLoop(consumer(bootstrap, group), writer, manifests, signer, settings);
        int[] flushes = {0};
        first.afterObjectWritten(b -> {
            if (b.partition() == 0 && ++flushes[0] == 2) {
                throw new IllegalStateException("simulated crash after the PUT, before the manifest and the commit");
            }
        });
        first.subscribe();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 200; i++) {
                first.runOnce();
            }
        }).hasMessageContaining("simulated crash");
        first.close();

        // The restarted writer cuts batches differently (as an age-based close would): rebuilding the interrupted batch
        // from its first offset would give another object over the same offsets.
        ArchiveWriterLoop.Settings other = new ArchiveWriterLoop.Settings(topic, "", 1 << 20, 45, Duration.ofSeconds(1),
                Duration.ofMillis(100));
        ArchiveWriterLoop second = new ArchiveWriterLoop(consumer(bootstrap, group), writer, manifests, signer, other);
        second.subscribe();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while ((manifests.last(topic, 0).map(ManifestEntry::lastOffset).orElse(-1L) < PER_PARTITION - 1
                || manifests.last(topic, 1).map(ManifestEntry::lastOffset).orElse(-1L) < PER_PARTITION - 1)
                && System.nanoTime() < deadline) {
            second.runOnce();
        }
        second.close();

        List<String> objects = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("events/")).contents().forEach(o -> objects.add(o.key()));
        assertThat(objects).as("every object in the archive is in a manifest chain: none overlaps another")
                .hasSize(manifests.all(topic, 0).size() + manifests.all(topic, 1).size());

        assertEveryRecordOnceInOrder(s3, bucket, manifests, topic, keys.resolve("signing.pub.pem"));
        s3.close();
    }

    @Test
    void shouldTakeOneStoreStepPerTurnWhenTheTurnBudgetIsSpentAndStillArchiveEveryRecordOnceInOrder(LocalStack stack)
            throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String topic = "archive-turns-" + UUID.randomUUID().toString().substring(0, 8);
        Bucket bucket = Bucket.create(stack, "archturns");
        ManifestSigner.generate(keys.resolve("turns.pem"), keys.resolve("turns.pub.pem"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic, 2, (short) 1));
        }
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int part = 0; part < 2; part++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    p.send(new ProducerRecord<>(topic, part, null, ("{\"p\":" + part + ",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
        // one poll brings several full batches of 60, more than one turn may write
        ArchiveWriterLoop loop = new ArchiveWriterLoop(archiveConsumer(bootstrap, "turns-" + topic), bucket.writer(),
                bucket.manifests(), ManifestSigner.fromPemFile(keys.resolve("turns.pem")),
                new ArchiveWriterLoop.Settings(topic, "", 1 << 20, 60, Duration.ofHours(1), Duration.ofMillis(100)));
        // a turn whose budget is spent at once: its first store step only (a partition resumed or a batch written)
        loop.limitTurnTo(Duration.ZERO);
        int[] written = {0};
        loop.afterObjectWritten(b -> written[0]++);
        loop.subscribe();
        int mostInOneTurn = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (loop.archivedRecords() < 2 * PER_PARTITION) {
            assertThat(System.nanoTime()).as("archived %d of %d in time", loop.archivedRecords(), 2 * PER_PARTITION)
                    .isLessThan(deadline);
            written[0] = 0;
            loop.runOnce();
            mostInOneTurn = Math.max(mostInOneTurn, written[0]);
        }
        loop.close();

        assertThat(mostInOneTurn).as("objects written in one turn").isEqualTo(1);
        assertThat(loop.storeFailures()).isZero();
        List<String> objects = new ArrayList<>();
        bucket.s3().listObjectsV2Paginator(b -> b.bucket(bucket.name()).prefix("events/")).contents()
                .forEach(o -> objects.add(o.key()));
        assertThat(objects).as("every object in a manifest chain: none written twice")
                .hasSize(bucket.manifests().all(topic, 0).size() + bucket.manifests().all(topic, 1).size());
        assertEveryRecordOnceInOrder(bucket.s3(), bucket.name(), bucket.manifests(), topic, keys.resolve("turns.pub.pem"));
        bucket.s3().close();
    }

    @Test
    void shouldKeepTheChainContinuousOverTransactionMarkers(LocalStack stack) throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String topic = "archive-tx-" + UUID.randomUUID().toString().substring(0, 8);
        String bucket = "archtx-" + UUID.randomUUID().toString().substring(0, 8);
        S3Client s3 = stack.s3().client();
        ArchiveBucketBootstrap.ensure(s3, bucket, 6, true);
        ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, bucket, 6, ObjectLockArchiveWriter.Encryption.none());
        S3ManifestStore manifests = new S3ManifestStore(s3, bucket, "", writer);
        ManifestSigner.generate(keys.resolve("tx.pem"), keys.resolve("tx.pub.pem"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic, 1, (short) 1));
        }
        // As Kafka Streams writes audit.events: in transactions, each ending with a marker that takes an offset.
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "transactional.id", "tx-" + topic), new ByteArraySerializer(), new ByteArraySerializer())) {
            p.initTransactions();
            for (int t = 0; t < 10; t++) {
                p.beginTransaction();
                for (int i = 0; i < 13; i++) {
                    p.send(new ProducerRecord<>(topic, 0, null, ("{\"t\":" + t + ",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
                }
                p.commitTransaction();
            }
        }
        ArchiveWriterLoop loop = new ArchiveWriterLoop(consumer(bootstrap, "tx-" + topic), writer, manifests,
                ManifestSigner.fromPemFile(keys.resolve("tx.pem")),
                new ArchiveWriterLoop.Settings(topic, "", 1 << 20, 13, Duration.ofSeconds(1), Duration.ofMillis(100)));
        loop.subscribe();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (loop.archivedRecords() < 130 && System.nanoTime() < deadline) {
            loop.runOnce();
        }
        loop.close();

        List<ManifestEntry> chain = manifests.all(topic, 0);
        VerificationReport report = ManifestVerifier.fromPublicKeyPemFile(keys.resolve("tx.pub.pem"))
                .verifyPartition(chain, new S3ObjectStore(s3, bucket), Instant.now(), Duration.ofDays(6 * 365 + 1));
        assertThat(chain.stream().mapToLong(ManifestEntry::count).sum()).isEqualTo(130);
        assertThat(report.problems()).isEmpty();

        DigestWriter digests = new DigestWriter(s3, bucket, "", writer, manifests, ManifestSigner.fromPemFile(keys.resolve("tx.pem")));
        digests.write(topic, Instant.now());
        Digest latest = digests.write(topic, Instant.now().plusMillis(5));
        ManifestVerifier verifier = ManifestVerifier.fromPublicKeyPemFile(keys.resolve("tx.pub.pem"));
        DigestReader written = new DigestReader(s3, bucket, new ArchiveLayout(""));
        assertThat(written.all()).hasSize(2);
        assertThat(latest.heads()).singleElement().satisfies(h -> assertThat(h.lastOffset()).isEqualTo(chain.get(chain.size() - 1).lastOffset()));
        assertThat(verifier.verifyDigests(written.all(), Map.of(topic + "-0", chain))).isEmpty();
        assertThat(verifier.verifyDigests(written.all(), Map.of(topic + "-0", chain.subList(0, chain.size() - 1))))
                .as("the chain's last entry gone after a digest covered it")
                .extracting(p -> p.kind().name()).contains("TRUNCATED_PARTITION");
        s3.close();
    }

    @Test
    void shouldTellTheLossAndLeaveAGapVerifyReportsWhenRetentionDeletedRecordsBeforeTheyWereArchived(LocalStack stack)
            throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String topic = "archive-lost-" + UUID.randomUUID().toString().substring(0, 8);
        TopicPartition tp = new TopicPartition(topic, 0);
        Bucket bucket = Bucket.create(stack, "archlost");
        S3Client s3 = bucket.s3();
        ObjectLockArchiveWriter writer = bucket.writer();
        S3ManifestStore manifests = bucket.manifests();
        ManifestSigner.generate(keys.resolve("lost.pem"), keys.resolve("lost.pub.pem"));
        ManifestSigner signer = ManifestSigner.fromPemFile(keys.resolve("lost.pem"));
        ArchiveWriterLoop.Settings settings = new ArchiveWriterLoop.Settings(topic, "", 1 << 20, 10, Duration.ofSeconds(1),
                Duration.ofMillis(100));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic, 1, (short) 1));
            produce(bootstrap, topic, 0, 10);
            ArchiveWriterLoop first = new ArchiveWriterLoop(archiveConsumer(bootstrap, "lost-" + topic), writer,
                    manifests, signer, settings);
            runUntil(first, 10);
            first.close();

            // the archiver is down longer than the topic's retention: offsets 10-14 are deleted unarchived
            produce(bootstrap, topic, 10, 20);
            admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(15))).all().get();
            List<String> told = new ArrayList<>();
            ArchiveWriterLoop second = new ArchiveWriterLoop(archiveConsumer(bootstrap, "lost-" + topic), writer,
                    manifests, signer, settings, tellingLosses(told));
            runUntil(second, 5);
            second.close();

            assertThat(second.offsetsLost()).isEqualTo(5);
            assertThat(told).containsExactly(tp + " 10-14");
        }
        List<ManifestEntry> chain = manifests.all(topic, 0);
        assertThat(chain).extracting(e -> e.firstOffset() + "-" + e.lastOffset()).containsExactly("0-9", "15-19");
        VerificationReport report = ManifestVerifier.fromPublicKeyPemFile(keys.resolve("lost.pub.pem"))
                .verifyPartition(chain, new S3ObjectStore(s3, bucket.name()), Instant.now(), Duration.ofDays(6 * 365 + 1));
        assertThat(report.problems()).as("the archive says what it lacks")
                .extracting(p -> p.kind().name() + " " + p.firstOffset() + "-" + p.lastOffset())
                .containsExactly("OFFSET_GAP 10-14");
        s3.close();
    }

    @Test
    void shouldTellTheLossWhenRetentionDeletesTheNextRecordsWhileTheWriterRuns(LocalStack stack) throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String topic = "archive-lost-live-" + UUID.randomUUID().toString().substring(0, 8);
        TopicPartition tp = new TopicPartition(topic, 0);
        Bucket bucket = Bucket.create(stack, "archlive");
        S3Client s3 = bucket.s3();
        ObjectLockArchiveWriter writer = bucket.writer();
        S3ManifestStore manifests = bucket.manifests();
        ManifestSigner.generate(keys.resolve("live.pem"), keys.resolve("live.pub.pem"));
        List<String> told = new ArrayList<>();
        // fetch.max.wait.ms=1: the fetch sent ahead at the end of a poll comes back empty at once, so that the records
        // produced next are fetched only by the next poll, after the deletion
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "group.id", "live-" + topic, "enable.auto.commit", false, "isolation.level", "read_committed",
                "auto.offset.reset", "none", "fetch.max.wait.ms", 1, "group.protocol", "classic"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic, 1, (short) 1));
            produce(bootstrap, topic, 0, 10);
            ArchiveWriterLoop loop = new ArchiveWriterLoop(consumer, writer, manifests,
                    ManifestSigner.fromPemFile(keys.resolve("live.pem")), new ArchiveWriterLoop.Settings(topic, "",
                    1 << 20, 10, Duration.ofSeconds(1), Duration.ofMillis(100)), tellingLosses(told));
            runUntil(loop, 10);

            produce(bootstrap, topic, 10, 20);
            admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(15))).all().get();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (loop.archivedRecords() < 15) {
                assertThat(System.nanoTime()).as("archived %d of 15 in time", loop.archivedRecords()).isLessThan(deadline);
                loop.runOnce();
            }
            loop.close();

            assertThat(told).containsExactly(tp + " 10-14");
            assertThat(loop.offsetsLost()).isEqualTo(5);
        }
        assertThat(manifests.all(topic, 0)).extracting(e -> e.firstOffset() + "-" + e.lastOffset())
                .containsExactly("0-9", "15-19");
        s3.close();
    }

    /** Both partitions' {@code {"p":..,"n":..}} records, each once and in order, in chains that verify. */
    private static void assertEveryRecordOnceInOrder(S3Client s3, String bucket, S3ManifestStore manifests, String topic,
                                                     Path publicKey) throws Exception {
        ManifestVerifier verifier = ManifestVerifier.fromPublicKeyPemFile(publicKey);
        for (int part = 0; part < 2; part++) {
            List<ManifestEntry> chain = manifests.all(topic, part);
            VerificationReport report = verifier.verifyPartition(chain, new S3ObjectStore(s3, bucket), Instant.now(), Duration.ofDays(6 * 365 + 1));
            assertThat(report.problems()).as("partition %d", part).isEmpty();
            assertThat(report.firstOffset()).isZero();
            assertThat(report.lastOffset()).isEqualTo(PER_PARTITION - 1);
            List<String> lines = new ArrayList<>();
            for (ManifestEntry e : chain) {
                byte[] gz = s3.getObjectAsBytes(b -> b.bucket(bucket).key(e.key()).versionId(e.versionId())).asByteArray();
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                    lines.addAll(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
                }
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < PER_PARTITION; i++) {
                expected.add("{\"p\":" + part + ",\"n\":" + i + "}");
            }
            assertThat(lines).as("every record of partition %d once, in order", part).isEqualTo(expected);
        }
    }

    /** A fresh Object Lock bucket on the local Ceph, with the archive writer and manifest store the loop uses. */
    private record Bucket(S3Client s3, String name, ObjectLockArchiveWriter writer, S3ManifestStore manifests) {
        static Bucket create(LocalStack stack, String prefix) {
            String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
            S3Client s3 = stack.s3().client();
            ArchiveBucketBootstrap.ensure(s3, name, 6, true);
            ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, name, 6,
                    ObjectLockArchiveWriter.Encryption.none());
            return new Bucket(s3, name, writer, new S3ManifestStore(s3, name, "", writer));
        }
    }

    /** A listener that writes down each loss the writer tells, as {@code <partition> <first>-<last>}. */
    private static ArchiveListener tellingLosses(List<String> told) {
        return new ArchiveListener() {
            @Override
            public void offsetsLost(TopicPartition partition, long first, long last) {
                told.add(partition + " " + first + "-" + last);
            }
        };
    }

    private static void produce(String bootstrap, String topic, int from, int to) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                p.send(new ProducerRecord<>(topic, 0, null, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static void runUntil(ArchiveWriterLoop loop, long archived) {
        loop.subscribe();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (loop.archivedRecords() < archived) {
            assertThat(System.nanoTime()).as("archived %d of %d in time", loop.archivedRecords(), archived)
                    .isLessThan(deadline);
            loop.runOnce();
        }
    }

    /** As the archiver's writer consumes: no position reset of its own, so a deleted position reaches the writer. */
    private static KafkaConsumer<byte[], byte[]> archiveConsumer(String bootstrap, String group) {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "group.id", group, "enable.auto.commit", false,
                "isolation.level", "read_committed", "auto.offset.reset", "none"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group) {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "group.id", group, "enable.auto.commit", false,
                "isolation.level", "read_committed", "auto.offset.reset", "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

}
