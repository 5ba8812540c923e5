package io.auditkeeper.archiver;

import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.TcpProxy;
import io.auditkeeper.localstack.TcpProxy.HoldStage;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.localstack.Waits;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The archiver process (the real jar) killed with SIGKILL at each point of a batch's write and of a digest's, then a
 * new process started with the same config, and the archive judged as an auditor would: every record archived exactly
 * once, every partition's chain verifying without a problem, the digest chain verifying, and nothing in the bucket
 * that {@code verify} would have to explain (no leftover: no object outside the chains, no second version of any key).
 *
 * <p>The process is stopped at exactly the point named by holding one request at a {@link TcpProxy} between it and
 * radosgw ({@link TcpProxy#hold}): the request is not forwarded, forwarded in part, or forwarded with its answer held.
 * Each test first checks what the dead process left (the object, the committed intent, entry or digest), so that it is
 * known to have died where the test says. The writer's steps are those of {@code ArchiveWriterLoop}: commit the intent,
 * PUT the object, commit the signed entry, PUT the entry; and of {@code DigestSchedule}: commit the digest, PUT it.
 *
 * <p>None of these cases failed on the code they were written against: the intent, the committed entry and the
 * committed digest already let the next process finish what the killed one started. They keep it so: each fails when
 * the part of the resume it relies on is taken away (docs/archiver.md, "Crash points, killed for real").
 */
@ExtendWith(LocalStackExtension.class)
class ArchiverCrashPointsIT {
    private static final int PARTITIONS = 2;
    private static final int RECORDS = 240;
    private static final Duration SESSION = Duration.ofSeconds(6);
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    /** Batches (or digests) let through before the one the process dies in, so that it dies mid-chain. */
    private static final int LET_PASS = 2;

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String topic = "crash-" + id;
    private final String bucket = "crash-" + id;
    private final String group = "archive-crash-" + id;
    private final ArchiveLayout layout = new ArchiveLayout("");
    private final List<ArchiverProcess> processes = new ArrayList<>();
    /** The processes' config, key and logs, kept after the run for whoever reads a failure. */
    private final Path dir = Path.of("target", "crash-" + id).toAbsolutePath();
    private S3Client s3;
    private TcpProxy proxy;
    private Admin admin;
    private Map<String, String> settings;
    private Path config;

    @AfterEach
    void stop() throws InterruptedException {
        for (ArchiverProcess p : processes) {
            p.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {proxy, admin, s3}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing
            }
        }
    }

    /**
     * Killed after committing the intent, while the object's PUT is held before radosgw sees it: the intent names an
     * object that does not exist, so the next process reads the batch again from the intent's first offset.
     */
    @Test
    void shouldArchiveEveryRecordOnceWhenKilledAfterTheIntentBeforeThePutReachesS3(LocalStack stack) throws Exception {
        String key = killWhileHeld(stack, "PUT /" + bucket + "/" + layout.objects(ArchiveLayout.EVENTS),
                HoldStage.BEFORE_REQUEST);

        assertThat(versions(key)).as("the object never reached S3").isEmpty();
        assertThat(committed(group, partitionOf(key)).metadata()).as("the intent names the batch being written")
                .isEqualTo("archive-intent:" + key);

        restartAndAssertArchivedOnceWithNothingLeftBehind(stack, Map.of());
    }

    /**
     * Killed in the middle of the object's PUT, radosgw holding its head and half its body: an incomplete upload
     * stores nothing, so this ends as the case before it.
     */
    @Test
    void shouldArchiveEveryRecordOnceWhenKilledDuringThePut(LocalStack stack) throws Exception {
        String key = killWhileHeld(stack, "PUT /" + bucket + "/" + layout.objects(ArchiveLayout.EVENTS),
                HoldStage.PART_OF_REQUEST);

        assertThat(versions(key)).as("half an upload is no object").isEmpty();
        assertThat(committed(group, partitionOf(key)).metadata()).isEqualTo("archive-intent:" + key);

        restartAndAssertArchivedOnceWithNothingLeftBehind(stack, Map.of());
    }

    /**
     * Killed after radosgw stored the object, before the process heard the answer: a locked object that no entry
     * names yet. The next process finds it through the intent and records that very version. (With the same config it
     * would also cut the same batch again, and the writer would find the same bytes under the same key: see the next
     * case for a process that cuts its batches otherwise.)
     */
    @Test
    void shouldRecordTheStoredObjectWhenKilledBeforeHearingThePutsAnswer(LocalStack stack) throws Exception {
        killBeforeHearingThePutsAnswerAndRestart(stack, Map.of());
    }

    /**
     * As the case before, the new process cutting its batches otherwise (batches of 15 instead of 20), as it does when
     * batches close by age: only the intent leads it to the object the killed process stored, whose offsets it must
     * not archive again in another object.
     */
    @Test
    void shouldRecordTheStoredObjectWhenKilledBeforeHearingThePutsAnswerAndRestartedWithOtherBatches(LocalStack stack)
            throws Exception {
        killBeforeHearingThePutsAnswerAndRestart(stack, Map.of("batch.max-events", "15"));
    }

    private void killBeforeHearingThePutsAnswerAndRestart(LocalStack stack, Map<String, String> restartedWith)
            throws Exception {
        String key = killWhileHeld(stack, "PUT /" + bucket + "/" + layout.objects(ArchiveLayout.EVENTS),
                HoldStage.ANSWER);

        List<ObjectVersion> stored = versions(key);
        assertThat(stored).as("the object is in S3").hasSize(1);
        assertThat(audit().chains().values()).as("no entry names it yet").allSatisfy(chain ->
                assertThat(chain).extracting(ManifestEntry::key).doesNotContain(key));
        assertThat(committed(group, partitionOf(key)).metadata()).isEqualTo("archive-intent:" + key);

        restartAndAssertArchivedOnceWithNothingLeftBehind(stack, restartedWith);
        assertThat(audit().chains().get(partitionOf(key)))
                .as("the object the killed process stored is recorded, that version")
                .anySatisfy(e -> {
                    assertThat(e.key()).isEqualTo(key);
                    assertThat(e.versionId()).isEqualTo(stored.get(0).versionId());
                });
    }

    /**
     * Killed after the entry commit, while the entry's PUT is held before radosgw sees it: the entry is in Kafka
     * only. The next process takes the chain's head from the commit and writes it to S3 first.
     */
    @Test
    void shouldWriteTheCommittedEntryWhenKilledBeforeTheEntrysPutReachesS3(LocalStack stack) throws Exception {
        String manifest = killWhileHeld(stack, "PUT /" + bucket + "/" + layout.manifests(topic), HoldStage.BEFORE_REQUEST);

        assertThat(versions(manifest)).as("the entry never reached S3").isEmpty();
        long[] offsets = ArchiveLayout.manifestOffsets(manifest);
        int partition = (int) Long.parseLong(manifest.split("/")[2]);
        OffsetAndMetadata c = committed(group, partition);
        assertThat(c.offset()).as("the entry is committed after its batch").isEqualTo(offsets[1] + 1);
        assertThat(c.metadata()).startsWith("archive-entry:");
        ManifestEntry entry = ManifestCodec.read(c.metadata().substring("archive-entry:".length())
                .getBytes(StandardCharsets.UTF_8)).get(0);
        assertThat(versions(entry.key())).as("its object is in S3").hasSize(1);

        restartAndAssertArchivedOnceWithNothingLeftBehind(stack, Map.of());
        assertThat(audit().chains().get(partition)).as("the committed entry is in the chain, as committed")
                .contains(entry);
    }

    /**
     * Killed while writing a digest: committed as the digest group's offset metadata, its PUT held before radosgw sees
     * it. The next digest writer writes the committed digest first and chains onto it, so the chain has no hole.
     */
    @Test
    void shouldWriteTheCommittedDigestWhenKilledBeforeTheDigestsPutReachesS3(LocalStack stack) throws Exception {
        String key = killWhileHeld(stack, "PUT /" + bucket + "/" + layout.digests(), HoldStage.BEFORE_REQUEST);

        assertThat(versions(key)).as("the digest never reached S3").isEmpty();
        Digest digest = committedDigest();
        assertThat(layout.digest(Instant.parse(digest.createdAt()))).as("the committed digest is the one held")
                .isEqualTo(key);

        restartAndAssertArchivedOnceWithNothingLeftBehind(stack, Map.of());
        assertThat(audit().digests()).as("the committed digest is in the chain").contains(digest);
    }

    /**
     * Produces the records, starts an archiver whose S3 is behind the proxy, holds the request starting with
     * {@code requestStart} (after {@link #LET_PASS} such requests went through) at {@code stage}, kills the process
     * with SIGKILL once the hold has happened, and resets what the proxy still held. Returns the held request's key.
     */
    private String killWhileHeld(LocalStack stack, String requestStart, HoldStage stage) throws Exception {
        Files.createDirectories(dir);
        s3 = stack.s3().client();
        admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()));
        Topics.createAndAwaitLeaders(admin, new NewTopic(topic, PARTITIONS, (short) 1),
                new NewTopic(topic + ".dlq", 1, (short) 1));
        ManifestSigner.generate(dir.resolve("signing.pem"), dir.resolve("signing.pub.pem"));
        produce(stack);
        URI endpoint = stack.s3().endpoint();
        proxy = TcpProxy.start(endpoint.getHost(), endpoint.getPort());
        settings = ArchiverProcess.settings(stack, topic, bucket, group, dir.resolve("signing.pem"), SESSION);
        settings.put("s3.endpoint", "http://127.0.0.1:" + proxy.port());
        settings.put("batch.max-events", "20");
        config = ArchiverProcess.writeConfig(dir.resolve("archiver.yaml"), settings);

        var held = proxy.hold(requestStart, LET_PASS, stage);
        ArchiverProcess first = start("first");
        String line = held.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        first.kill();
        proxy.cut();
        proxy.restore();
        System.out.println(Instant.now() + " crash IT: killed the archiver holding " + line + " at " + stage);

        String path = line.substring(line.indexOf(' ') + 1, line.lastIndexOf(' '));
        path = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        return path.substring(("/" + bucket + "/").length());
    }

    /**
     * Starts a new process with the same config (but for {@code changed} settings), waits until every record is archived and a digest the new process
     * wrote vouches for it, then judges the archive as an auditor would.
     */
    private void restartAndAssertArchivedOnceWithNothingLeftBehind(LocalStack stack, Map<String, String> changed)
            throws Exception {
        if (!changed.isEmpty()) {
            settings.putAll(changed);
            config = ArchiverProcess.writeConfig(dir.resolve("archiver-restarted.yaml"), settings);
        }
        Instant restarted = Instant.now();
        start("second");
        await(RECORDS + " records archived", () -> audit().archived() >= RECORDS);
        await("a digest of every chain's head by the new process", () -> {
            List<Digest> digests = audit().digests();
            Digest latest = digests.isEmpty() ? null : digests.get(digests.size() - 1);
            return latest != null && Instant.parse(latest.createdAt()).isAfter(restarted) && latest.heads().stream()
                    .filter(h -> h.topic().equals(topic)).mapToLong(h -> h.lastOffset() + 1).sum() == RECORDS;
        });

        ArchiveAudit audit = audit();
        Map<Integer, List<ManifestEntry>> chains = audit.chains();
        chains.forEach((part, chain) -> {
            var report = audit.verify(chain);
            assertThat(report.problems()).as("partition %d verifies", part).isEmpty();
            assertThat(report.firstOffset()).as("partition %d from its first record", part).isZero();
            assertThat(report.lastOffset()).as("partition %d to its last", part).isEqualTo(RECORDS / PARTITIONS - 1);
        });
        assertThat(audit.leftovers(chains)).as("nothing left behind for verify to explain").isEmpty();
        assertThat(audit.verifyDigests(audit.digests(), chains)).as("one digest chain, vouching for the chains' heads")
                .isEmpty();
        Map<String, Integer> times = audit.timesArchived(chains);
        assertThat(times).as("every record archived exactly once").hasSize(RECORDS)
                .allSatisfy((auditId, n) -> assertThat(n).as(auditId).isOne());
        List<String> twice = new ArrayList<>();
        Map<String, Integer> versions = new HashMap<>();
        s3.listObjectVersionsPaginator(b -> b.bucket(bucket)).versions()
                .forEach(v -> versions.merge(v.key(), 1, Integer::sum));
        versions.forEach((key, n) -> {
            if (n > 1) {
                twice.add(key);
            }
        });
        assertThat(twice).as("no key of the bucket (objects, entries, digests) written twice").isEmpty();
    }

    private ArchiverProcess start(String name) throws IOException {
        ArchiverProcess p = ArchiverProcess.start(config, dir.resolve(name + ".log"));
        processes.add(p);
        return p;
    }

    private ArchiveAudit audit() {
        return new ArchiveAudit(s3, bucket, topic, PARTITIONS, dir.resolve("signing.pub.pem"));
    }

    /** One record at a time, each acknowledged before the next: all of them in the topic, in order, none twice. */
    private void produce(LocalStack stack) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
                "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                String auditId = id + "-" + i;
                String doc = "{\"schemaVersion\":1,\"cluster\":\"crash\",\"auditID\":\"" + auditId + "\","
                        + "\"stage\":\"ResponseComplete\",\"level\":\"Metadata\",\"timestamp\":\"" + Instant.now() + "\","
                        + "\"verb\":\"get\",\"actor\":\"n" + i + "\",\"event\":{\"auditID\":\"" + auditId + "\"}}";
                p.send(new ProducerRecord<>(topic, i % PARTITIONS, auditId.getBytes(StandardCharsets.UTF_8),
                        doc.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private List<ObjectVersion> versions(String key) {
        return s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).versions().stream()
                .filter(v -> v.key().equals(key)).toList();
    }

    private int partitionOf(String objectKey) {
        return layout.parseObject(objectKey).orElseThrow().partition();
    }

    /** What the group committed for a partition of the topic: its offset and metadata, as kafka-consumer-groups shows. */
    private OffsetAndMetadata committed(String groupId, int partition) throws Exception {
        return committed(groupId, new TopicPartition(topic, partition));
    }

    private OffsetAndMetadata committed(String groupId, TopicPartition tp) throws Exception {
        OffsetAndMetadata c = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).get(tp);
        assertThat(c).as("%s committed for %s", groupId, tp).isNotNull();
        return c;
    }

    /** The digest the digest group committed last (gzip, base64, after {@code archive-digest-gz:}). */
    private Digest committedDigest() throws Exception {
        String metadata = committed(group + "-digests", new TopicPartition(topic + ".archive", 0)).metadata();
        assertThat(metadata).startsWith("archive-digest-gz:");
        byte[] gz = Base64.getDecoder().decode(metadata.substring("archive-digest-gz:".length()));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return ManifestCodec.readDigest(in.readAllBytes());
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        System.out.println(Instant.now() + " crash IT: waiting for " + what);
        assertThat(Waits.until(PATIENCE, Duration.ofMillis(500), condition)).as("%s within %s", what, PATIENCE).isTrue();
    }
}
