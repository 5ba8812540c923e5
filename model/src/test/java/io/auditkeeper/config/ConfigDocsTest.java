package io.auditkeeper.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigDocsTest {
    /** A cell separator: a '|' that is not escaped as "\|". */
    private static final Pattern SEPARATOR = Pattern.compile("(?<!\\\\)\\|");
    private static final int COLUMNS = 6;

    private static List<String> lines(String table) {
        return table.lines().toList();
    }

    private static String rowOf(String table, String key) {
        return lines(table).stream().filter(l -> l.startsWith("| `" + key + "` |")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + key + " in\n" + table));
    }

    private static int separators(String row) {
        Matcher m = SEPARATOR.matcher(row);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void shouldStartWithHeaderAndDelimiterRowWhenRendered() {
        String table = ConfigDocs.markdownTable(ConfigLoaderTest.definition(), ConfigLoaderTest.loader());

        List<String> lines = lines(table);
        assertThat(lines.get(0)).isEqualTo("| key | environment variable | type | default | valid values | description |");
        assertThat(lines.get(1)).isEqualTo("|---|---|---|---|---|---|");
    }

    @Test
    void shouldHaveOneRowPerKeyInDefinitionOrderWhenRendered() {
        ConfigDef definition = ConfigLoaderTest.definition();

        String table = ConfigDocs.markdownTable(definition, ConfigLoaderTest.loader());

        List<String> rows = lines(table).subList(2, lines(table).size());
        assertThat(rows).hasSize(definition.names().size());
        assertThat(rows).extracting(r -> r.split("`")[1])
                .containsExactly("cluster.name", "listen.port", "auth.allowed-subjects", "tls.enabled", "tls.cert-file");
        assertThat(rows).allSatisfy(r -> assertThat(separators(r)).as(r).isEqualTo(COLUMNS + 1));
    }

    @Test
    void shouldShowEnvVarNameWhenKeyIsRendered() {
        ConfigLoader loader = ConfigLoaderTest.loader();

        String table = ConfigDocs.markdownTable(ConfigLoaderTest.definition(), loader);

        assertThat(rowOf(table, "tls.cert-file")).contains("| `AUDITKEEPER_TEST_TLS_CERT_FILE` |");
        assertThat(rowOf(table, "listen.port")).contains("| `AUDITKEEPER_TEST_LISTEN_PORT` |");
        for (String key : ConfigLoaderTest.definition().names()) {
            assertThat(rowOf(table, key)).contains("`" + loader.envName(key) + "`");
        }
    }

    @Test
    void shouldShowRequiredWhenKeyHasNoDefault() {
        String table = ConfigDocs.markdownTable(ConfigLoaderTest.definition(), ConfigLoaderTest.loader());

        assertThat(rowOf(table, "cluster.name")).contains("| string | (required) |");
        assertThat(table.lines().filter(l -> l.contains("(required)"))).hasSize(1);
    }

    @Test
    void shouldShowDefaultTypeAndValidValuesWhenKeyHasThem() {
        String table = ConfigDocs.markdownTable(ConfigLoaderTest.definition(), ConfigLoaderTest.loader());

        assertThat(rowOf(table, "listen.port")).contains("| int | `8443` | [1,...,65535] | The HTTPS port. |");
        assertThat(rowOf(table, "tls.enabled")).contains("| boolean | `true` |");
        assertThat(rowOf(table, "tls.cert-file")).contains("| string | (none) |");
        assertThat(rowOf(table, "auth.allowed-subjects")).contains("| list | (empty) |");
    }

    @Test
    void shouldEscapePipeWhenDocumentationContainsOne() {
        ConfigDef definition = new ConfigDef()
                .define("auth.mode", Type.STRING, "mtls", Importance.HIGH, "Either mtls|token.\nSee the guide.");
        ConfigLoader loader = new ConfigLoader(definition, "AUDITKEEPER_TEST_", List.of());

        String row = rowOf(ConfigDocs.markdownTable(definition, loader), "auth.mode");

        assertThat(row).contains("Either mtls\\|token. See the guide.");
        assertThat(separators(row)).isEqualTo(COLUMNS + 1);
    }

    @Test
    void shouldEscapePipeWhenDefaultContainsOne() {
        ConfigDef definition = new ConfigDef()
                .define("redact.pattern", Type.STRING, "password|token", Importance.LOW, "Keys whose values are redacted.");
        ConfigLoader loader = new ConfigLoader(definition, "AUDITKEEPER_TEST_", List.of());

        String row = rowOf(ConfigDocs.markdownTable(definition, loader), "redact.pattern");

        assertThat(row).contains("`password\\|token`");
        assertThat(separators(row)).isEqualTo(COLUMNS + 1);
    }
}
