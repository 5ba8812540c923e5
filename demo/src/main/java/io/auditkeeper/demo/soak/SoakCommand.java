package io.auditkeeper.demo.soak;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code auditkeeper soak}: the promise "nothing acknowledged is lost, nothing is archived twice, the archive verifies"
 * under the faults production has. Runs the real service jars as separate processes (ingest, stream-processors,
 * archivers) against the local stack, feeds them apiserver-like traffic, injects a fault every so often (SIGKILL,
 * SIGSTOP past the group session, connections to S3 or OpenSearch cut, the broker stopped), and reconciles at the end:
 * every event answered 200 against the verified archive and OpenSearch. Prints a table of faults, recovery times and
 * counts; exits 0 when the run passes, 1 when it does not. docs/operations.md, "Running several instances".
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run ingest, stream-processors and archivers as separate processes against the local stack under "
                + "steady apiserver-like traffic, inject faults on a schedule, then reconcile every acknowledged event "
                + "with the verified archive and OpenSearch.", "Exit 0 when nothing acknowledged is missing or duplicated, "
                + "verify finds no problem, every fault is caught up with and every process stops gracefully; 1 otherwise."})
public final class SoakCommand implements Callable<Integer> {
    @Option(names = "--duration", defaultValue = "3m", converter = DurationConverter.class,
            description = "How long traffic and faults go on: 90s, 3m, 1h (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--rate", defaultValue = "400", description = "Events per second, in 400-event batches (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--fault-every", defaultValue = "20s", converter = DurationConverter.class,
            description = "Time from one fault's start to the next's (default ${DEFAULT-VALUE}).")
    Duration faultEvery;

    @Option(names = "--faults", split = ",", paramLabel = "<kind>",
            description = "Fault kinds, in turn (default: all): kill-archiver, freeze-archiver, kill-stream-processor, "
                    + "cut-archiver-s3, kill-ingest, freeze-stream-processor, cut-archiver-opensearch, stop-kafka.")
    List<String> faults;

    @Option(names = "--ingest", defaultValue = "2", description = "Ingest instances (default ${DEFAULT-VALUE}).")
    int ingest;

    @Option(names = "--stream-processors", defaultValue = "2", description = "Stream-processor instances (default ${DEFAULT-VALUE}).")
    int streamProcessors;

    @Option(names = "--archivers", defaultValue = "3", description = "Archiver instances (default ${DEFAULT-VALUE}).")
    int archivers;

    @Option(names = "--clusters", defaultValue = "2", description = "Simulated apiservers, each a cluster of its own (default ${DEFAULT-VALUE}).")
    int clusters;

    @Option(names = "--dir", defaultValue = ".auditkeeper/soak", description = "Working directory: configs, logs, report (default ${DEFAULT-VALUE}).")
    Path dir;

    @CommandLine.Mixin
    FleetOptions fleetOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<FaultKind> kinds = faults == null || faults.isEmpty() ? Arrays.asList(FaultKind.values())
                : faults.stream().map(FaultKind::ofLabel).toList();
        Path work = FleetStack.runDirectory(dir);
        Optional<LocalStackSettings> found = FleetStack.settings(work, err);
        if (found.isEmpty()) {
            return 1;
        }
        LocalStackSettings stack = found.get();
        if (!stack.embeddedKafka() && kinds.contains(FaultKind.STOP_KAFKA)) {
            err.println("stop-kafka needs the embedded broker; an external Kafka is configured: leave it out with --faults");
            return 2;
        }
        SoakRun.Settings settings = new SoakRun.Settings(kinds, duration, faultEvery, rate, clusters,
                new Fleet.Shape(ingest, streamProcessors, archivers, fleetOptions.jars(), work, Duration.ofSeconds(5),
                        Fleet.Profile.SOAK),
                fleetOptions.corpus());
        out.println("auditkeeper soak: " + settings.describe());
        out.flush();
        Optional<SoakReport> report;
        try (LocalStack local = new LocalStack(stack)) {
            report = new SoakRun(settings, out).run(local, err);
        }
        if (report.isEmpty()) {
            return 1;
        }
        StringWriter table = new StringWriter();
        report.get().print(new PrintWriter(table, true));
        out.print(table);
        out.flush();
        Files.writeString(work.resolve("soak-report.txt"), table.toString());
        return report.get().passed() ? 0 : 1;
    }

    /** {@code 90s}, {@code 3m}, {@code 1h}, or an ISO-8601 duration. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase();
            try {
                if (v.startsWith("p")) {
                    return Duration.parse(value.trim());
                }
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                return switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> throw new CommandLine.TypeConversionException("not a duration: " + value + " (90s, 3m, 1h)");
                };
            } catch (RuntimeException e) {
                if (e instanceof CommandLine.TypeConversionException t) {
                    throw t;
                }
                throw new CommandLine.TypeConversionException("not a duration: " + value + " (90s, 3m, 1h)");
            }
        }
    }
}
