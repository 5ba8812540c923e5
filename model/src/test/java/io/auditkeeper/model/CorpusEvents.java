package io.auditkeeper.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The audit events of {@code testdata/corpus}: {@code events.ndjson}, {@code extra/*.ndjson} and
 * {@code supplementary/*.ndjson} (the {@code *.provenance.ndjson} files describe the events and are not events).
 */
final class CorpusEvents {
    private CorpusEvents() {
    }

    /** One line of an ndjson file of the corpus; its name ({@code file:line}) points at the event in a failure. */
    record Line(String file, int number, String json) {
        byte[] bytes() {
            return json.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return file + ":" + number;
        }
    }

    static Path dir() {
        String configured = System.getProperty("auditkeeper.corpus");
        Path p = configured != null && !configured.isBlank() ? Path.of(configured) : Path.of("..", "testdata", "corpus");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("corpus not found at " + p.toAbsolutePath());
        }
        return p;
    }

    /** The event files, {@code events.ndjson} first, then {@code extra/} and {@code supplementary/} sorted by name. */
    static List<Path> files() {
        Path dir = dir();
        List<Path> files = new ArrayList<>();
        files.add(dir.resolve("events.ndjson"));
        files.addAll(ndjsonIn(dir.resolve("extra")));
        files.addAll(ndjsonIn(dir.resolve("supplementary")));
        return files;
    }

    static List<Line> lines(Path file) {
        String name = dir().relativize(file).toString().replace('\\', '/');
        try {
            List<String> raw = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<Line> out = new ArrayList<>();
            for (int i = 0; i < raw.size(); i++) {
                if (!raw.get(i).isBlank()) {
                    out.add(new Line(name, i + 1, raw.get(i)));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every event of every event file. */
    static Stream<Line> all() {
        return files().stream().flatMap(f -> lines(f).stream());
    }

    private static List<Path> ndjsonIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ndjson"))
                    .filter(p -> !p.getFileName().toString().endsWith(".provenance.ndjson"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
