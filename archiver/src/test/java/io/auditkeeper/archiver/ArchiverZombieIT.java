package io.auditkeeper.archiver;

import io.auditkeeper.archiver.archive.S3ManifestStore;
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
import io.auditkeeper.localstack.Waits;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two archiver processes (the real jar, {@code java -jar target/auditkeeper-archiver.jar}) on the same topic, bucket,
 * signing key and consumer group, under steady traffic. Each in turn is frozen with SIGSTOP past its group session
 * (the other takes its partitions), thawed with SIGCONT (it wakes in the middle of whatever write it was doing, as a
 * process after a long GC pause or a network partition does), and rejoins. Then every chain must still be one line:
 * verifying, every record archived exactly once, nothing the zombie wrote late taken into a chain; and the digests,
 * written every second by whichever archiver holds the digest partition, one chain that never forks. Last, SIGTERM
 * runs each process's shutdown hook, which closes it gracefully.
 */
@ExtendWith(LocalStackExtension.class)
class ArchiverZombieIT {
    private static final int PARTITIONS = 2;
    private static final Duration SESSION = Duration.ofSeconds(6);
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String topic = "zombie-" + id;
    private final String bucket = "zombie-" + id;
    private final String group = "archive-zombie-" + id;
    private final List<Process> processes = new ArrayList<>();

