package io.auditkeeper.source.aks;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.localstack.Waits;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.auditkeeper.source.aks.AzureMessages.message;
import static io.auditkeeper.source.aks.AzureMessages.record;
import static io.auditkeeper.source.aks.AzureMessages.secretRead;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped jar run as an operator runs it, a separate OS process per start, for the ITs that need a real process:
 * to see its exit status and output, or to SIGKILL it mid-work and start it again. It writes the YAML config, starts
 * and kills the processes, fills a hub with a backlog and reads the group's committed offset; each test keeps its own
 * assertions. Registered with {@code @RegisterExtension}, it kills whatever a test left running.
 */
final class SourceAksProcesses implements AfterEachCallback {
    static final Path JAR = Path.of("target", "auditkeeper-source-aks.jar");

    private final List<Process> processes = new ArrayList<>();

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** {@code java -jar auditkeeper-source-aks.jar --config config}, its output (and errors) to {@code log}. */
    Process start(Path config, Path log) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:+UseSerialGC", "-jar", JAR.toAbsolutePath().toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    /** Kills a running source with SIGKILL, as a crash would, and checks that it is gone by that signal. */
    static void sigkill(Process p) throws InterruptedException {
        p.destroyForcibly();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("source gone").isTrue();
        assertThat(p.exitValue()).as("exit status of SIGKILL").isEqualTo(128 + 9);
    }

    /**
     * Starts the source again and lets it commit the whole backlog of {@code messages} on the hub's partition, then
     * stops it with SIGTERM.
     */
    void finishBacklog(Path config, Path log, Backlog backlog, int messages, Duration poll)
            throws IOException, InterruptedException {
        Process last = start(config, log);
        waitFor(Duration.ofSeconds(120), poll, "the restarted source to commit the whole backlog",
                () -> !last.isAlive() || backlog.committed() == messages);
        assertThat(last.isAlive()).as("restarted source running (see %s)", log.getFileName()).isTrue();
        last.destroy();
        assertThat(last.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    }

    /** {@code settings} as the source's YAML config file in {@code dir}. */
    static Path writeConfig(Path dir, Map<String, String> settings) throws IOException {
        StringBuilder yaml = new StringBuilder();
        settings.forEach((k, v) -> yaml.append(k).append(": \"").append(v).append("\"\n"));
        return Files.writeString(dir.resolve("source-aks.yaml"), yaml);
    }

    /**
     * A run's own topics on the local broker, a hub (one partition) holding a backlog, {@code audit.raw} (three) and
     * {@code <run>-dlq}, its working folder under {@code target} for config and logs, and an admin client of the
     * broker, closed with it.
     */
    record Backlog(String bootstrap, String run, String hub, String raw, Path dir, TopicPartition hub0, Admin admin,
                   Set<String> sent) implements AutoCloseable {

        /** Creates the topics of a new run named {@code <prefix>-<nanos>} and fills its hub with {@code messages}. */
        static Backlog create(LocalStack stack, String prefix, int messages) throws Exception {
            String bootstrap = stack.kafkaBootstrap();
            String run = prefix + "-" + System.nanoTime();
            String hub = run + "-hub";
            String raw = run + "-raw";
            Path dir = Files.createDirectories(Path.of("target", run).toAbsolutePath());
            Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
            try {
                Topics.createAndAwaitLeaders(admin, new NewTopic(hub, 1, (short) 1), new NewTopic(raw, 3, (short) 1),
                        new NewTopic(run + "-dlq", 1, (short) 1));
                Set<String> sent = produceBacklog(bootstrap, hub, run, messages);
                return new Backlog(bootstrap, run, hub, raw, dir, new TopicPartition(hub, 0), admin, sent);
            } catch (Exception | Error e) {
                admin.close();
                throw e;
            }
        }

        /**
         * The settings of a source that reads the hub (group {@code run}, 500 records a poll, a quick session
         * timeout) and writes to {@code raw} and {@code <run>-dlq}, without its admin server.
         */
        Map<String, String> settings() {
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
            return s;
        }

        /** The group's committed offset on the hub's partition (see {@link SourceAksProcesses#committed}). */
        long committed() {
            return SourceAksProcesses.committed(admin, run, hub0);
        }

        @Override
        public void close() {
            admin.close();
        }
    }

    /**
     * Writes {@code messages} messages to partition 0 of the hub, message i holding two records of one request (auditID
     * {@code <run>-<i>}), both stages; returns the (auditID/stage) pairs sent.
     */
    private static Set<String> produceBacklog(String bootstrap, String hub, String run, int messages) {
        Set<String> sent = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "linger.ms", 20, "batch.size", 512 * 1024, "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < messages; i++) {
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

    /** The group's committed offset on {@code tp}: 0 before any commit, -1 if it could not be read. */
    static long committed(Admin admin, String group, TopicPartition tp) {
        try {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(tp);
            return o == null ? 0 : o.offset();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Polls {@code condition} every {@code poll} until it holds; fails naming {@code what} after {@code timeout}. */
    static void waitFor(Duration timeout, Duration poll, String what, BooleanSupplier condition)
            throws InterruptedException {
        if (!Waits.until(timeout, poll, condition)) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
        }
    }
}
