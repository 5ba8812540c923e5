package io.auditkeeper.source.aks;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.TopicSnapshot;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.localstack.Waits;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.auditkeeper.source.aks.AzureMessages.message;
import static io.auditkeeper.source.aks.AzureMessages.record;
import static io.auditkeeper.source.aks.AzureMessages.secretRead;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code delivery.mode: exactly-once}, for a hub that is a topic of the output cluster, across a real crash: the
 * shipped jar, a separate process, is killed with SIGKILL while one of its transactions holds Events on
 * {@code audit.raw} (timed by the transaction coordinator's own view, {@code Admin.describeTransactions}), then
 * started again. That transaction ends aborted, a {@code read_uncommitted} reader sees its Events, and a
 * {@code read_committed} reader of {@code audit.raw} finds every Event exactly once: the batch was read again from the
 * offsets the last committed transaction carried. Not for Event Hubs, where the offsets live on another cluster
 * (docs/managed-clusters.md, The guarantee).
 */
@ExtendWith(LocalStackExtension.class)
class ExactlyOnceSameClusterUnderKillIT {
    private static final Path JAR = Path.of("target", "auditkeeper-source-aks.jar");
    private static final int MESSAGES = 12_000;
    private static final int KILL_ATTEMPTS = 5;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldWriteEachEventOnceWhenTheSourceIsKilledInTheMiddleOfATransaction(LocalStack stack) throws Exception {
        assertThat(JAR).as("the runnable jar (built by package, before failsafe)").exists();
        String bootstrap = stack.kafkaBootstrap();
        String run = "aks-eos-" + System.nanoTime();
        String hub = run + "-hub";
        String raw = run + "-raw";
        Path dir = Files.createDirectories(Path.of("target", run).toAbsolutePath());
        TopicPartition hub0 = new TopicPartition(hub, 0);

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(hub, 1, (short) 1), new NewTopic(raw, 3, (short) 1),
                    new NewTopic(run + "-dlq", 1, (short) 1));
            Set<String> sent = produceBacklog(bootstrap, hub, run);
            Path config = writeConfig(dir, bootstrap, hub, raw, run);

            String victim = null;
            int attempt = 0;
            while (victim == null && attempt < KILL_ATTEMPTS) {
                attempt++;
                Process p = start(config, dir.resolve("run-" + attempt + ".log"));
                long before = committed(admin, run, hub0);
                waitFor(Duration.ofSeconds(90), "the source to commit 2,000 more messages",
                        () -> !p.isAlive() || committed(admin, run, hub0) >= before + 2_000);
                AtomicReference<String> open = new AtomicReference<>();
                waitFor(Duration.ofSeconds(90), "an open transaction of the source holding Events",
                        () -> !p.isAlive() || ongoingWithOutput(admin, run, raw).map(t -> {
                            open.set(t);
                            return true;
                        }).orElse(false));
                assertThat(p.isAlive()).as("source running (see run-%d.log)", attempt).isTrue();
                p.destroyForcibly();
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("source gone").isTrue();
                assertThat(p.exitValue()).as("exit status of SIGKILL").isEqualTo(128 + 9);
                String txn = open.get();
                waitFor(Duration.ofSeconds(60), "the coordinator to end the killed source's transaction",
                        () -> state(admin, txn) != TransactionState.ONGOING && state(admin, txn) != TransactionState.PREPARE_ABORT);
                TransactionState end = state(admin, txn);
                System.out.printf("ExactlyOnceSameClusterUnderKillIT: kill %d: transaction %s ended %s; hub offset committed %d of %d%n",
                        attempt, txn, end, committed(admin, run, hub0), MESSAGES);
                if (end == TransactionState.COMPLETE_ABORT) {
                    victim = txn;
                }
            }
            assertThat(victim).as("a kill inside a transaction in %d attempts", attempt).isNotNull();

            Process last = start(config, dir.resolve("final.log"));
            waitFor(Duration.ofSeconds(120), "the restarted source to commit the whole backlog",
                    () -> !last.isAlive() || committed(admin, run, hub0) == MESSAGES);
            assertThat(last.isAlive()).as("restarted source running (see final.log)").isTrue();
            last.destroy();
            assertThat(last.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();

            List<String> committedOut = keys(TopicSnapshot.read(bootstrap, raw, "read_committed"));
            List<String> uncommittedOut = keys(TopicSnapshot.read(bootstrap, raw, "read_uncommitted"));
            Map<String, Long> counts = committedOut.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            System.out.printf("ExactlyOnceSameClusterUnderKillIT: sent %d Events; raw read_committed %d (%d distinct), read_uncommitted %d; logs in %s%n",
                    sent.size(), committedOut.size(), counts.size(), uncommittedOut.size(), dir);

            assertThat(committedOut).as("read_committed: every Event sent, each once").hasSize(sent.size());
            assertThat(new HashSet<>(committedOut)).isEqualTo(sent);
            assertThat(uncommittedOut.size()).as("the aborted transaction's Events, visible to read_uncommitted only")
                    .isGreaterThan(committedOut.size());
        }
    }

    private static Set<String> produceBacklog(String bootstrap, String hub, String run) throws Exception {
        Set<String> sent = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "linger.ms", 20, "batch.size", 512 * 1024, "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < MESSAGES; i++) {
                String id = run + "-" + i;
                p.send(new ProducerRecord<>(hub, 0, null, null, message(
                        record("AKS-CLINICAL-PROD", "kube-audit", secretRead(id, "RequestReceived")),
                        record("AKS-CLINICAL-PROD", "kube-audit", secretRead(id, "ResponseComplete")))));
                sent.add(id + "/RequestReceived");
                sent.add(id + "/ResponseComplete");
            }
            p.flush();
        }
        return sent;
    }

    private static Path writeConfig(Path dir, String bootstrap, String hub, String raw, String run) throws Exception {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("event-hubs.bootstrap-servers", bootstrap);
        s.put("event-hubs.topic", hub);
        s.put("event-hubs.security-protocol", "PLAINTEXT");
        s.put("event-hubs.consumer-group", run);
        s.put("event-hubs.consumer.max.poll.records", "500");
        s.put("event-hubs.consumer.session.timeout.ms", "6000");
        s.put("event-hubs.consumer.heartbeat.interval.ms", "1500");
        s.put("kafka.bootstrap-servers", bootstrap);
        s.put("delivery.mode", "exactly-once");
        s.put("topics.raw.name", raw);
        s.put("topics.dlq.name", run + "-dlq");
        s.put("poll.timeout-ms", "200");
        s.put("admin.enabled", "false");
        StringBuilder yaml = new StringBuilder();
        s.forEach((k, v) -> yaml.append(k).append(": \"").append(v).append("\"\n"));
        return Files.writeString(dir.resolve("source-aks.yaml"), yaml);
    }

    private Process start(Path config, Path log) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:+UseSerialGC", "-jar", JAR.toAbsolutePath().toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    /** A transaction of the source (its id names the group) that is open and holds a partition of the raw topic. */
    private static Optional<String> ongoingWithOutput(Admin admin, String group, String raw) {
        try {
            List<String> ids = admin.listTransactions().all().get().stream().map(TransactionListing::transactionalId)
                    .filter(id -> id.startsWith("auditkeeper-source-aks-" + group + "-")).toList();
            if (ids.isEmpty()) {
                return Optional.empty();
            }
            Map<String, TransactionDescription> d = admin.describeTransactions(ids).all().get();
            return d.entrySet().stream().filter(e -> e.getValue().state() == TransactionState.ONGOING)
                    .filter(e -> e.getValue().topicPartitions().stream().anyMatch(tp -> tp.topic().equals(raw)))
                    .map(Map.Entry::getKey).findFirst();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static TransactionState state(Admin admin, String transactionalId) {
        try {
            return admin.describeTransactions(List.of(transactionalId)).all().get().get(transactionalId).state();
        } catch (Exception e) {
            return TransactionState.UNKNOWN;
        }
    }

    private static long committed(Admin admin, String group, TopicPartition tp) {
        try {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(tp);
            return o == null ? 0 : o.offset();
        } catch (Exception e) {
            return -1;
        }
    }

    /** auditID/stage of each record. */
    private static List<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8) + "/"
                + (new String(r.value(), StandardCharsets.UTF_8).contains("\"stage\":\"RequestReceived\"")
                ? "RequestReceived" : "ResponseComplete")).toList();
    }

    private static void waitFor(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        if (!Waits.until(timeout, Duration.ofMillis(20), condition)) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
        }
    }
}