    /** The processes' configs, key and logs, kept after the run for whoever reads a failure. */
    private final Path dir = Path.of("target", "zombie-" + id).toAbsolutePath();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldKeepEveryChainLinearWhenAnArchiverIsFrozenPastItsSessionAndThawed(LocalStack stack) throws Exception {
        Files.createDirectories(dir);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic, PARTITIONS, (short) 1),
                    new NewTopic(topic + ".dlq", 1, (short) 1));
            ManifestSigner.generate(dir.resolve("signing.pem"), dir.resolve("signing.pub.pem"));
            Process a = start(stack, "a");
            awaitMembers(admin, 1);
            Process b = start(stack, "b");
            awaitMembers(admin, 2);

            AtomicBoolean producing = new AtomicBoolean(true);
            List<String> sent = new ArrayList<>();
            CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> produce(stack, producing, sent));
            awaitArchived(stack, 400);

            for (Process zombie : List.of(b, a)) {
                signal(zombie, "STOP");
                awaitMembers(admin, 1);
                awaitArchivedMore(stack, 200);
                signal(zombie, "CONT");
                awaitMembers(admin, 2);
                awaitArchivedMore(stack, 200);
            }

            producing.set(false);
            traffic.get(60, TimeUnit.SECONDS);
            List<String> expected;
            synchronized (sent) {
                expected = List.copyOf(sent);
            }
            await("every record sent archived (" + expected.size() + ")", () -> archived(stack) >= expected.size());

            assertArchivedExactlyOnceInLinearChains(stack, expected);

            for (Map.Entry<String, Process> p : Map.of("a", a, "b", b).entrySet()) {
                signal(p.getValue(), "TERM");
                assertThat(p.getValue().waitFor(60, TimeUnit.SECONDS)).as("%s stops on SIGTERM", p.getKey()).isTrue();
                assertThat(p.getValue().exitValue()).as("%s's exit after its shutdown hook", p.getKey()).isEqualTo(143);
                assertThat(Files.readString(dir.resolve(p.getKey() + ".log"))).as("%s closed gracefully", p.getKey())
                        .contains("\"archiver stopped\"");
            }
        }
    }

    private Process start(LocalStack stack, String name) throws IOException {
        Path config = dir.resolve(name + ".yaml");
        Map<String, String> s = new HashMap<>();
        s.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        s.put("kafka.client.session.timeout.ms", Long.toString(SESSION.toMillis()));
        s.put("kafka.client.heartbeat.interval.ms", "1000");
        s.put("topics.events.name", topic);
        s.put("topics.dlq.name", topic + ".dlq");
        s.put("topics.archive.name", topic + ".archive");
        s.put("archive.group-id", group);
        s.put("dead-letters.archive", "false");
        s.put("s3.bucket", bucket);
        s.put("s3.endpoint", stack.s3().endpoint().toString());
        s.put("s3.region", stack.s3().region());
        s.put("s3.path-style", "true");
        s.put("s3.access-key", stack.s3().accessKey());
        s.put("s3.secret-key", stack.s3().secretKey());
        s.put("batch.max-events", "40");
        s.put("batch.max-age-ms", "200");
        s.put("manifest.signing-key-file", dir.resolve("signing.pem").toString());
        s.put("digest.interval-ms", "1000");
        s.put("admin.enabled", "false");
        StringBuilder yaml = new StringBuilder();
        s.forEach((k, v) -> yaml.append(k).append(": \"").append(v).append("\"\n"));
        Files.writeString(config, yaml);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-jar", Path.of("target", "auditkeeper-archiver.jar").toAbsolutePath().toString(),
                "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    private void produce(LocalStack stack, AtomicBoolean producing, List<String> sent) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
                "acks", "all", "linger.ms", "5"), new ByteArraySerializer(), new ByteArraySerializer())) {
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            for (int i = 0; producing.get() && System.nanoTime() < deadline; i++) {
                String auditId = id + "-" + i;
                String doc = "{\"schemaVersion\":1,\"cluster\":\"zombie\",\"auditID\":\"" + auditId + "\","
                        + "\"stage\":\"ResponseComplete\",\"level\":\"Metadata\",\"timestamp\":\"" + Instant.now() + "\","
                        + "\"verb\":\"get\",\"actor\":\"n" + i + "\",\"event\":{\"auditID\":\"" + auditId + "\"}}";
                p.send(new ProducerRecord<>(topic, i % PARTITIONS, auditId.getBytes(StandardCharsets.UTF_8),
                        doc.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
                synchronized (sent) {
                    sent.add(auditId);
                }
                if (i % 20 == 19) {
                    Thread.sleep(100); // apiserver-like: a steady 200 events/s in batches, not a flood
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("traffic stopped", e);
        }
    }

    private static void signal(Process p, String signal) throws Exception {
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " " + p.pid()).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %d", signal, p.pid()).isZero();
    }

    private void awaitMembers(Admin admin, int members) throws InterruptedException {
        await(group + " stable with " + members + " member(s)", () -> {
            try {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS)
                        .get(group);
                return d.groupState() == GroupState.STABLE && d.members().size() == members
                        && d.members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum() == PARTITIONS;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        System.out.println(Instant.now() + " zombie IT: waiting for " + what);
        assertThat(Waits.until(PATIENCE, Duration.ofMillis(500), condition)).as("%s within %s", what, PATIENCE).isTrue();
    }

    private void awaitArchived(LocalStack stack, long records) throws InterruptedException {
        await(records + " records archived", () -> archived(stack) >= records);
    }

    private void awaitArchivedMore(LocalStack stack, long more) throws InterruptedException {
        long target = archived(stack) + more;
        awaitArchived(stack, target);
    }

    /**
     * Records in the partitions' chains as S3 holds them now, from each chain's head: the topic is written without
     * transactions, so a partition's offsets are its records, from 0.
     */
    private long archived(LocalStack stack) {
        S3ManifestStore manifests = new S3ManifestStore(stack.s3().client(), bucket, "", null);
        long n = 0;
        try {
            for (int part = 0; part < PARTITIONS; part++) {
                n += manifests.last(topic, part).map(e -> e.lastOffset() + 1).orElse(0L);
            }
        } catch (RuntimeException e) {
            return 0; // the bucket is not there yet
        }
        return n;
    }

    private void assertArchivedExactlyOnceInLinearChains(LocalStack stack, List<String> expected) throws Exception {
        S3Client s3 = stack.s3().client();
        S3ManifestStore manifests = new S3ManifestStore(s3, bucket, "",
                new ObjectLockArchiveWriter(s3, bucket, 6, ObjectLockArchiveWriter.Encryption.none()));
        ManifestVerifier verifier = ManifestVerifier.fromPublicKeyPemFile(dir.resolve("signing.pub.pem"));
        Map<String, Integer> times = new HashMap<>();
        Map<String, List<ManifestEntry>> chains = new HashMap<>();
        for (int part = 0; part < PARTITIONS; part++) {
            List<ManifestEntry> chain = manifests.all(topic, part);
            chains.put(topic + "-" + part, chain);
            VerificationReport report = verifier.verifyPartition(chain, new S3ObjectStore(s3, bucket), Instant.now(),
                    Duration.ofDays(6 * 365 + 1));
            assertThat(report.problems()).as("partition %d: every entry follows the one before, no overlap, no gap", part)
                    .isEmpty();
            for (ManifestEntry e : chain) {
                byte[] gz = s3.getObjectAsBytes(r -> r.bucket(bucket).key(e.key()).versionId(e.versionId())).asByteArray();
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                    Matcher m = Pattern.compile("\"auditID\":\"([^\"]+)\"\\s*,\\s*\"stage\"")
                            .matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    while (m.find()) {
                        times.merge(m.group(1), 1, Integer::sum);
                    }
                }
            }
        }
        List<Digest> digests = new DigestReader(s3, bucket, new ArchiveLayout("")).all();
        assertThat(digests).as("digests written while both archivers ran").hasSizeGreaterThan(3);
        assertThat(verifier.verifyDigests(digests, chains)).as("one digest chain, each vouching for heads the chains have")
                .isEmpty();
        assertThat(times.keySet()).as("every record sent is archived").containsAll(expected);
        assertThat(times).as("no record is archived twice").allSatisfy((auditId, n) -> assertThat(n).as(auditId).isOne());
    }
}
