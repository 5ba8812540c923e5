package io.auditkeeper.archiver;

import io.auditkeeper.localstack.LocalStack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One archiver process, the real jar ({@code java -jar target/auditkeeper-archiver.jar --config <yaml>}), for the
 * tests that do to it what the kernel or an operator does to a process (SIGSTOP, SIGKILL, SIGTERM) rather than
 * throw in a test's JVM: a killed process runs no finally block, flushes nothing, and leaves its group membership to
 * expire. Its config and log stay in the test's directory for whoever reads a failure.
 */
final class ArchiverProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ArchiverProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * The settings of an archiver of {@code topic} into {@code bucket} in the local stack: a short group session (a
     * dead or frozen member's partitions move in seconds), digests every second, small batches, no dead-letter
     * archive, no admin port. Mutable, for a test to change.
     */
    static Map<String, String> settings(LocalStack stack, String topic, String bucket, String group, Path signingKey,
                                        Duration session) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        s.put("kafka.client.session.timeout.ms", Long.toString(session.toMillis()));
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
        s.put("manifest.signing-key-file", signingKey.toString());
        s.put("digest.interval-ms", "1000");
        s.put("admin.enabled", "false");
        return s;
    }

    /** Writes {@code settings} as the YAML config file {@code file}. */
    static Path writeConfig(Path file, Map<String, String> settings) throws IOException {
        StringBuilder yaml = new StringBuilder();
        settings.forEach((k, v) -> yaml.append(k).append(": \"").append(v).append("\"\n"));
        Files.writeString(file, yaml);
        return file;
    }

    /** Starts the jar with {@code config}, its output (stdout and stderr) to {@code log}. */
    static ArchiverProcess start(Path config, Path log) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-jar", Path.of("target", "auditkeeper-archiver.jar").toAbsolutePath().toString(),
                "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ArchiverProcess(p, log);
    }

    Process process() {
        return process;
    }

    Path log() {
        return log;
    }

    /** Sends {@code signal} (STOP, CONT, TERM, KILL) with {@code kill}, as an operator or the kernel would. */
    void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " " + process.pid()).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %d", signal, process.pid()).isZero();
    }

    /** SIGKILL, and waits until the process is gone: nothing of it runs any more. */
    void kill() throws Exception {
        signal("KILL");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the archiver dies on SIGKILL").isTrue();
        assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
