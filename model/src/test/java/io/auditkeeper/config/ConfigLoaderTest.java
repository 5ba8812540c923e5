package io.auditkeeper.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    static final String ENV_PREFIX = "AUDITKEEPER_TEST_";
    static final String PRODUCER_PREFIX = "kafka.producer.";

    @TempDir
    Path dir;

    /** A small service definition: a required string, an int with a default, a list, a boolean, an optional string. */
    static ConfigDef definition() {
        return new ConfigDef()
                .define("cluster.name", Type.STRING, Importance.HIGH, "The cluster this service serves.")
                .define("listen.port", Type.INT, 8443, Range.between(1, 65535), Importance.MEDIUM, "The HTTPS port.")
                .define("auth.allowed-subjects", Type.LIST, List.of(), Importance.MEDIUM, "Client subjects allowed.")
                .define("tls.enabled", Type.BOOLEAN, true, Importance.MEDIUM, "Whether to serve TLS.")
                .define("tls.cert-file", Type.STRING, null, Importance.LOW, "The PEM certificate chain.");
    }

    static ConfigLoader loader() {
        return new ConfigLoader(definition(), ENV_PREFIX, List.of(PRODUCER_PREFIX));
    }

    @Test
    void shouldKnowDefinedAndPassThroughKeysButNotATypoWhenAsked() {
        assertThat(loader().isKnown("listen.port")).isTrue();
        assertThat(loader().isKnown(PRODUCER_PREFIX + "linger.ms")).isTrue();
        assertThat(loader().isKnown("listen.prot")).isFalse();
        assertThat(loader().isKnown("kafka.consumer.fetch.max.bytes")).as("not a pass-through prefix here").isFalse();
    }

    @Test
    void shouldFlattenNestedMapsToDottedKeysWhenFileHasNestedYaml() throws IOException {
        Path file = yaml("""
                cluster:
                  name: prod-eu
                listen:
                  port: 9000
                tls:
                  enabled: false
                  cert-file: /etc/auditkeeper/tls.crt
                """);

        Map<String, Object> values = loader().load(file, Map.of());

        assertThat(values).containsOnly(
                Map.entry("cluster.name", "prod-eu"),
                Map.entry("listen.port", "9000"),
                Map.entry("tls.enabled", "false"),
                Map.entry("tls.cert-file", "/etc/auditkeeper/tls.crt"));
        Map<String, Object> parsed = definition().parse(values);
        assertThat(parsed).containsEntry("listen.port", 9000).containsEntry("tls.enabled", false);
    }

    @Test
    void shouldReadDottedKeyWhenFileWritesItFlat() throws IOException {
        Path file = yaml("""
                cluster.name: prod-eu
                tls:
                  cert-file: /x.crt
                """);

        assertThat(loader().load(file, Map.of()))
                .containsOnly(Map.entry("cluster.name", "prod-eu"), Map.entry("tls.cert-file", "/x.crt"));
    }

    @Test
    void shouldGiveListWhenYamlValueIsList() throws IOException {
        Path file = yaml("""
                cluster.name: c
                auth:
                  allowed-subjects: [kube-apiserver, "CN=other,O=example"]
                """);

        Map<String, Object> values = loader().load(file, Map.of());

        assertThat(values.get("auth.allowed-subjects")).isEqualTo(List.of("kube-apiserver", "CN=other,O=example"));
        assertThat(definition().parse(values).get("auth.allowed-subjects"))
                .isEqualTo(List.of("kube-apiserver", "CN=other,O=example"));
    }

    @Test
    void shouldGiveListWhenYamlValueIsBlockList() throws IOException {
        Path file = yaml("""
                auth:
                  allowed-subjects:
                    - a
                    - b
                """);

        assertThat(loader().load(file, Map.of())).containsEntry("auth.allowed-subjects", List.of("a", "b"));
    }

    @Test
    void shouldThrowConfigExceptionWhenListHoldsMaps() throws IOException {
        Path file = yaml("""
                auth:
                  allowed-subjects:
                    - name: a
                """);

        assertThatThrownBy(() -> loader().load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auth.allowed-subjects")
                .hasMessageContaining(file.toString());
    }

    @Test
    void shouldOverrideFileKeyWhenEnvVarSetsIt() throws IOException {
        Path file = yaml("""
                cluster.name: c
                listen:
                  port: 9000
                """);

        Map<String, Object> values = loader().load(file, Map.of("AUDITKEEPER_TEST_LISTEN_PORT", "9100"));

        assertThat(values).containsEntry("listen.port", "9100");
        assertThat(definition().parse(values)).containsEntry("listen.port", 9100);
    }

    @Test
    void shouldReadKeysFromEnvWhenThereIsNoFile() {
        Map<String, Object> values = loader().load(null, Map.of(
                "AUDITKEEPER_TEST_CLUSTER_NAME", "from-env",
                "AUDITKEEPER_TEST_TLS_CERT_FILE", "/env.crt",
                "AUDITKEEPER_TEST_AUTH_ALLOWED_SUBJECTS", "a,b"));

        assertThat(values).containsOnly(
                Map.entry("cluster.name", "from-env"),
                Map.entry("tls.cert-file", "/env.crt"),
                Map.entry("auth.allowed-subjects", "a,b"));
        assertThat(definition().parse(values).get("auth.allowed-subjects")).isEqualTo(List.of("a", "b"));
    }

    @Test
    void shouldIgnoreEnvVarsWhenTheyLackThePrefix() {
        Map<String, Object> values = loader().load(null, Map.of(
                "PATH", "/usr/bin",
                "LISTEN_PORT", "1",
                "AUDITKEEPER_OTHER_LISTEN_PORT", "2",
                "KAFKA_PRODUCER_ACKS", "0"));

        assertThat(values).isEmpty();
    }

    @Test
    void shouldPassKafkaPropertyThroughWhenEnvVarHasPassThroughPrefix() {
        Map<String, Object> values = loader().load(null, Map.of("AUDITKEEPER_TEST_KAFKA_PRODUCER_LINGER_MS", "5"));

        assertThat(values).containsOnly(Map.entry("kafka.producer.linger.ms", "5"));
        assertThat(ConfigLoader.withPrefix(values, PRODUCER_PREFIX)).containsOnly(Map.entry("linger.ms", "5"));
    }

    @Test
    void shouldPassKafkaPropertyThroughWhenFileHasItUnderPassThroughPrefix() throws IOException {
        Path file = yaml("""
                kafka:
                  producer:
                    linger.ms: 20
                    compression.type: zstd
                """);

        Map<String, Object> values = loader().load(file, Map.of());

        assertThat(values).containsOnly(
                Map.entry("kafka.producer.linger.ms", "20"),
                Map.entry("kafka.producer.compression.type", "zstd"));
    }

    @Test
    void shouldOverrideFilePassThroughPropertyWhenEnvVarSetsIt() throws IOException {
        Path file = yaml("""
                kafka:
                  producer:
                    linger.ms: 20
                """);

        Map<String, Object> values = loader().load(file, Map.of("AUDITKEEPER_TEST_KAFKA_PRODUCER_LINGER_MS", "5"));

        assertThat(values).containsOnly(Map.entry("kafka.producer.linger.ms", "5"));
    }

    @Test
    void shouldThrowConfigExceptionNamingKeyAndFileWhenFileHasUnknownKey() throws IOException {
        Path file = yaml("""
                cluster.name: c
                listen:
                  prot: 9000
                """);

        assertThatThrownBy(() -> loader().load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listen.prot")
                .hasMessageContaining(file.toString());
    }

    @Test
    void shouldThrowConfigExceptionWhenKeyIsOnlyThePassThroughPrefix() throws IOException {
        Path file = yaml("""
                kafka:
                  producer: fast
                """);

        assertThatThrownBy(() -> loader().load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.producer");
    }

    @Test
    void shouldThrowConfigExceptionNamingVariableWhenEnvVarWithPrefixNamesUnknownKey() {
        assertThatThrownBy(() -> loader().load(null, Map.of("AUDITKEEPER_TEST_LISTEN_PROT", "9100")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("AUDITKEEPER_TEST_LISTEN_PROT");
    }

    @Test
    void shouldThrowClearConfigExceptionWhenFileIsYamlList() throws IOException {
        Path file = yaml("""
                - cluster.name: c
                - listen.port: 9000
                """);

        assertThatThrownBy(() -> loader().load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("mapping");
    }

    @Test
    void shouldThrowClearConfigExceptionWhenFileIsYamlScalar() throws IOException {
        Path file = yaml("just a string\n");

        assertThatThrownBy(() -> loader().load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("mapping");
    }

    @Test
    void shouldThrowConfigExceptionNamingFileWhenFileIsMissing() {
        Path file = dir.resolve("does-not-exist.yaml");

        assertThatThrownBy(() -> loader().load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void shouldThrowConfigExceptionNamingFileWhenFileIsUnreadable() throws IOException {
        Path notAFile = Files.createDirectory(dir.resolve("config.yaml"));

        assertThatThrownBy(() -> loader().load(notAFile, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(notAFile.toString());
    }

    @Test
    void shouldThrowConfigExceptionNamingFileWhenFileIsNotYaml() throws IOException {
        Path file = yaml("cluster: [unclosed\n");

        assertThatThrownBy(() -> loader().load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void shouldNotEchoFileContentWhenYamlIsMalformed() throws IOException {
        Path file = yaml("""
                kafka:
                  producer:
                    sasl.jaas.config: "password=SECRET-VALUE-123
                """);

        assertThatThrownBy(() -> loader().load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET-VALUE-123"));
    }

    @Test
    void shouldGiveEmptyMapWhenFileIsEmpty() throws IOException {
        Path file = yaml("");

        assertThat(loader().load(file, Map.of())).isEmpty();
    }

    @Test
    void shouldNameEnvVarInUpperCaseWithUnderscoresWhenKeyHasDotsAndDashes() {
        ConfigLoader loader = loader();

        assertThat(loader.envName("tls.cert-file")).isEqualTo("AUDITKEEPER_TEST_TLS_CERT_FILE");
        assertThat(loader.envName("listen.port")).isEqualTo("AUDITKEEPER_TEST_LISTEN_PORT");
        assertThat(loader.envName("auth.allowed-subjects")).isEqualTo("AUDITKEEPER_TEST_AUTH_ALLOWED_SUBJECTS");
    }

    @Test
    void shouldStripPrefixWhenSelectingEntriesWithPrefix() {
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        values.put("kafka.producer.linger.ms", "5");
        values.put("kafka.producer.acks", "all");
        values.put("kafka.consumer.max.poll.records", "10");
        values.put("listen.port", "8443");

        assertThat(ConfigLoader.withPrefix(values, PRODUCER_PREFIX))
                .containsOnly(Map.entry("linger.ms", "5"), Map.entry("acks", "all"));
        assertThat(ConfigLoader.withPrefix(values, "nothing.")).isEmpty();
    }

    private Path yaml(String content) throws IOException {
        return Files.writeString(dir.resolve("config-" + System.nanoTime() + ".yaml"), content);
    }
}
