package io.auditkeeper.demo.soak;

import io.auditkeeper.demo.CorpusFiles;
import io.auditkeeper.localstack.CephObjectGateway;
import io.auditkeeper.localstack.EmbeddedKafka;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackSettings;
import io.auditkeeper.localstack.S3Endpoint;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

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

    @Option(names = "--jars", defaultValue = ".", description = "The build whose <module>/target/auditkeeper-<module>.jar are run (default: ${DEFAULT-VALUE}).")
    Path jars;

    @Option(names = "--corpus", description = "Audit corpus directory (default: $AUDITKEEPER_CORPUS or testdata/corpus).")
    Path corpusDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** How long a stage may take to catch up after a fault before the run says it did not. */
    private static final Duration CATCH_UP_PATIENCE = Duration.ofMinutes(3);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<FaultKind> kinds = faults == null || faults.isEmpty() ? Arrays.asList(FaultKind.values())
                : faults.stream().map(FaultKind::ofLabel).toList();
        CorpusFiles corpus = CorpusFiles.locate(corpusDir);
        dir = dir.toAbsolutePath();
        Path work = Files.createDirectories(dir.resolve("run-" + Instant.now().toString().replace(':', '-')));
        LocalStackSettings settings = LocalStackSettings.fromEnvironment(System.getenv(), work.resolve("stack"));
        if (settings.embeddedS3() && !CephObjectGateway.missingCommands().isEmpty()) {
            err.println("Ceph is not installed (missing " + CephObjectGateway.missingCommands() + "). Run, as root:\n  "
                    + CephObjectGateway.INSTALL_COMMAND);
            return 1;
        }
        if (!settings.embeddedKafka() && kinds.contains(FaultKind.STOP_KAFKA)) {
            err.println("stop-kafka needs the embedded broker; an external Kafka is configured: leave it out with --faults");
            return 2;
        }
        String setup = String.format("%d ingest, %d stream-processors, %d archivers (separate processes); %d events/s in "
                        + "%d-event batches from %d clusters; faults for %ds, one every %ds (%s); logs in %s",
                ingest, streamProcessors, archivers, rate, ApiserverTraffic.BATCH_SIZE, clusters, duration.toSeconds(),
                faultEvery.toSeconds(), kinds.stream().map(FaultKind::label).collect(Collectors.joining(", ")), work);
        out.println("auditkeeper soak: " + setup);
        out.flush();

        try (LocalStack stack = new LocalStack(settings)) {
            CompletableFuture<String> kafka = CompletableFuture.supplyAsync(stack::kafkaBootstrap);
            CompletableFuture<String> openSearchUrl = CompletableFuture.supplyAsync(stack::openSearchUrl);
            CompletableFuture<S3Endpoint> s3Endpoint = CompletableFuture.supplyAsync(stack::s3);
            String bootstrap = kafka.join();
            URI openSearch = URI.create(openSearchUrl.join());
            S3Endpoint s3 = s3Endpoint.join();
            EmbeddedKafka broker = stack.embeddedKafka().orElse(null);
            progress(out, "local stack ready");
            Fleet.Shape shape = new Fleet.Shape(ingest, streamProcessors, archivers, jars.toAbsolutePath(), work,
                    Duration.ofSeconds(5));
            try (Fleet fleet = new Fleet(shape, bootstrap, s3, openSearch);
                 CatchUp catchUp = new CatchUp(bootstrap)) {
                fleet.startAll();
                List<String> clusterNames = new ArrayList<>();
                for (int i = 0; i < clusters; i++) {
                    clusterNames.add("soak-" + (char) ('a' + i));
                }
                try (ApiserverTraffic traffic = new ApiserverTraffic(new ApiserverTraffic.Settings(clusterNames, rate, 6),
                        fleet.ingestService(), fleet.pki().clientSslContext(fleet.pki().clientCert(), fleet.pki().clientKey()), corpus)) {
                    traffic.start();
                    Optional<Instant> warm = awaitFirstArchived(catchUp, traffic);
                    if (warm.isEmpty()) {
                        err.println("the pipeline archived nothing within " + CATCH_UP_PATIENCE + " (answers so far: "
                                + traffic.answers() + "); see the logs in " + work);
                        return 1;
                    }
                    progress(out, "services up, traffic flowing, first events archived and indexed");
                    Instant start = Instant.now();
                    List<CompletableFuture<SoakReport.Recovery>> recoveries = runFaults(out, kinds, fleet, broker, catchUp);
                    boolean drained = traffic.stopAndDrain(Duration.ofMinutes(3));
                    progress(out, "traffic stopped; every batch answered: " + drained);
                    fleet.heal();
                    List<SoakReport.Recovery> measured = recoveries.stream().map(CompletableFuture::join).toList();
                    Optional<Instant> lastCatchUp = catchUp.await(catchUp.exactlyNow(), CATCH_UP_PATIENCE);
                    progress(out, "pipeline caught up with all traffic: " + lastCatchUp.isPresent());

                    Reconciliation reconciliation = new Reconciliation(s3, openSearch);
                    Set<String> acknowledged = traffic.acknowledged();
                    Set<String> clusterSet = new LinkedHashSet<>(clusterNames);
                    Reconciliation.Count archived = reconciliation.archive(acknowledged, clusterSet);
                    Reconciliation.Count indexed = reconciliation.index(acknowledged, clusterSet);
                    List<SoakReport.Stop> stops = stopAll(fleet);
                    Reconciliation.Verdict verdict = reconciliation.verify(
                            jars.toAbsolutePath().resolve("cli").resolve("target").resolve("auditkeeper-cli.jar"),
                            fleet.publicKey(), work.resolve("verify.err"));
                    Files.writeString(work.resolve("verify.json"), verdict.output());
                    SoakReport report = new SoakReport(setup, start, measured, new SoakReport.Traffic(traffic.eventsSent(),
                            acknowledged.size(), traffic.droppedBy(), traffic.resends(), traffic.answers()),
                            archived, indexed, verdict, stops);
                    StringWriter table = new StringWriter();
                    report.print(new PrintWriter(table, true));
                    out.print(table);
                    out.flush();
                    Files.writeString(work.resolve("soak-report.txt"), table.toString());
                    return report.passed() && lastCatchUp.isPresent() ? 0 : 1;
                }
            }
        }
    }

    /** Waits until the first acknowledged events have gone through every stage. */
    private static Optional<Instant> awaitFirstArchived(CatchUp catchUp, ApiserverTraffic traffic) throws InterruptedException {
        long deadline = System.nanoTime() + CATCH_UP_PATIENCE.toNanos();
        while (traffic.acknowledged().isEmpty() && traffic.eventsDropped() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        if (traffic.acknowledged().isEmpty() || traffic.eventsDropped() > 0) {
            return Optional.empty();
        }
        while (System.nanoTime() < deadline) {
            List<CatchUp.Target> targets = catchUp.now();
            if (targets.stream().allMatch(t -> t.offsets().values().stream().anyMatch(o -> o > 0))) {
                return catchUp.await(targets, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
            Thread.sleep(500);
        }
        return Optional.empty();
    }

    private List<CompletableFuture<SoakReport.Recovery>> runFaults(PrintWriter out, List<FaultKind> kinds, Fleet fleet,
                                                                  EmbeddedKafka broker, CatchUp catchUp) throws Exception {
        FaultInjector injector = new FaultInjector(fleet, broker);
        ExecutorService measuring = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "soak-catch-up");
            t.setDaemon(true);
            return t;
        });
        List<CompletableFuture<SoakReport.Recovery>> recoveries = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        for (int i = 0; ; i++) {
            long slot = start + faultEvery.toNanos() * (i + 1);
            if (slot >= end) {
                break;
            }
            Thread.sleep(Math.max(0, (slot - System.nanoTime()) / 1_000_000));
            FaultKind kind = kinds.get(i % kinds.size());
            FaultInjector.Injected fault = injector.inject(kind);
            progress(out, "fault " + (i + 1) + ": " + kind.label() + " " + fault.target() + " (" + kind.description()
                    + "), healed after " + fault.held().toMillis() + " ms");
            recoveries.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new SoakReport.Recovery(fault, catchUp.await(catchUp.now(), CATCH_UP_PATIENCE)
                            .map(at -> Duration.between(fault.healedAt(), at)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new SoakReport.Recovery(fault, Optional.empty());
                }
            }, measuring));
        }
        Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000));
        return recoveries;
    }

    private static List<SoakReport.Stop> stopAll(Fleet fleet) {
        List<CompletableFuture<SoakReport.Stop>> stops = fleet.all().stream().map(p -> CompletableFuture.supplyAsync(() -> {
            int code = p.terminate(Duration.ofSeconds(60));
            return new SoakReport.Stop(p.name(), code, p.loggedStop());
        })).toList();
        return stops.stream().map(CompletableFuture::join).toList();
    }

    private static void progress(PrintWriter out, String what) {
        out.println(Instant.now() + "  " + what);
        out.flush();
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
