package io.auditkeeper.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The real audit events shipped in {@code testdata/corpus} (provenance and licences in its README and SOURCES.md). */
public final class CorpusFiles {
    private final Path dir;

    public CorpusFiles(Path dir) {
        if (!Files.isDirectory(dir.resolve("batches")) || !Files.isRegularFile(dir.resolve("events.ndjson"))) {
            throw new IllegalArgumentException("no audit corpus at " + dir.toAbsolutePath()
                    + " (expected batches/ and events.ndjson; set --corpus or AUDITKEEPER_CORPUS)");
        }
        this.dir = dir;
    }

    /** The corpus given by {@code AUDITKEEPER_CORPUS}, else {@code testdata/corpus} under the current directory. */
    public static CorpusFiles locate(Path explicit) {
        if (explicit != null) {
            return new CorpusFiles(explicit);
        }
        String env = System.getenv("AUDITKEEPER_CORPUS");
        return new CorpusFiles(env != null ? Path.of(env) : Path.of("testdata", "corpus"));
    }

    public Path dir() {
        return dir;
    }

    public List<Path> batches() {
        try (Stream<Path> s = Files.list(dir.resolve("batches"))) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<byte[]> events() {
        try {
            return Files.readAllLines(dir.resolve("events.ndjson"), StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank()).map(l -> l.getBytes(StandardCharsets.UTF_8)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An EventList of the given events' bytes, as the apiserver serializes one. */
    public static byte[] eventList(List<byte[]> events) {
        int size = 64;
        for (byte[] e : events) {
            size += e.length + 1;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(size);
        out.writeBytes("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":[".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(events.get(i));
        }
        out.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
