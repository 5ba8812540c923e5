package io.auditkeeper.streams;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.model.AuditJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Every event of testdata/corpus (real captures, extras, supplementary files, and batch items), as bytes. */
public final class CorpusFixtures {
    /** One event and where it comes from ({@code file:line} or {@code file#items/i}). */
    public record Item(String source, byte[] bytes) {
    }

    private CorpusFixtures() {
    }

    public static Path corpus() {
        String configured = System.getProperty("auditkeeper.corpus");
        return configured != null && !configured.isBlank() ? Path.of(configured) : Path.of("..", "testdata", "corpus");
    }

    public static List<Item> all() {
        try {
            Path root = corpus();
            List<Path> files = new ArrayList<>();
            files.add(root.resolve("events.ndjson"));
            for (String dir : List.of("extra", "supplementary")) {
                try (Stream<Path> s = Files.list(root.resolve(dir))) {
                    s.filter(p -> p.toString().endsWith(".ndjson") && !p.toString().endsWith(".provenance.ndjson"))
                            .sorted().forEach(files::add);
                }
            }
            List<Item> items = new ArrayList<>();
            for (Path f : files) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (!lines.get(i).isBlank()) {
                        items.add(new Item(root.relativize(f) + ":" + (i + 1), lines.get(i).getBytes(StandardCharsets.UTF_8)));
                    }
                }
            }
            try (Stream<Path> s = Files.list(root.resolve("batches"))) {
                for (Path f : s.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    JsonNode list = AuditJson.mapper().readTree(f.toFile()).path("items");
                    for (int i = 0; i < list.size(); i++) {
                        if (list.get(i).isObject()) {
                            items.add(new Item(root.relativize(f) + "#items/" + i, AuditJson.mapper().writeValueAsBytes(list.get(i))));
                        }
                    }
                }
            }
            return items;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
