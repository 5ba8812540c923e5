package io.auditkeeper.source.aks;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.TopicSnapshot;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.localstack.Waits;
import io.auditkeeper.model.AuditHeaders;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static io.auditkeeper.source.aks.AzureMessages.message;
import static io.auditkeeper.source.aks.AzureMessages.record;
import static io.auditkeeper.source.aks.AzureMessages.secretRead;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guarantee the source claims with Event Hubs (at-least-once into {@code audit.raw}, exactly once after the
 * stream-processor's dedupe), across a real crash: the shipped jar runs as a separate OS process and is killed with
 * SIGKILL while it works through a backlog of the hub, then started again.
 *
 * <p><b>That the kill fell between produce and commit</b> is shown after the fact, not hoped for: once the process is
 * dead its group's committed offset on the hub is final, and {@code audit.raw} already holds Events of messages at or
 * past that offset, which the next run must read and write again. If a kill happens to land between batches, the run
 * is started and killed again (at most five times). The test then asserts what each half of the claim needs:
 * <ul>
 *   <li>none lost: every (auditID, stage) sent is in {@code audit.raw};</li>
 *   <li>the repeats are the ones the crash explains (Events of the messages past the committed offset), and each copy
 *       is identical to the first, value and headers: the same (cluster, auditID, stage) key and the same content hash
 *       for the stream-processor, which drops such a repeat (docs/stream-processor.md, dedupe), so
 *       {@code audit.events} holds each once.</li>
 * </ul>
 * What it cannot show: the stream-processor is not run here (this module depends on no other service); the demo
 * module's AksRedeliveryDedupeIT runs the source into the real stream-processor with every Event delivered twice. One partition, one broker; a kill during the commit
 * request itself is the same case as before it (the commit did not happen or did).
 */
@ExtendWith(LocalStackExtension.class)
class AtLeastOnceUnderKillIT {
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
    void shouldLoseNoEventAndRepeatOnlyIdenticalCopiesWhenTheSourceIsKilledBetweenProduceAndCommit(LocalStack stack)
            throws Exception {
        assertThat(JAR).as("the runnable jar (built by package, before failsafe)").exists();
        String bootstrap = stack.kafkaBootstrap();
        String run = "aks-kill-" + System.nanoTime();
        String hub = run + "-hub";
        String raw = run + "-raw";
        Path dir = Files.createDirectories(Path.of("target", run).toAbsolutePath());
        TopicPartition hub0 = new TopicPartition(hub, 0);

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(hub, 1, (short) 1), new NewTopic(raw, 3, (short) 1),
                    new NewTopic(run + "-dlq", 1, (short) 1));
            Set<String> sent = produceBacklog(bootstrap, hub, run);
            Path config = writeConfig(dir, bootstrap, hub, raw, run);

            long committedAtKill = -1;
            long firstCommittedAtKill = Long.MAX_VALUE;
            long writtenPastCommit = 0;
            int attempt = 0;
            while (writtenPastCommit == 0 && attempt < KILL_ATTEMPTS) {
                attempt++;
                long before = rawCount(admin, raw);
                Process p = start(config, dir.resolve("run-" + attempt + ".log"));
                waitFor(Duration.ofSeconds(90), "the source to write 3,000 Events of the backlog",
                        () -> !p.isAlive() || rawCount(admin, raw) >= before + 3_000);
                assertThat(p.isAlive()).as("source running (see run-%d.log)", attempt).isTrue();
                p.destroyForcibly();
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("source gone").isTrue();
                assertThat(p.exitValue()).as("exit status of SIGKILL").isEqualTo(128 + 9);
                committedAtKill = committed(admin, run, hub0);
                firstCommittedAtKill = Math.min(firstCommittedAtKill, committedAtKill);
                long c = committedAtKill;
                writtenPastCommit = TopicSnapshot.read(bootstrap, raw).stream().filter(r -> messageIndex(r) >= c).count();
                System.out.printf("AtLeastOnceUnderKillIT: kill %d: hub offset committed %d of %d, Events of later messages already in raw: %d%n",
                        attempt, committedAtKill, MESSAGES, writtenPastCommit);
            }
            assertThat(writtenPastCommit).as("a kill between produce and commit in %d attempts", attempt).isPositive();

            Process last = start(config, dir.resolve("final.log"));
            waitFor(Duration.ofSeconds(120), "the restarted source to commit the whole backlog",
                    () -> !last.isAlive() || committed(admin, run, hub0) == MESSAGES);
            assertThat(last.isAlive()).as("restarted source running (see final.log)").isTrue();
            last.destroy();
            assertThat(last.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();

            List<ConsumerRecord<byte[], byte[]>> events = TopicSnapshot.read(bootstrap, raw);
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byKey = events.stream().collect(
                    Collectors.groupingBy(AtLeastOnceUnderKillIT::dedupeKey, LinkedHashMap::new, Collectors.toList()));
            long repeats = events.size() - byKey.size();
            System.out.printf("AtLeastOnceUnderKillIT: sent %d Events in %d messages; raw %d records, %d distinct, %d repeats; logs in %s%n",
                    sent.size(), MESSAGES, events.size(), byKey.size(), repeats, dir);

            assertThat(byKey.keySet().stream().map(k -> k.substring(k.indexOf('/') + 1)).collect(Collectors.toSet()))
                    .as("every Event sent, none lost").isEqualTo(sent);
            assertThat(repeats).as("the crash's repeats").isPositive();
            assertThat(byKey.values()).as("each repeat identical to its first copy, value and headers")
                    .allSatisfy(copies -> assertThat(copies).allSatisfy(c -> {
                        assertThat(c.value()).isEqualTo(copies.get(0).value());
                        assertThat(headers(c)).isEqualTo(headers(copies.get(0)));
                        assertThat(c.partition()).isEqualTo(copies.get(0).partition());
                    }));
            long since = firstCommittedAtKill;
            assertThat(byKey.values().stream().filter(copies -> copies.size() > 1).map(copies -> messageIndex(copies.get(0))))
                    .as("repeats only of messages not committed when a run was killed").allMatch(i -> i >= since);
        }
    }

    /** Every message i holds two records of one request, both stages; returns the (auditID/stage) pairs sent. */
    private static Set<String> produceBacklog(String bootstrap, String hub, String run) throws Exception {
        Set<String> sent = new java.util.HashSet<>();
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

    private static long rawCount(Admin admin, String raw) {
        try {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < 3; i++) {
                latest.put(new TopicPartition(raw, i), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        } catch (Exception e) {
            return -1;
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

    /** The hub message an Event came from: auditIDs are {@code <run>-<message index>}. */
    private static long messageIndex(ConsumerRecord<byte[], byte[]> r) {
        String id = new String(r.key(), StandardCharsets.UTF_8);
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    /** The stream-processor's dedupe key: (cluster, auditID, stage). */
    private static String dedupeKey(ConsumerRecord<byte[], byte[]> r) {
        String value = new String(r.value(), StandardCharsets.UTF_8);
        String stage = value.contains("\"stage\":\"RequestReceived\"") ? "RequestReceived" : "ResponseComplete";
        return AuditHeaders.get(r.headers(), AuditHeaders.CLUSTER).orElseThrow() + "/"
                + new String(r.key(), StandardCharsets.UTF_8) + "/" + stage;
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
        return Arrays.stream(r.headers().toArray()).collect(Collectors.toMap(Header::key,
                h -> new String(h.value(), StandardCharsets.UTF_8)));
    }

    private static void waitFor(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        if (!Waits.until(timeout, Duration.ofMillis(50), condition)) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
        }
    }
}
