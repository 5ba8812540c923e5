package io.auditkeeper.demo.bench;

import io.auditkeeper.model.NormalizedEvent;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.alerts.FlaggedRequest;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.auditkeeper.streams.normalize.NormalizedEventWriter;
import io.auditkeeper.streams.normalize.RawRecordContext;
import io.auditkeeper.streams.topology.EventPipeline;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code auditkeeper bench pipeline}: the stream-processor's per-event code alone, on one thread, without Kafka: read,
 * classify, redact and normalize ({@link EventPipeline}), serialize the normalized record, and, for flagged requests,
 * the alert path (the projection the processor hands on, and the detections' read of it). Why: {@code bench streams}
 * measures the topology among the broker, the JIT and RocksDB on shared cores; this tells what the code itself costs, so that a change to it can be judged in seconds.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Measure the stream-processor's per-event code alone, without Kafka (CPU per event).")
public final class PipelineBenchCommand implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "60000", description = "Events per round (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--rounds", defaultValue = "20",
            description = "Rounds; the first half warms the JIT up and is not counted (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--phi-namespaces", defaultValue = "phi-*",
            description = "PHI namespaces; one event in five is in phi-records (default: ${DEFAULT-VALUE}).")
    String phiNamespaces;

    @Mixin
    BenchOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (events < 1 || rounds < 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--events must be at least 1 and --rounds at least 2");
        }
        PrintStream out = System.out;
        List<byte[]> input = NormalizedEvents.raw(options.corpus().events(), events);
        EventPipeline pipeline = StreamProcessorService.pipeline(StreamProcessorConfig.of(Map.of(
                "kafka.bootstrap-servers", "localhost:9092", "phi.namespaces", phiNamespaces)));
        RawRecordContext raw = new RawRecordContext("bench", null, null, new NormalizedEvent.Source("bench.raw", 0, 0));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long bytes = input.stream().mapToLong(b -> b.length).sum();
        out.printf("Audit Keeper pipeline benchmark: %d events (%.1f MB) per round, one thread, no Kafka; %d rounds, "
                + "the last %d counted%n%n", events, bytes / 1048576.0, rounds, rounds - rounds / 2);
        double[][] perEvent = new double[3][rounds - rounds / 2];
        long flagged = 0;
        EventPipeline.Outcome[] outcomes = new EventPipeline.Outcome[input.size()];
        byte[][] normalized = new byte[input.size()][];
        NormalizedEventWriter writer = new NormalizedEventWriter();
        for (int r = 0; r < rounds; r++) {
            // one step at a time over all events, so that reading the thread's CPU clock costs nothing per event
            long t0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < outcomes.length; i++) {
                outcomes[i] = pipeline.process(input.get(i), raw);
            }
            long t1 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < outcomes.length; i++) {
                normalized[i] = outcomes[i] instanceof EventPipeline.Processed p
                        ? writer.write(p.normalized()) : null;
            }
            long t2 = mx.getCurrentThreadCpuTime();
            flagged = 0;
            for (int i = 0; i < outcomes.length; i++) {
                if (outcomes[i] instanceof EventPipeline.Processed p && p.normalized().phi().flagged()) {
                    flagged++;
                    FlaggedRequest request = FlaggedRequest.of(p.normalized(), 0L);
                    if (request != null) {
                        request.actorKey();
                        FlaggedRequest.read(request.projection(), 0L);
                    }
                }
            }
            long t3 = mx.getCurrentThreadCpuTime();
            if (r >= rounds / 2) {
                long[] cpu = {t1 - t0, t2 - t1, t3 - t2};
                for (int step = 0; step < 3; step++) {
                    perEvent[step][r - rounds / 2] = cpu[step] / 1e3 / events;
                }
            }
        }
        String[] steps = {"read, classify, redact, normalize", "serialize the normalized record", "alert path (flagged only)"};
        out.printf("%-36s %12s %12s%n", "CPU per event", "median", "min");
        double medianSum = 0;
        for (int step = 0; step < 3; step++) {
            double[] sorted = perEvent[step].clone();
            Arrays.sort(sorted);
            medianSum += sorted[sorted.length / 2];
            out.printf("%-36s %9.2f µs %9.2f µs%n", steps[step], sorted[sorted.length / 2], sorted[0]);
        }
        out.printf("%-36s %9.2f µs%n%n%d of %d events flagged%n", "total (sum of medians)", medianSum, flagged, events);
        return 0;
    }
}
