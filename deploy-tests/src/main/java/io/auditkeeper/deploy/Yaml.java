package io.auditkeeper.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Multi-document YAML as Jackson trees. */
public final class Yaml {
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());

    private Yaml() {
    }

    /** One document of a file: where it came from, and its tree. */
    public record Document(Path source, JsonNode node) {
        public String kind() {
            return node.path("kind").asText("");
        }

        public String name() {
            return node.path("metadata").path("name").asText("");
        }

        /** {@code Kind name}, the way a violation names a resource. */
        public String label() {
            return kind() + " " + name();
        }
    }

    public static List<Document> documents(Path file) {
        try {
            return documents(file, Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Document> documents(Path source, String text) {
        List<Document> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode() && n.isObject()) {
                    out.add(new Document(source, n));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(source + " is not valid YAML: " + e.getMessage(), e);
        }
        return out;
    }
}
