package io.auditkeeper.demo.soak;

import io.auditkeeper.demo.CorpusFiles;
import io.auditkeeper.localstack.EmbeddedKafka;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.S3Endpoint;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * One soak, from the services' start to the verdict: start the fleet, wait until traffic flows through every stage,
 * inject the faults in turn while timing each recovery, drain, reconcile, stop every process with SIGTERM, verify.
 * Knows nothing of the command line; {@link SoakCommand} gives it its settings and prints what it returns.
 */
final class SoakRun {
    /** How long a stage may take to catch up after a fault before the run says it did not. */
    static final Duration CATCH_UP_PATIENCE = Duration.ofMinutes(3);

    /** What a run is made of. */
    record Settings(List<FaultKind> kinds, Duration duration, Duration faultEvery, int rate, int clusters,
                    Fleet.Shape shape, CorpusFiles corpus) {
        String describe() {
            return String.format("%d ingest, %d stream-processors, %d archivers (separate processes); %d events/s in "
                            + "%d-event batches from %d clusters; faults for %ds, one every %ds (%s); logs in %s",
                    shape.ingest(), shape.streamProcessors(), shape.archivers(), rate, ApiserverTraffic.BATCH_SIZE,
                    clusters, duration.toSeconds(), faultEvery.toSeconds(),
                    kinds.stream().map(FaultKind::label).collect(Collectors.joining(", ")), shape.dir());
        }
    }

    private final Settings settings;
    private final PrintWriter out;

    SoakRun(Settings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
    }

    /** The report, or empty when the pipeline never carried traffic (the reason printed to {@code err}). */
    Optional<SoakReport> run(LocalStack stack, PrintWriter err) throws Exception {
        FleetStack.Endpoints endpoints = FleetStack.Endpoints.of(stack);
        String bootstrap = endpoints.bootstrap();
        URI openSearch = endpoints.openSearch();
        S3Endpoint s3 = endpoints.s3();
        progress("local stack ready");
        try (Fleet fleet = new Fleet(settings.shape(), bootstrap, s3, openSearch);
             CatchUp catchUp = new CatchUp(bootstrap)) {
            fleet.startAll();
            List<String> clusters = new ArrayList<>();
            for (int i = 0; i < settings.clusters(); i++) {
                clusters.add("soak-" + (char) ('a' + i));
            }
            try (ApiserverTraffic traffic = new ApiserverTraffic(new ApiserverTraffic.Settings(clusters, settings.rate(), 6),
                    fleet.ingestService(), fleet.pki().clientSslContext(fleet.pki().clientCert(), fleet.pki().clientKey()),
                    settings.corpus())) {
                traffic.start();
                if (awaitFirstArchived(catchUp, traffic).isEmpty()) {
                    err.println("the pipeline archived nothing within " + CATCH_UP_PATIENCE + " (answers so far: "
                            + traffic.answers() + "); see the logs in " + settings.shape().dir());
                    return Optional.empty();
                }
                progress("services up, traffic flowing, first events archived and indexed");
                Instant start = Instant.now();
                List<CompletableFuture<SoakReport.Recovery>> recoveries =
                        injectFaults(fleet, stack.embeddedKafka().orElse(null), catchUp);
                progress("traffic stopped; every batch answered: " + traffic.stopAndDrain(Duration.ofMinutes(3)));
                fleet.heal();
                List<SoakReport.Recovery> measured = recoveries.stream().map(CompletableFuture::join).toList();
                boolean caughtUp = catchUp.await(catchUp.exactlyNow(), CATCH_UP_PATIENCE).isPresent();
                progress("pipeline caught up with all traffic: " + caughtUp);
                return Optional.of(reconcile(fleet, traffic, new Reconciliation(s3, openSearch), new LinkedHashSet<>(clusters),
                        start, measured, caughtUp));
            }
        }
    }

    private SoakReport reconcile(Fleet fleet, ApiserverTraffic traffic, Reconciliation reconciliation, Set<String> clusters,
                                 Instant start, List<SoakReport.Recovery> recoveries, boolean caughtUp) throws Exception {
        Set<String> acknowledged = traffic.acknowledged();
        Reconciliation.Count archived = reconciliation.archive(acknowledged, clusters);
        Reconciliation.Count indexed = reconciliation.index(acknowledged, clusters);
        List<SoakReport.Stop> stops = stopAll(fleet);
        Path work = settings.shape().dir();
        Reconciliation.Verdict verdict = reconciliation.verify(
                settings.shape().jars().resolve("cli").resolve("target").resolve("auditkeeper-cli.jar"), fleet.publicKey(),
                work.resolve("verify.err"));
        Files.writeString(work.resolve("verify.json"), verdict.output());
        return new SoakReport(settings.describe(), start, recoveries, new SoakReport.Traffic(traffic.eventsSent(),
                acknowledged.size(), traffic.droppedBy(), traffic.resends(), traffic.answers()),
                archived, indexed, verdict, stops, caughtUp);
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

    /** One fault per slot until the run's duration is over; each recovery timed in the background. */
    private List<CompletableFuture<SoakReport.Recovery>> injectFaults(Fleet fleet, EmbeddedKafka broker, CatchUp catchUp)
            throws InterruptedException {
        FaultInjector injector = new FaultInjector(fleet, broker);
        ExecutorService measuring = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "soak-catch-up");
            t.setDaemon(true);
            return t;
        });
        List<CompletableFuture<SoakReport.Recovery>> recoveries = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + settings.duration().toNanos();
        for (int i = 0; start + settings.faultEvery().toNanos() * (i + 1) < end; i++) {
            Thread.sleep(Math.max(0, (start + settings.faultEvery().toNanos() * (i + 1) - System.nanoTime()) / 1_000_000));
            FaultKind kind = settings.kinds().get(i % settings.kinds().size());
            FaultInjector.Injected fault = injector.inject(kind);
            progress("fault " + (i + 1) + ": " + kind.label() + " " + fault.target() + " (" + kind.description()
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
        measuring.shutdown();
        return recoveries;
    }

    private static List<SoakReport.Stop> stopAll(Fleet fleet) {
        List<CompletableFuture<SoakReport.Stop>> stops = fleet.all().stream().map(p -> CompletableFuture.supplyAsync(() -> {
            int code = p.terminate(Duration.ofSeconds(60));
            return new SoakReport.Stop(p.name(), code, p.loggedStop());
        })).toList();
        return stops.stream().map(CompletableFuture::join).toList();
    }

    private void progress(String what) {
        out.println(Instant.now() + "  " + what);
        out.flush();
    }
}
