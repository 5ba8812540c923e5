package io.auditkeeper.source.aks.config;

import io.auditkeeper.config.ConfigDocs;
import io.auditkeeper.source.aks.kafka.SourceClientSettings;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AksSourceConfigTest {
    private static final String SECRET = "Endpoint=sb://ak-prod.servicebus.windows.net/;SharedAccessKeyName=auditkeeper-listen;SharedAccessKey=c2VjcmV0LWtleS0xMjM0NTY3ODkw;EntityPath=aks-audit";

    @TempDir
    Path dir;

    @Test
    void shouldReadTheConnectionStringFromItsFileWhenTheHubIsReachedOverSasl() throws Exception {
        AksSourceConfig config = AksSourceConfig.of(settings(Files.writeString(dir.resolve("cs"), SECRET + "\n")));

        Map<String, Object> consumer = SourceClientSettings.consumer(config);

        assertThat(consumer).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN");
        assertThat((String) consumer.get("sasl.jaas.config")).contains("username=\"$ConnectionString\"",
                "password=\"" + SECRET + "\"");
        assertThat(config.client()).isEqualTo("event-hubs:ak-prod/aks-audit");
    }

    @Test
    void shouldNameTheKeyButNotTheSecretWhenTheFileHoldsNoConnectionString() throws Exception {
        Path file = Files.writeString(dir.resolve("cs"), "SharedAccessKey=c2VjcmV0LWtleS0xMjM0NTY3ODkw");

        assertThatThrownBy(() -> AksSourceConfig.of(settings(file))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("event-hubs.connection-string-file")
                .hasMessageNotContaining("c2VjcmV0");
    }

    @Test
    void shouldRequireTheFileWhenTheHubIsReachedOverSasl() {
        Map<String, Object> s = settings(null);

        assertThatThrownBy(() -> AksSourceConfig.of(s)).hasMessageContaining("event-hubs.connection-string-file");
    }

    @Test
    void shouldRefuseExactlyOnceWhenTheHubIsAnotherCluster() throws Exception {
        Map<String, Object> s = settings(Files.writeString(dir.resolve("cs"), SECRET));
        s.put("delivery.mode", "exactly-once");

        assertThatThrownBy(() -> AksSourceConfig.of(s)).hasMessageContaining("delivery.mode");
    }

    @Test
    void shouldNameTheKeyWhenAClusterMappingIsInvalid() {
        Map<String, Object> s = settings(null);
        s.put("event-hubs.security-protocol", "PLAINTEXT");
        s.put("cluster.mapping", "prod-east=Not Valid");

        assertThatThrownBy(() -> AksSourceConfig.of(s)).hasMessageContaining("cluster.mapping");
    }

    @Test
    void shouldRefuseAnUnknownVariableWhenTheEnvironmentHasATypo() {
        Map<String, String> env = Map.of("AUDITKEEPER_SOURCE_AKS_EVENT_HUBS_TOPIK", "x");

        assertThatThrownBy(() -> AksSourceConfig.load(null, env)).hasMessageContaining("AUDITKEEPER_SOURCE_AKS_EVENT_HUBS_TOPIK");
    }

    @Test
    void shouldDocumentEveryKeyWhenTheReferenceIsRead() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "managed-clusters.md"));

        assertThat(doc).as("docs/managed-clusters.md, AKS, Configuration reference (regenerate it from AksSourceConfig.DEFINITION)")
                .contains(ConfigDocs.markdownTable(AksSourceConfig.DEFINITION, AksSourceConfig.LOADER));
    }

    private static Map<String, Object> settings(Path connectionStringFile) {
        Map<String, Object> s = new HashMap<>();
        s.put("event-hubs.bootstrap-servers", "ak-prod.servicebus.windows.net:9093");
        s.put("event-hubs.topic", "aks-audit");
        s.put("kafka.bootstrap-servers", "kafka-0.kafka:9092");
        if (connectionStringFile != null) {
            s.put("event-hubs.connection-string-file", connectionStringFile.toString());
        }
        return s;
    }
}
