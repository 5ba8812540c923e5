package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.Problem;
import io.auditkeeper.evidence.store.ManifestReader;
import io.auditkeeper.model.AuditJson;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * Replays the archived events of a period: selects the objects whose entries overlap it ({@link ArchiveSelection}),
 * verifies each one ({@link ArchivedObjectCheck}) and only then hands its wanted lines to a sink, so that nothing
 * unverified ever leaves. Within an object a line is wanted when its event's {@code timestamp} is in the period and it
 * passes the {@link EventFilter}. An object that fails stops the replay, or, when told to continue, is skipped; either
 * way the {@link Listener} hears exactly what was wrong.
 */
final class ArchiveReplay {
    /**
     * One archived line: the stored text, the event parsed from it (null when it is not JSON), the verified entry of
     * its object and its position among the object's lines (from 0).
     */
    record ArchivedEvent(String line, JsonNode event, ManifestEntry entry, int position) {
    }

    /** Receives each wanted line, in partition and offset order. */
    interface Sink {
        void accept(ArchivedEvent event) throws Exception;
    }

    /** Hears of objects that failed verification, of notes, and of progress (about once a second). */
    interface Listener {
        void failed(ManifestEntry entry, List<Problem> problems, boolean skipped);

        void noted(ManifestEntry entry, Problem notice);

        /** A manifest object that cannot be read: the objects it records cannot be verified, so not replayed. */
        void unreadable(Problem problem, boolean skipped);

        void progress(int objectsDone, int objects, long read, long emitted);
    }

    /** What was done; {@code stopped} is true when a failure ended the replay early. */
    record Result(int objects, int replayed, int failed, long read, long emitted, boolean stopped) {
    }

    private final ManifestReader manifests;
    private final ArchivedObjectCheck check;

    ArchiveReplay(ManifestReader manifests, ArchivedObjectCheck check) {
        this.manifests = manifests;
        this.check = check;
    }

    /** The partitions with a manifest chain; empty when the topic was never archived here. */
    List<Integer> partitions(String topic) {
        return List.copyOf(new TreeSet<>(manifests.partitions(topic)));
    }

    Result run(String topic, List<Integer> partitions, TimeWindow window, EventFilter filter, boolean continueOnError,
               Sink sink, Listener listener) throws Exception {
        Map<Integer, List<ManifestEntry>> chains = new LinkedHashMap<>();
        Map<Integer, List<Problem>> contestedByPartition = new LinkedHashMap<>();
        int failed = 0;
        for (int partition : partitions) {
            ManifestReader.Chain read = manifests.readChain(topic, partition);
            chains.put(partition, read.entries());
            // a manifest written on top is read at its first version, and an entry a revoked key signed late counts
            // for nothing: the objects they name fail their check below
            List<Problem> contested = new ArrayList<>(read.problems().stream()
                    .filter(p -> p.kind() == Problem.Kind.REWRITTEN_MANIFEST).toList());
            contested.addAll(check.revoked(read.entries(), read::writtenAt));
            contestedByPartition.put(partition, contested);
            for (Problem p : read.problems().stream().filter(p -> p.kind() != Problem.Kind.REWRITTEN_MANIFEST).toList()) {
                failed++;
                listener.unreadable(p, continueOnError);
                if (!continueOnError) {
                    return new Result(0, 0, failed, 0, 0, true);
                }
            }
        }
        List<ArchiveSelection.Selected> selected = ArchiveSelection.select(chains, window);
        int done = 0;
        int replayed = 0;
        long read = 0;
        long emitted = 0;
        long lastProgress = System.nanoTime();
        Instant now = Instant.now();
        for (ArchiveSelection.Selected object : selected) {
            ArchivedObjectCheck.Outcome outcome = check.check(object, now);
            outcome.notices().forEach(n -> listener.noted(object.entry(), n));
            List<Problem> problems = new ArrayList<>(outcome.problems());
            ManifestEntry entry = object.entry();
            contestedByPartition.getOrDefault(entry.partition(), List.of()).stream()
                    .filter(p -> p.firstOffset() <= entry.firstOffset() && entry.lastOffset() <= p.lastOffset())
                    .forEach(problems::add);
            if (!problems.isEmpty()) {
                failed++;
                listener.failed(object.entry(), problems, continueOnError);
                if (!continueOnError) {
                    return new Result(selected.size(), replayed, failed, read, emitted, true);
                }
                done++;
                continue;
            }
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                    new GZIPInputStream(new ByteArrayInputStream(outcome.content())), StandardCharsets.UTF_8))) {
                int position = -1;
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    position++;
                    if (line.isEmpty()) {
                        continue;
                    }
                    read++;
                    JsonNode event = parse(line);
                    if (inWindow(window, event) && filter.matches(event)) {
                        sink.accept(new ArchivedEvent(line, event, entry, position));
                        emitted++;
                    }
                }
            }
            done++;
            replayed++;
            if (System.nanoTime() - lastProgress > 1_000_000_000L) {
                listener.progress(done, selected.size(), read, emitted);
                lastProgress = System.nanoTime();
            }
        }
        listener.progress(done, selected.size(), read, emitted);
        return new Result(selected.size(), replayed, failed, read, emitted, false);
    }

    /** A line whose time cannot be read is only in an unbounded period. */
    static boolean inWindow(TimeWindow window, JsonNode event) {
        if (!window.bounded()) {
            return true;
        }
        JsonNode ts = event == null ? null : event.get("timestamp");
        if (ts == null || !ts.isTextual()) {
            return false;
        }
        try {
            return window.contains(Instant.parse(ts.asText()));
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static JsonNode parse(String line) {
        try {
            return AuditJson.mapper().readTree(line);
        } catch (IOException e) {
            return null;
        }
    }
}
