package io.auditkeeper.demo.soak;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a soak found, as the table it prints and the verdict it exits with. The run passes only when every event the
 * apiserver was answered 200 for is in the verified archive exactly once and in OpenSearch, no answer of ingest made
 * the apiserver drop a batch, {@code verify} found no problem (leftovers are explained, and listed), every fault was
 * caught up with, and every process stopped gracefully on SIGTERM. Batches lost with no answer at all (an instance
 * killed while they were in flight) are counted and shown, by cause: the apiserver does not resend them.
 */
final class SoakReport {
    /** A fault and how long the pipeline took, after it was healed, to catch up with what its input held then. */
    record Recovery(FaultInjector.Injected fault, Optional<Duration> caughtUpAfter) {
    }

    /** The traffic's side: what was sent and how the ingest instances answered. */
    record Traffic(long sent, long acknowledged, Map<String, Long> droppedBy, long resends, Map<String, Long> answers) {
        /** Events whose batch an answer of ingest made the apiserver drop: ingest's fault, always. */
        long droppedByAnswers() {
            return droppedBy.entrySet().stream().filter(e -> e.getKey().startsWith("answered")).mapToLong(Map.Entry::getValue).sum();
        }

        /** Events whose batch was lost on the way, with no answer the apiserver would resend after. */
        long droppedInTransport() {
            return droppedBy.values().stream().mapToLong(Long::longValue).sum() - droppedByAnswers();
        }
    }

    /** How each process ended on SIGTERM. */
    record Stop(String process, int exitCode, boolean loggedStop) {
        boolean graceful() {
            return exitCode == 143 && loggedStop;
        }
    }

    private final String setup;
    private final Instant start;
    private final List<Recovery> recoveries;
    private final Traffic traffic;
    private final Reconciliation.Count archived;
    private final Reconciliation.Count indexed;
    private final Reconciliation.Verdict verdict;
    private final List<Stop> stops;
    private final boolean caughtUpAtEnd;

    SoakReport(String setup, Instant start, List<Recovery> recoveries, Traffic traffic, Reconciliation.Count archived,
               Reconciliation.Count indexed, Reconciliation.Verdict verdict, List<Stop> stops, boolean caughtUpAtEnd) {
        this.setup = setup;
        this.start = start;
        this.recoveries = List.copyOf(recoveries);
        this.traffic = traffic;
        this.archived = archived;
        this.indexed = indexed;
        this.verdict = verdict;
        this.stops = List.copyOf(stops);
        this.caughtUpAtEnd = caughtUpAtEnd;
    }

    boolean passed() {
        return traffic.droppedByAnswers() == 0 && traffic.acknowledged() > 0
                && archived.missing() == 0 && archived.duplicated() == 0 && indexed.missing() == 0
                && verdict.ok() && verdict.problems() == 0 && verdict.digestsOk()
                && recoveries.stream().allMatch(r -> r.caughtUpAfter().isPresent()) && caughtUpAtEnd
                && stops.stream().allMatch(Stop::graceful);
    }

    void print(PrintWriter out) {
        out.println();
        out.println("Soak: " + setup);
        out.println();
        out.printf("%3s  %6s  %-24s %-26s %7s  %s%n", "#", "at", "fault", "target", "held", "caught up after");
        int i = 0;
        for (Recovery r : recoveries) {
            out.printf("%3d  %6s  %-24s %-26s %7s  %s%n", ++i, clock(Duration.between(start, r.fault().at())),
                    r.fault().kind().label(), r.fault().target(), seconds(r.fault().held()),
                    r.caughtUpAfter().map(SoakReport::seconds).orElse("NOT caught up"));
        }
        out.println();
        out.printf("%-24s %5s  %16s  %10s%n", "by kind", "count", "caught up median", "max");
        Map<FaultKind, List<Duration>> byKind = new EnumMap<>(FaultKind.class);
        for (Recovery r : recoveries) {
            byKind.computeIfAbsent(r.fault().kind(), k -> new ArrayList<>())
                    .add(r.caughtUpAfter().orElse(Duration.ofDays(1)));
        }
        byKind.forEach((kind, times) -> {
            List<Duration> sorted = times.stream().sorted().toList();
            Duration max = sorted.get(sorted.size() - 1);
            out.printf("%-24s %5d  %16s  %10s%n", kind.label(), sorted.size(), seconds(sorted.get((sorted.size() - 1) / 2)),
                    max.toDays() >= 1 ? "never" : seconds(max));
        });
        out.println();
        out.printf("events sent %,d; acknowledged (200) %,d; dropped for an answer %,d; attempts resent %,d%n",
                traffic.sent(), traffic.acknowledged(), traffic.droppedByAnswers(), traffic.resends());
        out.println("answers to attempts: " + traffic.answers());
        if (traffic.droppedInTransport() > 0) {
            out.printf("dropped with no answer (the apiserver's contract does not resend these; no server can prevent it): "
                    + "%,d events %s%n", traffic.droppedInTransport(), traffic.droppedBy());
        }
        out.printf("%-20s %14s %12s %12s %10s%n", "", "acknowledged", "found", "duplicated", "missing");
        out.printf("%-20s %,14d %,12d %,12d %,10d%n", "archive (S3)", traffic.acknowledged(), archived.found(),
                archived.duplicated(), archived.missing());
        out.printf("%-20s %,14d %,12d %,12d %,10d%n", "index (OpenSearch)", traffic.acknowledged(), indexed.found(),
                indexed.duplicated(), indexed.missing());
        if (archived.missing() > 0 || indexed.missing() > 0) {
            out.println("missing, for example: archive " + archived.missingSample() + ", index " + indexed.missingSample());
        }
        out.printf("verify (auditkeeper verify --json, its own process): %s; problems %d; leftovers %s; digests checked %d, %s%n",
                verdict.ok() ? "OK" : "FAILED (exit " + verdict.exitCode() + ")", verdict.problems(),
                verdict.leftovers().isEmpty() ? "none" : verdict.leftovers(), verdict.digestsChecked(),
                verdict.digestsOk() ? "one chain" : "BROKEN");
        long graceful = stops.stream().filter(Stop::graceful).count();
        out.printf("SIGTERM at the end: %d of %d processes stopped gracefully (exit 143 after their shutdown hook)%s%n",
                graceful, stops.size(), graceful == stops.size() ? "" : ": not " + stops.stream().filter(s -> !s.graceful()).toList());
        out.println("result: " + (passed() ? "PASS" : "FAIL"));
    }

    private static String clock(Duration d) {
        return String.format("%d:%02d", d.toMinutes(), d.toSecondsPart());
    }

    private static String seconds(Duration d) {
        return String.format("%.1f s", d.toMillis() / 1000.0);
    }
}
