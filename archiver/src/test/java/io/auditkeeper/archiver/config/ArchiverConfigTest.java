package io.auditkeeper.archiver.config;

import io.auditkeeper.config.ConfigDocs;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchiverConfigTest {
    @TempDir
    Path dir;

    private Map<String, Object> valid(Map<String, String> overrides) throws Exception {
        Map<String, Object> m = new HashMap<>(Map.of("kafka.bootstrap-servers", "k:9092", "s3.bucket", "audit",
                "manifest.signing-key-file", Files.writeString(dir.resolve("k.pem"), "x").toString()));
        m.putAll(overrides);
        return m;
    }

    @Test
    void shouldKeepSixYearsUnlessAShorterRetentionIsExplicitlyAllowed() throws Exception {
        assertThat(ArchiverConfig.of(valid(Map.of())).retentionYears()).isEqualTo(6);
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("retention.years", "1"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retention.years").hasMessageContaining("HIPAA");
        assertThat(ArchiverConfig.of(valid(Map.of("retention.years", "1", "retention.allow-shorter", "true"))).retentionYears())
                .isEqualTo(1);
    }

    @Test
    void shouldNameTheKeyOfAnIncompleteOrInvalidSetting() throws Exception {
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("s3.sse", "aws:kms")))).hasMessageContaining("s3.sse-kms-key-id");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("s3.sse", "DES")))).hasMessageContaining("s3.sse");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("s3.access-key", "AKIA")))).hasMessageContaining("s3.secret-key")
                .hasMessageNotContaining("AKIA");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("manifest.signing-key-file", "/no/such.pem"))))
                .hasMessageContaining("manifest.signing-key-file");
    }

    @Test
    void shouldDocumentEveryKeyInTheConfigurationReference() throws Exception {
        String table = ConfigDocs.markdownTable(ArchiverConfig.DEFINITION, ArchiverConfig.LOADER);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "archiver-config-table.md"), table);

        assertThat(Files.readString(Path.of("..", "docs", "archiver.md")))
                .as("docs/archiver.md must hold the table in archiver/target/archiver-config-table.md").contains(table);
    }
}
