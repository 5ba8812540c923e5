package io.auditkeeper.archiver.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/queries.md shows each file of docs/queries/ verbatim (the files AuditorQueriesIT runs), so the doc cannot
 * drift from the tested queries; and README.md links the doc.
 */
class QueriesDocTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path DOCS = Path.of("..", "docs");

    @Test
    void shouldContainEveryQueryFileVerbatimWhenTheDocIsRead() throws IOException {
        String doc = Files.readString(DOCS.resolve("queries.md"), StandardCharsets.UTF_8);
        List<Path> files;
        try (var list = Files.list(DOCS.resolve("queries"))) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).hasSize(8);
        for (Path file : files) {
            String json = Files.readString(file, StandardCharsets.UTF_8);
            JsonNode parsed = MAPPER.readTree(json);
            assertThat(parsed.has("query")).as(file.toString()).isTrue();
            assertThat(doc).as(file + " shown verbatim").contains("```json\n" + json.strip() + "\n```");
            assertThat(doc).as(file + " named").contains("docs/queries/" + file.getFileName());
        }
        assertThat(doc).contains("docs/dashboards/audit-keeper.ndjson");
    }

    @Test
    void shouldLinkTheQueriesDocWhenReadmeListsTheDocs() throws IOException {
        String readme = Files.readString(DOCS.resolve("..").resolve("README.md"), StandardCharsets.UTF_8);
        assertThat(readme).contains("(docs/queries.md)");
    }
}
