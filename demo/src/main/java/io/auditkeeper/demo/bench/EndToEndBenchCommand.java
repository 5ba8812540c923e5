package io.auditkeeper.demo.bench;

import io.auditkeeper.demo.CorpusFiles;
import io.auditkeeper.demo.soak.CatchUp;
import io.auditkeeper.demo.soak.Fleet;
import io.auditkeeper.demo.soak.FleetOptions;
import io.auditkeeper.demo.soak.FleetStack;
import io.auditkeeper.demo.soak.Reconciliation;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackSettings;
import io.auditkeeper.localstack.S3Endpoint;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * {@code auditkeeper bench e2e}: how fast an apiserver's events become searchable on this machine, and what each stage
 * costs. The local stack runs in this JVM; ingest, the stream-processor and the archiver run as separate processes of
 * their real jars (so each one's CPU is its own); a client in this JVM, on threads of its own, posts fresh batches over
 * mutual TLS. A warm-up first (services run for days; their JIT compilers should not be what is measured), then a run
 * at full speed, then one at a steady rate for the time from acknowledgement to searchable, then one at twice the rate
 * the pipeline sustains, for its memory under overload ({@link OverloadPhase}).
 */
@Command(name = "e2e", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The whole pipeline on this machine (local stack; ingest, stream-processor and archiver as separate"
                + " processes), fed over mutual TLS: ingest's rate and latency, when the last event reached audit.events,"
                + " the archive and OpenSearch, events/s searchable end to end, the time from acknowledgement to"
                + " searchable at a steady rate, and CPU per event by stage. docs/benchmarks.md, \"bench e2e\"."})
public final class EndToEndBenchCommand implements Callable<Integer> {
    private static final Duration PATIENCE = Duration.ofMinutes(10);

    @Option(names = "--events", defaultValue = "200000", description = "Events of the measured run (default ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--warm-up", defaultValue = "400000", description = "Events sent first, unmeasured, in four rounds (default ${DEFAULT-VALUE}).")
    long warmUp;

    @Option(names = "--steady-rate", defaultValue = "5000", description = "Events/s of the steady run (default ${DEFAULT-VALUE}; 0: none).")
    int steadyRate;

    @Option(names = "--steady-seconds", defaultValue = "30", description = "Length of the steady run (default ${DEFAULT-VALUE}).")
    int steadySeconds;

    @Option(names = "--overload-seconds", defaultValue = "60", description = "Length of the overload run, after the steady"
            + " one (default ${DEFAULT-VALUE}; 0: none).")
    int overloadSeconds;

    @Option(names = "--overload-rate", defaultValue = "0", description = "Events/s offered in the overload run (default"
            + " ${DEFAULT-VALUE}: twice the end-to-end rate the full-speed run measured, in whole batches).")
    int overloadRate;

    @Option(names = "--senders", defaultValue = "8", description = "Parallel connections of the client (default ${DEFAULT-VALUE}).")
    int senders;

    @Option(names = "--dir", defaultValue = ".auditkeeper/bench-e2e", description = "Working directory: stack, configs, logs (default ${DEFAULT-VALUE}).")
    Path dir;

    @CommandLine.Mixin
    FleetOptions fleetOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        if (overloadSeconds < 0 || overloadRate < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--overload-seconds and --overload-rate must not"
                    + " be negative (--overload-seconds 0: no overload run; --overload-rate 0: twice the end-to-end rate)");
        }
        PrintWriter err = spec.commandLine().getErr();
        Path work = FleetStack.runDirectory(dir);
        Optional<LocalStackSettings> settings = FleetStack.settings(work, err);
        if (settings.isEmpty()) {
            return 1;
        }
        out.printf("auditkeeper bench e2e: %,d events after a warm-up of %,d, %d senders over mutual TLS, batches of %d;"
                + " ingest, stream-processor, archiver as separate processes (%s); %s%n", events, warmUp, senders,
                EndToEndLoad.BATCH, String.join(" ", Fleet.Profile.BENCH.jvmOptions()), work);
        out.flush();
        try (LocalStack stack = new LocalStack(settings.get())) {
            return run(stack, work, fleetOptions.corpus(), err);
        }
    }

    private int run(LocalStack stack, Path work, CorpusFiles corpus, PrintWriter err) throws Exception {
        FleetStack.Endpoints endpoints = FleetStack.Endpoints.of(stack);
        String bootstrap = endpoints.bootstrap();
        URI openSearch = endpoints.openSearch();
        S3Endpoint s3 = endpoints.s3();
        Fleet.Shape shape = new Fleet.Shape(1, 1, 1, fleetOptions.jars(), work, Duration.ofSeconds(30), Fleet.Profile.BENCH);
        try (Fleet fleet = new Fleet(shape, bootstrap, s3, openSearch); CatchUp catchUp = new CatchUp(bootstrap);
             CommitTimeline commits = new CommitTimeline(bootstrap,
                     List.of(Fleet.APPLICATION_ID, Fleet.ARCHIVE_GROUP, Fleet.INDEX_GROUP))) {
            fleet.startAll();
            progress("local stack and services up");
            SSLContext ssl = fleet.pki().clientSslContext(fleet.pki().clientCert(), fleet.pki().clientKey());
            FreshBatches batches = new FreshBatches(corpus);
            String id = UUID.randomUUID().toString().substring(0, 8);

            PipelineCpu cpu = new PipelineCpu(List.of(
                    new PipelineCpu.Measured("ingest", fleet.ingest().get(0).pid()),
                    new PipelineCpu.Measured("stream-processor", fleet.streamProcessors().get(0).pid()),
                    new PipelineCpu.Measured("archiver", fleet.archivers().get(0).pid())), ceph(stack));
            if (!warmUp(ssl, fleet, openSearch, batches, cpu, "bench-warm-up-" + id)) {
                err.println("the warm-up's events did not all become searchable within " + PATIENCE + "; see " + work);
                return 1;
            }
            String cluster = "bench-" + id;
            Map<String, Long> before = cpu.snapshot();
            EndToEndLoad.Result full = load(ssl, fleet, cluster, batches).fullSpeed(events);
            StageTimes reached = stageTimes(catchUp, commits, openSearch, cluster, full);
            Map<String, Long> after = cpu.snapshot();
            printFull(full, reached);
            printCpu(before, after, full);

            if (steadyRate > 0) {
                printSteady(steady(ssl, fleet, openSearch, batches, "bench-steady-" + id));
            }
            boolean overloadOk = overload(ssl, fleet, openSearch, batches, "bench-overload-" + id,
                    OverloadPhase.defaultRate(full.events(), reached.searchable()));
            out.printf("peak resident memory: ingest %d MiB, stream-processor %d MiB, archiver %d MiB, this JVM (broker,"
                            + " OpenSearch, client) %d MiB%n",
                    ProcessCpu.peakRssBytes(fleet.ingest().get(0).pid()) >> 20,
                    ProcessCpu.peakRssBytes(fleet.streamProcessors().get(0).pid()) >> 20,
                    ProcessCpu.peakRssBytes(fleet.archivers().get(0).pid()) >> 20,
                    ProcessCpu.peakRssBytes(ProcessHandle.current().pid()) >> 20);
            // verified as an auditor would: once everything is archived and the writers have stopped, so that no
            // object is caught between its PUT and its manifest entry
            boolean caughtUp = catchUp.await(catchUp.exactlyNow(), PATIENCE).isPresent();
            fleet.all().forEach(p -> p.terminate(Duration.ofSeconds(60)));
            Reconciliation.Verdict verdict = new Reconciliation(s3, openSearch).verify(
                    fleetOptions.cliJar(), fleet.publicKey(), work.resolve("verify.err"));
            Files.writeString(work.resolve("verify.json"), verdict.output());
            out.printf("archive verification (auditkeeper verify of the whole bucket, the services stopped): %s (exit %d,"
                            + " %d digests%s)%s%n", verdict.ok() ? "OK" : "FAILED", verdict.exitCode(), verdict.digestsChecked(),
                    caughtUp ? "" : "; the archive had NOT caught up", verdict.ok() ? "" : "; see " + work.resolve("verify.json"));
            out.flush();
            return verdict.ok() && caughtUp && reached.complete() && overloadOk ? 0 : 1;
        }
    }

    /** The overload run, if asked for, printed; false if it lost acknowledged events or a service died. */
    private boolean overload(SSLContext ssl, Fleet fleet, URI openSearch, FreshBatches batches, String cluster,
                             int measuredRate) throws InterruptedException {
        if (overloadSeconds == 0) {
            return true;
        }
        int rate = overloadRate > 0 ? overloadRate : measuredRate;
        if (rate == 0) {
            out.println("overload: not run, the full-speed run measured no end-to-end rate; give --overload-rate");
            return true;
        }
        progress("overload: " + rate + " events/s for " + overloadSeconds + " s");
        OverloadPhase.Outcome o = OverloadPhase.run(fleet, load(ssl, fleet, cluster, batches), openSearch, cluster, rate,
                overloadSeconds, PATIENCE);
        OverloadPhase.print(out, o);
        return o.ok();
    }

    /**
     * The warm-up, in four rounds, each printed with its CPU per event and the JIT compilers' share of it, in every
     * JVM: how far from settled the JVMs still are when the measured run starts.
     */
    private boolean warmUp(SSLContext ssl, Fleet fleet, URI openSearch, FreshBatches batches, PipelineCpu cpu,
                           String cluster) throws InterruptedException {
        int rounds = 4;
        long sent = 0;
        for (int round = 1; round <= rounds && warmUp > 0; round++) {
            Map<String, Long> before = cpu.snapshot();
            EndToEndLoad.Result r = load(ssl, fleet, cluster, batches).fullSpeed(warmUp / rounds);
            sent += r.events();
            List<SearchableCount.Sample> searchable = new SearchableCount(openSearch, cluster).until(sent, PATIENCE);
            if (last(searchable).count() < sent) {
                return false;
            }
            Map<String, Long> after = cpu.snapshot();
            long jit = 0;
            long all = 0;
            for (Map.Entry<String, Long> e : after.entrySet()) {
                long spent = e.getValue() - before.getOrDefault(e.getKey(), 0L);
                all += spent;
                if (e.getKey().endsWith(PipelineCpu.JIT)) {
                    jit += spent;
                }
            }
            out.printf("warm-up %d/%d: ingest %,.0f events/s; CPU %.0f µs per event, of which the JIT compilers (every"
                            + " JVM) %.0f%n", round, rounds, r.eventsPerSecond(), all / 1e3 / Math.max(1, r.events()),
                    jit / 1e3 / Math.max(1, r.events()));
            out.flush();
        }
        return true;
    }

    private EndToEndLoad load(SSLContext ssl, Fleet fleet, String cluster, FreshBatches batches) {
        return new EndToEndLoad(ssl, fleet.ingestService().next(cluster), batches, senders);
    }

    /** Seconds after the first send at which the last event reached each stage; NaN where it did not in time. */
    private record StageTimes(double events, double archive, double index, double searchable) {
        boolean complete() {
            return !Double.isNaN(events) && !Double.isNaN(archive) && !Double.isNaN(index) && !Double.isNaN(searchable);
        }
    }

    /**
     * When the stream-processor had committed past the last record of {@code audit.raw}; then, once it had and
     * {@code audit.events} was complete, when the archive writer and the indexer had committed past its last record;
     * and when the count OpenSearch returns reached every event. The commit times come from samples taken all along.
     */
    private StageTimes stageTimes(CatchUp catchUp, CommitTimeline commits, URI openSearch, String cluster,
                                  EndToEndLoad.Result full) throws InterruptedException {
        CompletableFuture<List<SearchableCount.Sample>> searchable = CompletableFuture.supplyAsync(() -> {
            try {
                return new SearchableCount(openSearch, cluster).until(full.events(), PATIENCE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        });
        CatchUp.Target raw = catchUp.exactlyNow().get(0);
        double events = seconds(full, commits.firstReached(Fleet.APPLICATION_ID, raw.offsets(), PATIENCE));
        double archive = Double.NaN;
        double index = Double.NaN;
        if (!Double.isNaN(events)) {
            CatchUp.Target written = catchUp.exactlyNow().get(1);
            archive = seconds(full, commits.firstReached(Fleet.ARCHIVE_GROUP, written.offsets(), PATIENCE));
            index = seconds(full, commits.firstReached(Fleet.INDEX_GROUP, written.offsets(), PATIENCE));
        }
        List<SearchableCount.Sample> samples = searchable.join();
        double search = samples.isEmpty() || last(samples).count() < full.events() ? Double.NaN
                : (last(samples).nanos() - full.firstSendNanos()) / 1e9;
        return new StageTimes(events, archive, index, search);
    }

    private static double seconds(EndToEndLoad.Result full, OptionalLong at) {
        return at.isPresent() ? (at.getAsLong() - full.firstSendNanos()) / 1e9 : Double.NaN;
    }

    /** Per event of the steady run, from its batch's acknowledgement to the moment a search returned it. */
    private record Steady(EndToEndLoad.Result load, double p50, double p95, boolean complete) {
    }

    /**
     * The steady run, with the count sampled all along. An event is taken to be searchable once the count reaches the
     * number acknowledged up to and including its batch: events become searchable about in the order they were
     * acknowledged, and where not, this reads late, never early, for the later batch.
     */
    private Steady steady(SSLContext ssl, Fleet fleet, URI openSearch, FreshBatches batches, String cluster)
            throws InterruptedException {
        long expected = Math.max(1, (long) steadyRate * steadySeconds / EndToEndLoad.BATCH) * EndToEndLoad.BATCH;
        SearchableCount count = new SearchableCount(openSearch, cluster);
        CompletableFuture<List<SearchableCount.Sample>> sampling = CompletableFuture.supplyAsync(() -> {
            try {
                return count.until(expected, Duration.ofSeconds(steadySeconds).plus(PATIENCE));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        });
        EndToEndLoad.Result load = load(ssl, fleet, cluster, batches).paced(steadyRate, steadySeconds);
        List<SearchableCount.Sample> samples = sampling.join();
        List<Double> latencies = new ArrayList<>();
        long[] acks = load.ackNanos();
        int s = 0;
        for (int i = 0; i < acks.length; i++) {
            long needed = (long) (i + 1) * EndToEndLoad.BATCH;
            while (s < samples.size() && (samples.get(s).nanos() < acks[i] || samples.get(s).count() < needed)) {
                s++;
            }
            if (s == samples.size()) {
                break;
            }
            latencies.add((samples.get(s).nanos() - acks[i]) / 1e9);
        }
        latencies.sort(Double::compare);
        boolean complete = latencies.size() == acks.length && acks.length > 0;
        return new Steady(load, quantile(latencies, 0.5), quantile(latencies, 0.95), complete);
    }

    private static double quantile(List<Double> sorted, double q) {
        return sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.max(0, Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1)));
    }

    private static SearchableCount.Sample last(List<SearchableCount.Sample> samples) {
        return samples.isEmpty() ? new SearchableCount.Sample(System.nanoTime(), -1) : samples.get(samples.size() - 1);
    }

    /** Ceph's daemons of the local stack (the monitor, the OSD, the gateway), one row each; none with an outside S3. */
    private static List<PipelineCpu.Measured> ceph(LocalStack stack) {
        List<PipelineCpu.Measured> out = new ArrayList<>();
        stack.cephGateway().ifPresent(gateway -> gateway.livePids().forEach(pid -> {
            String command = ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElse("ceph");
            out.add(new PipelineCpu.Measured("Ceph " + command.substring(command.lastIndexOf('/') + 1), pid));
        }));
        return out;
    }

    private void printFull(EndToEndLoad.Result full, StageTimes t) {
        out.printf("ingest: %,.0f events/s acknowledged (%,d events); ack p50 %.0f ms, p99 %.0f ms; answers %s%s%n",
                full.eventsPerSecond(), full.events(), full.latencyMillis(0.5), full.latencyMillis(0.99), full.answers(),
                full.refused() > 0 ? "; REFUSED " + full.refused() + " batches" : "");
        out.printf("the last event, after the first send: acknowledged %.1f s, in audit.events %.1f s, archived in S3 %.1f s"
                        + " (batches close after %d s), indexed %.1f s, searchable %.1f s%n",
                (full.lastAckNanos() - full.firstSendNanos()) / 1e9, t.events(), t.archive(),
                Fleet.BENCH_BATCH_AGE.toSeconds(), t.index(), t.searchable());
        out.printf("end to end: %,.0f events/s searchable%n", full.events() / t.searchable());
    }

    private void printCpu(Map<String, Long> before, Map<String, Long> after, EndToEndLoad.Result full) {
        List<Map.Entry<String, Long>> rows = new ArrayList<>();
        after.forEach((k, v) -> {
            if (!k.startsWith("(client")) {
                rows.add(Map.entry(k, v - before.getOrDefault(k, 0L)));
            }
        });
        rows.add(Map.entry("client (senders, over TLS)", full.clientCpuNanos()));
        rows.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        long total = rows.stream().mapToLong(Map.Entry::getValue).sum();
        out.printf("CPU per event, from the first send until all were searchable (%.1f s of CPU in all, %.0f µs per event):%n",
                total / 1e9, total / 1e3 / full.events());
        for (Map.Entry<String, Long> r : rows) {
            if (r.getValue() > 0) {
                out.printf("  %7.1f µs  %s%n", r.getValue() / 1e3 / full.events(), r.getKey());
            }
        }
    }

    private void printSteady(Steady s) {
        out.printf("steady %,d events/s for %d s (%,d events, ack p50 %.0f ms): from acknowledgement to searchable p50 %.2f s,"
                        + " p95 %.2f s%s%n", steadyRate, steadySeconds, s.load().events(), s.load().latencyMillis(0.5),
                s.p50(), s.p95(), s.complete() ? "" : " (NOT every event became searchable in time)");
    }

    private void progress(String what) {
        out.println(Instant.now() + "  " + what);
        out.flush();
    }
}
