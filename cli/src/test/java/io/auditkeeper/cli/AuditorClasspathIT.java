package io.auditkeeper.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auditors' tool as it is shipped ({@code cli/target/auditkeeper-cli.jar} and the {@code lib/} its manifest
 * names): an auditor verifying six years of evidence runs no broker, OpenSearch server, local stack or Audit Keeper
 * service, and needs none of their jars to trust the result.
 */
class AuditorClasspathIT {
    private static final Path JAR = Path.of("target", "auditkeeper-cli.jar");
    private static final List<String> FORBIDDEN = List.of(
            "kafka_2.13-", "kafka-server-", "kafka-metadata-", "kafka-raft-", "kafka-storage-", "kafka-streams-",
            "kafka-group-coordinator-", "rocksdbjni-",
            "opensearch-2.", "opensearch-core-", "lucene-", "transport-netty4-client-",
            "auditkeeper-local-stack-", "auditkeeper-ingest-", "auditkeeper-stream-processor-", "auditkeeper-archiver-",
            "auditkeeper-demo-", "jetty-server-", "scala-library-");

    @Test
    void shouldShipNoBrokerSearchServerLocalStackOrServiceJar() throws IOException {
        List<String> classPath = classPath();

        assertThat(classPath).as("the jar's Class-Path").isNotEmpty()
                .allSatisfy(entry -> assertThat(FORBIDDEN).noneSatisfy(f -> assertThat(entry).startsWith("lib/" + f)))
                .anySatisfy(entry -> assertThat(entry).startsWith("lib/auditkeeper-evidence-"))
                .anySatisfy(entry -> assertThat(entry).startsWith("lib/auditkeeper-model-"))
                .anySatisfy(entry -> assertThat(entry).startsWith("lib/kafka-clients-"))
                .anySatisfy(entry -> assertThat(entry).startsWith("lib/s3-"))
                .anySatisfy(entry -> assertThat(entry).startsWith("lib/opensearch-java-"));
        assertThat(classPath).allSatisfy(entry -> assertThat(Path.of("target").resolve(entry)).as(entry).exists());
    }

    @Test
    void shouldRunEveryAuditorsCommandFromThatClasspathAlone() throws Exception {
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "--help").redirectErrorStream(true).start();
        String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(out).isZero();
        assertThat(out).contains("verify", "replay", "report").doesNotContain("demo", "bench");
    }

    private static List<String> classPath() throws IOException {
        assertThat(Files.exists(JAR)).as(JAR + " (built by mvn package)").isTrue();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            String value = jar.getManifest().getMainAttributes().getValue("Class-Path");
            return value == null ? List.of() : Arrays.stream(value.trim().split("\\s+")).toList();
        }
    }
}
