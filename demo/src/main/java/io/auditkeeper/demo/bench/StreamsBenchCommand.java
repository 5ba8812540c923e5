package io.auditkeeper.demo.bench;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackSettings;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.auditkeeper.streams.topology.AuditTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@code auditkeeper bench streams}: the stream-processor's topology against a passthrough topology with the same
 * guarantee (exactly_once_v2), on the same broker and the same pre-loaded input of corpus events. Each run starts a
 * fresh application and is timed from its first processed record to its last.
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Measure the stream-processor's topology against an exactly-once passthrough.")
public final class StreamsBenchCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--events", defaultValue = "60000", description = "Raw events loaded before the runs (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--rounds", defaultValue = "2", description = "Alternating runs of each topology (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--phi-namespaces", defaultValue = "phi-*",
            description = "PHI namespaces of the measured topology; one event in five is in phi-records (default: ${DEFAULT-VALUE}).")
    String phiNamespaces;

    @Option(names = "--warm-up-rounds", defaultValue = "12",
            description = "Most unmeasured rounds of both topologies before the measured ones (default: ${DEFAULT-VALUE}).")
    int maxWarmUpRounds;

    @Option(names = "--warm-up-jit-share", defaultValue = "0.10",
            description = "Warm up until the JIT compiles for at most this share of a round's time (default: ${DEFAULT-VALUE}).")
    double warmUpJitShare;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads of both topologies (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--floor", description = "Also run, in each round, the dedupe floor: the topology's dedupe store and "
            + "forward, without its per-event code, and print its ratio to the passthrough.")
    boolean floor;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A stream-processor setting for every application of the run, as in its config file (for example "
                    + "kafka.streams.consumer.max.poll.records=2000); repeatable.")
    Map<String, String> settings = new HashMap<>();

    @Option(names = "--cpu-breakdown", description = "Also print, for each measured run, its CPU per event by thread group (stream thread, producer, broker, JIT, GC).")
    boolean cpuBreakdown;

    @Mixin
    BenchOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final String WARM_UP = "bench-warmup-";
    private Path dir;

    @Override
    public Integer call() throws Exception {
        if (events < 1 || rounds < 1 || threads < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--events, --rounds and --threads must each be at least 1");
        }
        for (String key : settings.keySet()) {
            if (!StreamProcessorConfig.LOADER.isKnown(key)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--set: unknown stream-processor setting '" + key
                        + "' (docs/stream-processor.md lists them; Kafka settings go under kafka.streams.* or kafka.client.*)");
            }
        }
        PrintStream out = System.out;
        dir = options.workDir();
        // State left by an earlier run belongs to a broker that is gone; Streams would wipe it mid-measurement.
        deleteTree(dir.resolve("streams-state"));
        List<byte[]> corpus = options.corpus().events();
        try (LocalStack stack = new LocalStack(LocalStackSettings.fromEnvironment(System.getenv(), dir.resolve("streams-stack")))) {
            String bootstrap = stack.kafkaBootstrap();
            String raw = "bench.streams.raw";
            long bytes = load(bootstrap, raw, corpus);
            out.printf("Audit Keeper stream-processor benchmark: %d raw events (%.1f MB) on 6 partitions, exactly_once_v2, "
                    + "%d stream thread(s), broker in this JVM, %d cores%n%n", events, bytes / 1048576.0, threads,
                    Runtime.getRuntime().availableProcessors());
            double passthroughSum = 0;
            double topologySum = 0;
            double[] roundRatios = new double[rounds];
            double[] floorRatios = new double[rounds];
            double floorSum = 0;
            warmUp(out, bootstrap, raw);
            out.printf("%-18s %10s %22s %22s%n", "", "events/s", "stream thread CPU/event", "process CPU/event");
            for (int r = 0; r < rounds; r++) {
                Run p = passthrough(bootstrap, raw, "bench-passthrough-" + r);
                out.printf("%-18s %10.0f %20.1f µs %20.1f µs%n%s", "passthrough", p.rate(), p.threadMicros(), p.processMicros(), p.cpuBreakdown());
                Run t = topology(bootstrap, raw, "bench-topology-" + r);
                out.printf("%-18s %10.0f %20.1f µs %20.1f µs%n%s", "audit topology", t.rate(), t.threadMicros(), t.processMicros(), t.cpuBreakdown());
                if (floor) {
                    Run f = dedupeFloor(bootstrap, raw, "bench-floor-" + r);
                    out.printf("%-18s %10.0f %20.1f µs %20.1f µs%n%s", "dedupe floor", f.rate(), f.threadMicros(), f.processMicros(), f.cpuBreakdown());
                    floorSum += f.rate();
                    floorRatios[r] = f.rate() / p.rate();
                }
                passthroughSum += p.rate();
                topologySum += t.rate();
                roundRatios[r] = t.rate() / p.rate();
            }
            out.printf("%nmean: passthrough %.0f events/s, audit topology %.0f events/s, ratio %.2f (target >= 0.60)%n",
                    passthroughSum / rounds, topologySum / rounds, topologySum / passthroughSum);
            out.printf("ratio of each round (topology to the passthrough run just before it): %s; median %.2f%n",
                    java.util.Arrays.stream(roundRatios).mapToObj(x -> String.format("%.2f", x))
                            .collect(java.util.stream.Collectors.joining(" / ")), median(roundRatios));
            if (floor) {
                out.printf("dedupe floor: mean %.0f events/s, ratio %.2f; ratio of each round: %s; median %.2f "
                                + "(the most the topology could reach with per-event code that cost nothing)%n",
                        floorSum / rounds, floorSum / passthroughSum, java.util.Arrays.stream(floorRatios)
                                .mapToObj(x -> String.format("%.2f", x)).collect(java.util.stream.Collectors.joining(" / ")),
                        median(floorRatios));
            }
        }
        return 0;
    }

    /**
     * Unmeasured runs of both topologies until the JIT has compiled what they run: with the broker, Kafka Streams and
     * Jackson in one JVM on two cores, the compiler threads are busy for minutes, and a run timed while they are
     * measures the compiler, not the topology. A service runs for days; this measures what it does after its first
     * minutes.
     */
    private void warmUp(PrintStream out, String bootstrap, String raw) throws Exception {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long started = System.nanoTime();
        for (int round = 1; ; round++) {
            long jit0 = jit.getTotalCompilationTime();
            long t0 = System.nanoTime();
            passthrough(bootstrap, raw, WARM_UP + "passthrough-" + round);
            topology(bootstrap, raw, WARM_UP + "topology-" + round);
            if (floor) {
                dedupeFloor(bootstrap, raw, WARM_UP + "floor-" + round);
            }
            double share = (jit.getTotalCompilationTime() - jit0) / ((System.nanoTime() - t0) / 1e6);
            if (share <= warmUpJitShare || round == maxWarmUpRounds) {
                out.printf("warm-up: %d round(s) of each topology in %.0f s; the JIT compiled for %.0f%% of the last one%n%n",
                        round, (System.nanoTime() - started) / 1e9, 100 * share);
                return;
            }
        }
    }

    /**
     * The median of the rounds' ratios: each pairs a topology run with the passthrough run just before it, so a drift
     * of this shared machine over the minutes of a benchmark weighs less than in the ratio of the means.
     */
    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private long load(String bootstrap, String topic, List<byte[]> corpus) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        }
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "linger.ms", 5, "batch.size", 262144, "compression.type", "lz4"), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<byte[]> input = NormalizedEvents.raw(corpus, events);
            for (int i = 0; i < input.size(); i++) {
                byte[] value = input.get(i);
                bytes += value.length;
                RecordHeaders h = new RecordHeaders();
                AuditHeaders.put(h, AuditHeaders.CLUSTER, "bench");
                p.send(new ProducerRecord<>(topic, null, ("bench-" + i).getBytes(StandardCharsets.UTF_8), value, h));
            }
            p.flush();
        }
        return bytes;
    }

    /** One measured run: the rate, and CPU per event of the stream thread and of the whole process (broker included). */
    record Run(double rate, double threadMicros, double processMicros, String cpuBreakdown) {
    }

    private Run passthrough(String bootstrap, String raw, String appId) throws Exception {
        AtomicLong seen = new AtomicLong();
        StreamsBuilder b = new StreamsBuilder();
        b.stream(raw, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .peek((k, v) -> seen.incrementAndGet())
                .to(appId + ".out", Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        StreamProcessorConfig config = config(bootstrap, raw, appId);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(appId + ".out", 6, (short) 1))).all().get();
        }
        return run(b.build(), StreamProcessorService.streamsProperties(config), seen::get);
    }

    /** The {@link DedupeFloorProcessor} under the topology's own Streams configuration. */
    private Run dedupeFloor(String bootstrap, String raw, String appId) throws Exception {
        AtomicLong seen = new AtomicLong();
        StreamProcessorConfig config = config(bootstrap, raw, appId);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(config.eventsTopic(), 6, (short) 1))).all().get();
        }
        return run(dedupeFloorTopology(raw, config.eventsTopic(), config.dedupeWindow(), seen),
                StreamProcessorService.streamsProperties(config), seen::get);
    }

    /** {@code raw} through a {@link DedupeFloorProcessor} to {@code out}; {@code seen} counts the records it read. */
    static Topology dedupeFloorTopology(String raw, String out, java.time.Duration window, AtomicLong seen) {
        StreamsBuilder b = new StreamsBuilder();
        b.addStateStore(AuditTopology.seenStore(AuditTopology.DEDUPE_STORE, window));
        b.stream(raw, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new DedupeFloorProcessor(window, seen), AuditTopology.DEDUPE_STORE)
                .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        return b.build();
    }

    private Run topology(String bootstrap, String raw, String appId) throws Exception {
        StreamProcessorConfig config = config(bootstrap, raw, appId);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            io.auditkeeper.kafka.TopicBootstrap.ensureTopics(admin, config.outputTopics(), true, 64L * 1024 * 1024);
        }
        MeterRegistry registry = new SimpleMeterRegistry();
        Topology t = StreamProcessorService.topology(config, registry);
        LongSupplier done = () -> (long) (registry.find("auditkeeper.streams.events.processed").counters().stream().mapToDouble(c -> c.count()).sum()
                + registry.find("auditkeeper.streams.events.duplicates").counters().stream().mapToDouble(c -> c.count()).sum()
                + registry.find("auditkeeper.streams.events.rejected").counters().stream().mapToDouble(c -> c.count()).sum());
        return run(t, StreamProcessorService.streamsProperties(config), done);
    }

    private StreamProcessorConfig config(String bootstrap, String raw, String appId) throws Exception {
        Map<String, Object> s = new HashMap<>();
        s.put("kafka.bootstrap-servers", bootstrap);
        s.put("application.id", appId);
        s.put("topics.raw.name", raw);
        s.put("topics.events.name", appId + ".events");
        s.put("topics.phi-access.name", appId + ".phi");
        s.put("topics.alerts.name", appId + ".alerts");
        s.put("topics.dlq.name", appId + ".dlq");
        s.put("phi.namespaces", phiNamespaces);
        s.put("streams.threads", Integer.toString(threads));
        s.put("admin.enabled", "false");
        s.put("streams.state-dir", Files.createDirectories(dir.resolve("streams-state").resolve(appId)).toString());
        s.putAll(settings);
        return StreamProcessorConfig.of(s);
    }

    private Run run(Topology topology, Properties props, LongSupplier processed) throws Exception {
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        String appId = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        try (KafkaStreams streams = new KafkaStreams(topology, props)) {
            streams.start();
            long deadline = System.nanoTime() + 600_000_000_000L;
            long first = 0;
            long firstCount = 0;
            long threadCpu0 = 0;
            long processCpu0 = 0;
            CpuBreakdown breakdown = null;
            while (processed.getAsLong() < events && System.nanoTime() < deadline) {
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    throw new IllegalStateException("the benchmark application stopped: " + streams.state());
                }
                if (first == 0 && processed.getAsLong() > 0) {
                    first = System.nanoTime();
                    firstCount = processed.getAsLong();
                    threadCpu0 = streamThreadCpu(appId);
                    breakdown = cpuBreakdown && !appId.startsWith(WARM_UP) ? CpuBreakdown.start(appId) : null;
                    processCpu0 = processCpu();
                }
                Thread.sleep(5);
            }
            long end = System.nanoTime();
            long n = processed.getAsLong() - firstCount;
            return new Run(n / ((end - first) / 1e9), (streamThreadCpu(appId) - threadCpu0) / 1e3 / n,
                    (processCpu() - processCpu0) / 1e3 / n, breakdown == null ? "" : breakdown.report(appId, n));
        }
    }

    private static long streamThreadCpu(String appId) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(appId) && t.getName().contains("-StreamThread-")) {
                sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
