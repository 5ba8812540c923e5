package io.auditkeeper.streams.config;

import io.auditkeeper.config.ConfigDocs;
import io.auditkeeper.kafka.TopicCheck;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamProcessorConfigTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadPhiNamespacesFromTheFileAndLetTheEnvironmentOverrideThem() throws Exception {
        Path file = Files.writeString(dir.resolve("sp.yaml"), "kafka.bootstrap-servers: k:9092\nphi:\n  namespaces: [phi-*, patients]\n");

        assertThat(StreamProcessorConfig.load(file, Map.of()).phiNamespaces()).containsExactly("phi-*", "patients");
        assertThat(StreamProcessorConfig.load(file, Map.of("AUDITKEEPER_STREAMS_PHI_NAMESPACES", "ehr,lab-*")).phiNamespaces())
                .containsExactly("ehr", "lab-*");
    }

    @Test
    void shouldApplyTheDocumentedDefaults() {
        StreamProcessorConfig c = StreamProcessorConfig.of(Map.of("kafka.bootstrap-servers", "k:9092"));

        assertThat(c.dedupeWindow()).isEqualTo(Duration.ofHours(1));
        assertThat(c.rawTopic()).isEqualTo("audit.raw");
        assertThat(c.eventsTopic()).isEqualTo("audit.events");
        assertThat(c.redactPhiNamespaceResources()).containsExactly("configmaps");
        assertThat(c.alertSettings().enumerationThreshold()).isEqualTo(10);
    }

    @Test
    void shouldNameTheKeyOfABadValue() {
        assertThatThrownBy(() -> StreamProcessorConfig.of(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.bootstrap-servers");
        assertThatThrownBy(() -> StreamProcessorConfig.of(Map.of("kafka.bootstrap-servers", "k", "dedupe.window-ms", "10")))
                .hasMessageContaining("dedupe.window-ms");
        assertThatThrownBy(() -> StreamProcessorConfig.of(Map.of("kafka.bootstrap-servers", "k", "rules.file", "/no/such.yaml")))
                .hasMessageContaining("rules.file");
        assertThatThrownBy(() -> StreamProcessorConfig.of(Map.of("kafka.bootstrap-servers", "k", "streams.threads", "0")))
                .hasMessageContaining("streams.threads");
    }

    @Test
    void shouldDocumentEveryKeyInTheConfigurationReference() throws Exception {
        String table = ConfigDocs.markdownTable(StreamProcessorConfig.DEFINITION, StreamProcessorConfig.LOADER);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "stream-processor-config-table.md"), table);

        assertThat(Files.readString(Path.of("..", "docs", "stream-processor.md")))
                .as("docs/stream-processor.md must hold the table in stream-processor/target/stream-processor-config-table.md")
                .contains(table);
    }

    @Test
    void shouldWantTheRawTopicsRetentionAndEachOutputToTakeWhatTheRawTopicTakesWhenCheckingTopics() {
        StreamProcessorConfig c = StreamProcessorConfig.of(Map.of("kafka.bootstrap-servers", "k:9092",
                "topics.outputs.replication-factor", "3", "topics.min-insync-replicas", "2"));

        assertThat(c.wantedTopics(1000)).containsExactly(
                new TopicCheck.Wanted("audit.raw", 0, 2, 2, 86_400_000L),
                new TopicCheck.Wanted("audit.events", 1000, 3, 2, 86_400_000L),
                new TopicCheck.Wanted("audit.phi-access", 1000, 3, 2, 86_400_000L),
                new TopicCheck.Wanted("audit.alerts", 1000, 3, 2, 86_400_000L),
                new TopicCheck.Wanted("audit.dlq", 1000, 3, 2, 86_400_000L));
    }

    @Test
    void shouldRefuseOutputReplicationBelowMinInsyncWhenBothAreSet() {
        assertThatThrownBy(() -> StreamProcessorConfig.of(Map.of("kafka.bootstrap-servers", "k:9092",
                "topics.outputs.replication-factor", "1", "topics.min-insync-replicas", "2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("topics.outputs.replication-factor");
    }
}
