package io.auditkeeper.localstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalStackTest {
    @TempDir
    Path dir;

    @Test
    void missingCephTellsWhatToInstall() {
        try (LocalStack stack = new LocalStack(LocalStackSettings.embedded(dir), () -> List.of("radosgw"))) {
            assertThatThrownBy(stack::s3)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("radosgw")
                .hasMessageContaining("as root: apt-get install -y radosgw ceph-mon ceph-osd");
        }
    }

    @Test
    void externalEndpointsStartNothing() {
        LocalStackSettings settings = LocalStackSettings.fromEnvironment(Map.of(
            "AUDITKEEPER_STACK_KAFKA_BOOTSTRAP", "kafka:9092",
            "AUDITKEEPER_STACK_OPENSEARCH_URL", "http://search:9200/",
            "AUDITKEEPER_STACK_S3_ENDPOINT", "http://minio:9000",
            "AUDITKEEPER_STACK_S3_ACCESS_KEY", "ak",
            "AUDITKEEPER_STACK_S3_SECRET_KEY", "sk"), dir);
        try (LocalStack stack = new LocalStack(settings)) {
            assertThat(stack.kafkaBootstrap()).isEqualTo("kafka:9092");
            assertThat(stack.openSearchUrl()).isEqualTo("http://search:9200");
            assertThat(stack.s3()).isEqualTo(new S3Endpoint(URI.create("http://minio:9000"), "us-east-1", "ak", "sk", true));
            assertThat(stack.embeddedKafka()).isEmpty();
            assertThat(stack.cephGateway()).isEmpty();
        }
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aClosedStackRefusesToStartComponents() {
        LocalStack stack = new LocalStack(LocalStackSettings.embedded(dir));
        stack.close();
        stack.close();

        assertThat(stack.isClosed()).isTrue();
        assertThatThrownBy(stack::kafkaBootstrap).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void missingCommandsLooksOnThePath() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String cmd : List.of("ceph-mon", "ceph-osd", "radosgw", "ceph-authtool", "monmaptool", "ceph")) {
            Files.createFile(bin.resolve(cmd), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        Files.createFile(bin.resolve("radosgw-admin"));

        assertThat(CephObjectGateway.missingCommands(bin.toString())).containsExactly("radosgw-admin");
        assertThat(CephObjectGateway.missingCommands(dir.resolve("nowhere").toString()))
            .containsExactlyElementsOf(CephObjectGateway.REQUIRED_COMMANDS);
    }
}
