package io.auditkeeper.demo.bench;

import io.auditkeeper.demo.soak.Fleet;
import io.auditkeeper.demo.soak.ServiceProcess;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The end-to-end benchmark's overload phase (issue 20's memory target): batches offered on schedule at a rate above
 * what the pipeline sustains (by default twice what the full-speed run made searchable), for a while, whatever ingest
 * answers. Why: a service that queues what it cannot take grows its heap until it dies; one that answers 429 or 503
 * keeps its memory and leaves the waiting to the apiserver. So the phase samples every service's heap and resident
 * memory until everything acknowledged is searchable, and checks that nothing acknowledged was lost and that every
 * service still runs.
 */
final class OverloadPhase {
    /** What the phase found; {@code searchable} is the count of its cluster once it stopped waiting. */
    record Outcome(int rate, int seconds, EndToEndLoad.Result load, long searchable, double drainSeconds,
                   List<ServiceMemory.Peak> peaks, List<String> dead) {
        boolean lostNothing() {
            return searchable >= load.events();
        }

        boolean heapsUnderMax() {
            return peaks.stream().allMatch(ServiceMemory.Peak::heapUnderMax);
        }

        boolean ok() {
            return lostNothing() && dead.isEmpty();
        }
    }

    private OverloadPhase() {
    }

    /**
     * Twice the rate at which the full-speed run's {@code events} became searchable in {@code secondsToSearchable},
     * in whole batches (at least one); 0 when that rate is unknown.
     */
    static int defaultRate(long events, double secondsToSearchable) {
        if (!(secondsToSearchable > 0) || events <= 0) {
            return 0;
        }
        long batches = Math.max(1, Math.round(2 * events / secondsToSearchable / EndToEndLoad.BATCH));
        return (int) Math.min(Integer.MAX_VALUE / EndToEndLoad.BATCH, batches) * EndToEndLoad.BATCH;
    }

    /** {@code rate} events/s for {@code seconds} to {@code cluster}, sampled until acknowledged is searchable. */
    static Outcome run(Fleet fleet, EndToEndLoad load, URI openSearch, String cluster, int rate, int seconds,
                       Duration patience) throws InterruptedException {
        List<ServiceMemory.Service> services = new ArrayList<>();
        long maxHeap = ServiceMemory.maxHeapBytes(Fleet.Profile.BENCH.jvmOptions());
        for (ServiceProcess p : fleet.all()) {
            fleet.metrics(p).ifPresent(m -> services.add(new ServiceMemory.Service(p.name(), p.pid(), m, maxHeap)));
        }
        try (ServiceMemory memory = new ServiceMemory(services)) {
            EndToEndLoad.Result r = load.paced(rate, seconds);
            long end = System.nanoTime();
            List<SearchableCount.Sample> samples = new SearchableCount(openSearch, cluster).until(r.events(), patience);
            SearchableCount.Sample last = samples.get(samples.size() - 1);
            double drain = last.count() >= r.events() ? Math.max(0, last.nanos() - end) / 1e9 : Double.NaN;
            List<ServiceMemory.Peak> peaks = memory.stop();
            List<String> dead = fleet.all().stream().filter(p -> !p.running()).map(ServiceProcess::name).toList();
            return new Outcome(rate, seconds, r, last.count(), drain, peaks, dead);
        }
    }

    static void print(PrintWriter out, Outcome o) {
        EndToEndLoad.Result r = o.load();
        out.printf("overload: %,d events/s offered for %d s (%,d events acknowledged, ack p50 %.0f ms, p99 %.0f ms);"
                        + " answers %s%s%n", o.rate(), o.seconds(), r.events(), r.latencyMillis(0.5),
                r.latencyMillis(0.99), r.answers(), r.refused() > 0 ? "; REFUSED " + r.refused() + " batches" : "");
        for (ServiceMemory.Peak p : o.peaks()) {
            out.printf("  %-18s heap peak %s of %d MiB, RSS peak %s MiB%s%n", p.service().name(), mib(p.heapBytes()),
                    p.service().maxHeapBytes() >> 20, mib(p.rssBytes()),
                    p.lagRecords() >= 0 ? String.format(", largest consumer lag %,d records", p.lagRecords()) : "");
        }
        out.printf("  backlog drained %.1f s after the phase's last answer%n", o.drainSeconds());
        out.printf("  nothing acknowledged lost: %,d of %,d acknowledged events searchable%s; every heap %s its max%s%n",
                o.searchable(), r.events(), o.lostNothing() ? "" : " (LOST)",
                o.heapsUnderMax() ? "stayed under" : "did NOT stay under (or was not read)",
                o.dead().isEmpty() ? "; every service alive" : "; DIED: " + String.join(", ", o.dead()));
        out.flush();
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "?" : Long.toString(bytes >> 20);
    }
}
