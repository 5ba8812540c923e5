package io.auditkeeper.archiver;

import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
    private final List<ArchiverProcess> processes = new ArrayList<>();
    private S3Client s3;
    private ArchiveAudit audit;

    /** The processes' configs, key and logs, kept after the run for whoever reads a failure. */
    private final Path dir = Path.of("target", "zombie-" + id).toAbsolutePath();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (ArchiverProcess p : processes) {
            p.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void shouldKeepEveryChainLinearWhenAnArchiverIsFrozenPastItsSessionAndThawed(LocalStack stack) throws Exception {
        Files.createDirectories(dir);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic, PARTITIONS, (short) 1),
                    new NewTopic(topic + ".dlq", 1, (short) 1));
            ManifestSigner.generate(dir.resolve("signing.pem"), dir.resolve("signing.pub.pem"));
            ArchiverProcess a = start(stack, "a");
            awaitMembers(admin, 1);
            ArchiverProcess b = start(stack, "b");
            awaitMembers(admin, 2);

            AtomicBoolean producing = new AtomicBoolean(true);
            List<String> sent = new ArrayList<>();
            CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> produce(stack, producing, sent));
            awaitArchived(stack, 400);

            for (ArchiverProcess zombie : List.of(b, a)) {
                zombie.signal("STOP");
                awaitMembers(admin, 1);
                awaitArchivedMore(stack, 200);
                zombie.signal("CONT");
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

            for (Map.Entry<String, ArchiverProcess> p : Map.of("a", a, "b", b).entrySet()) {
                p.getValue().signal("TERM");
                assertThat(p.getValue().process().waitFor(60, TimeUnit.SECONDS)).as("%s stops on SIGTERM", p.getKey())
                        .isTrue();
                assertThat(p.getValue().process().exitValue()).as("%s's exit after its shutdown hook", p.getKey())
                        .isEqualTo(143);
                assertThat(Files.readString(dir.resolve(p.getKey() + ".log"))).as("%s closed gracefully", p.getKey())
                        .contains("\"archiver stopped\"");
            }
        }
    }

    private ArchiverProcess start(LocalStack stack, String name) throws IOException {
        Map<String, String> s = ArchiverProcess.settings(stack, topic, bucket, group, dir.resolve("signing.pem"), SESSION);
        ArchiverProcess p = ArchiverProcess.start(ArchiverProcess.writeConfig(dir.resolve(name + ".yaml"), s),
                dir.resolve(name + ".log"));
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

    private long archived(LocalStack stack) {
        return audit(stack).archived();
    }

    private ArchiveAudit audit(LocalStack stack) {
        if (audit == null) {
            s3 = stack.s3().client();
            audit = new ArchiveAudit(s3, bucket, topic, PARTITIONS, dir.resolve("signing.pub.pem"));
        }
        return audit;
    }

    private void assertArchivedExactlyOnceInLinearChains(LocalStack stack, List<String> expected) {
        ArchiveAudit audit = audit(stack);
        Map<Integer, List<ManifestEntry>> chains = audit.chains();
        chains.forEach((part, chain) -> assertThat(audit.verify(chain).problems())
                .as("partition %d: every entry follows the one before, no overlap, no gap", part).isEmpty());
        Map<String, Integer> times = audit.timesArchived(chains);
        List<Digest> digests = audit.digests();
        assertThat(digests).as("digests written while both archivers ran").hasSizeGreaterThan(3);
        assertThat(audit.verifyDigests(digests, chains)).as("one digest chain, each vouching for heads the chains have")
                .isEmpty();
        assertThat(times.keySet()).as("every record sent is archived").containsAll(expected);
        assertThat(times).as("no record is archived twice").allSatisfy((auditId, n) -> assertThat(n).as(auditId).isOne());
    }
}
