package io.auditkeeper.localstack;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalStackSettingsTest {
    private static final Path DEFAULT = Path.of("/tmp/default-stack");

    @Test
    void emptyEnvironmentMeansEverythingEmbeddedUnderTheDefaultDir() {
        LocalStackSettings s = LocalStackSettings.fromEnvironment(Map.of(), DEFAULT);

        assertThat(s.workDir()).isEqualTo(DEFAULT);
        assertThat(s.embeddedKafka()).isTrue();
        assertThat(s.embeddedOpenSearch()).isTrue();
        assertThat(s.embeddedS3()).isTrue();
        assertThat(s.s3Region()).isEqualTo("us-east-1");
        assertThat(s.s3AccessKey()).isNull();
        assertThat(s.s3PathStyle()).isTrue();
    }

    @Test
    void externalEndpointsReplaceTheEmbeddedServers() {
        Map<String, String> env = Map.of(
            "AUDITKEEPER_STACK_DIR", "/var/tmp/stack",
            "AUDITKEEPER_STACK_KAFKA_BOOTSTRAP", "kafka-1:9092,kafka-2:9092",
            "AUDITKEEPER_STACK_OPENSEARCH_URL", "https://search.example:9200",
            "AUDITKEEPER_STACK_S3_ENDPOINT", "http://minio:9000",
            "AUDITKEEPER_STACK_S3_REGION", "eu-central-1",
            "AUDITKEEPER_STACK_S3_ACCESS_KEY", "minio",
            "AUDITKEEPER_STACK_S3_SECRET_KEY", "minio-secret");

        LocalStackSettings s = LocalStackSettings.fromEnvironment(env, DEFAULT);

        assertThat(s.workDir()).isEqualTo(Path.of("/var/tmp/stack"));
        assertThat(s.kafkaBootstrap()).isEqualTo("kafka-1:9092,kafka-2:9092");
        assertThat(s.openSearchUrl()).isEqualTo(URI.create("https://search.example:9200"));
        assertThat(s.s3Endpoint()).isEqualTo(URI.create("http://minio:9000"));
        assertThat(s.s3Region()).isEqualTo("eu-central-1");
        assertThat(s.s3AccessKey()).isEqualTo("minio");
        assertThat(s.s3SecretKey()).isEqualTo("minio-secret");
        assertThat(s.embeddedKafka()).isFalse();
        assertThat(s.embeddedOpenSearch()).isFalse();
        assertThat(s.embeddedS3()).isFalse();
    }

    @Test
    void blankValuesCountAsUnset() {
        Map<String, String> env = Map.of("AUDITKEEPER_STACK_KAFKA_BOOTSTRAP", "  ", "AUDITKEEPER_STACK_S3_REGION", "");

        LocalStackSettings s = LocalStackSettings.fromEnvironment(env, DEFAULT);

        assertThat(s.embeddedKafka()).isTrue();
        assertThat(s.s3Region()).isEqualTo("us-east-1");
    }

    @Test
    void aKeyWithoutItsCounterpartNamesTheMissingVariable() {
        assertThatThrownBy(() -> LocalStackSettings.fromEnvironment(
                Map.of("AUDITKEEPER_STACK_S3_ACCESS_KEY", "ak"), DEFAULT))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("AUDITKEEPER_STACK_S3_SECRET_KEY");
        assertThatThrownBy(() -> LocalStackSettings.fromEnvironment(
                Map.of("AUDITKEEPER_STACK_S3_SECRET_KEY", "sk"), DEFAULT))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("AUDITKEEPER_STACK_S3_ACCESS_KEY");
    }

    @Test
    void malformedUrlsAreRefusedWithTheVariableName() {
        assertThatThrownBy(() -> LocalStackSettings.fromEnvironment(
                Map.of("AUDITKEEPER_STACK_S3_ENDPOINT", "minio:9000"), DEFAULT))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("AUDITKEEPER_STACK_S3_ENDPOINT");
        assertThatThrownBy(() -> LocalStackSettings.fromEnvironment(
                Map.of("AUDITKEEPER_STACK_OPENSEARCH_URL", "http://bad host"), DEFAULT))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("AUDITKEEPER_STACK_OPENSEARCH_URL");
    }

    @Test
    void pathStyleCanBeSwitchedOffForAwsAndMustBeABoolean() {
        Map<String, String> env = new HashMap<>();
        env.put("AUDITKEEPER_STACK_S3_PATH_STYLE", "false");
        assertThat(LocalStackSettings.fromEnvironment(env, DEFAULT).s3PathStyle()).isFalse();

        env.put("AUDITKEEPER_STACK_S3_PATH_STYLE", "yes");
        assertThatThrownBy(() -> LocalStackSettings.fromEnvironment(env, DEFAULT))
            .hasMessageContaining("AUDITKEEPER_STACK_S3_PATH_STYLE");
    }

    @Test
    void toStringDoesNotRevealTheSecretKey() {
        LocalStackSettings s = LocalStackSettings.fromEnvironment(Map.of(
            "AUDITKEEPER_STACK_S3_ACCESS_KEY", "ak", "AUDITKEEPER_STACK_S3_SECRET_KEY", "very-secret"), DEFAULT);

        assertThat(s.toString()).doesNotContain("very-secret");
        assertThat(new S3Endpoint(URI.create("http://x"), "us-east-1", "ak", "very-secret", true).toString())
            .doesNotContain("very-secret");
    }
}
