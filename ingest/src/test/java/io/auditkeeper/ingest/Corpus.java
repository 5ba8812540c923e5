package io.auditkeeper.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The real audit events of {@code testdata/corpus} (see its README for provenance). */
public final class Corpus {
    private Corpus() {
    }

    public static Path dir() {
        String configured = System.getProperty("auditkeeper.corpus");
        Path p = configured != null ? Path.of(configured) : Path.of("..", "testdata", "corpus");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("corpus not found at " + p.toAbsolutePath());
        }
        return p;
    }

    /** The EventList files of {@code batches/}, sorted by name. */
    public static List<Path> batches() {
        try (Stream<Path> s = Files.list(dir().resolve("batches"))) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 482 events of {@code events.ndjson}, each line's bytes. */
    public static List<byte[]> events() {
        try {
            return Files.readAllLines(dir().resolve("events.ndjson"), StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank()).map(l -> l.getBytes(StandardCharsets.UTF_8)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An EventList made of the given event bytes, as the apiserver writes one. */
    public static byte[] eventList(List<byte[]> events) {
        StringBuilder sb = new StringBuilder("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":[");
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(new String(events.get(i), StandardCharsets.UTF_8));
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
