package io.auditkeeper.demo.bench;

import io.auditkeeper.archiver.ArchiverService;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.s3.ArchiveBucketBootstrap;
import io.auditkeeper.cli.investigate.ArchiveVerification;
import io.auditkeeper.cli.investigate.TimeWindow;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code auditkeeper bench verify}: how fast {@code auditkeeper verify} checks an archive, at several read-ahead
 * depths. Six years of archive are hundreds of thousands of objects, each a GET and a version listing, so the figure
 * that matters is objects per second. The archive is written by the real archive writer on the local stack (Ceph on
 * loopback, so each request is cheap: against AWS S3, where a request takes tens of milliseconds, reading ahead
 * matters more than here).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Measure archive verification (objects per second) at several --parallelism values.")
public final class VerifyBenchCommand implements Callable<Integer> {
    private static final int PARTITIONS = 6;

    @Option(names = "--objects", defaultValue = "600", description = "Archive objects to write and verify (default: ${DEFAULT-VALUE}).")
    int objects;

    @Option(names = "--events-per-object", defaultValue = "50", description = "Events in each object (default: ${DEFAULT-VALUE}).")
    int eventsPerObject;

    @Option(names = "--parallelism", split = ",", defaultValue = "1,4,8,16",
            description = "Read-ahead depths to measure, in this order (default: ${DEFAULT-VALUE}).")
    List<Integer> parallelism;

    @Option(names = "--chain-entries", defaultValue = "0",
            description = "Instead: one partition with a manifest chain of this many entries (e.g. 100000); measure"
                    + " the archiver taking it up and verify of its last hour (default: off).")
    int chainEntries;

    @Option(names = "--recent-objects", defaultValue = "600",
            description = "With --chain-entries: entries of the last hour, with their objects (default: ${DEFAULT-VALUE}).")
    int recentObjects;

    @Mixin
    BenchOptions options;

    private Path dir;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        dir = options.workDir();
        Path keys = Files.createDirectories(dir.resolve("verify-keys"));
        Path key = keys.resolve("manifest-signing.pem");
        Path publicKey = keys.resolve("manifest-signing.pub.pem");
        if (!Files.exists(key)) {
            ManifestSigner.generate(key, publicKey);
        }
        if (chainEntries > 0) {
            return longChain(out, key, publicKey);
        }
        int perPartition = Math.max(1, objects / PARTITIONS);
        List<byte[]> events = NormalizedEvents.build(options.corpus().events(),
                PARTITIONS * perPartition * eventsPerObject);
        try (LocalStack stack = new LocalStack(LocalStackSettings.fromEnvironment(System.getenv(), dir.resolve("verify-stack")))) {
            String run = UUID.randomUUID().toString().substring(0, 8);
            ArchiverConfig config = config(stack, "bench-verify-" + run, key);
            String topic = "bench.verify." + run;
            NormalizedEvents.load(config.bootstrapServers(), topic, PARTITIONS, events);
            try (S3Client s3 = ArchiverService.s3Client(config)) {
                ArchiveBucketBootstrap.ensure(s3, config.bucket(), config.retentionYears(), true);
                String prefix = "run-" + run;
                ArchiveBench.Run written = new ArchiveBench(config, s3, ManifestSigner.fromPemFile(key))
                        .archive(topic, prefix, events.size());
                out.printf("Audit Keeper verify benchmark: %d objects of %d events (%.1f MB gzip) on %d partitions,"
                                + " S3 is Ceph radosgw on loopback, %d cores%n%n", written.objects(), eventsPerObject,
                        written.bytes() / 1048576.0, PARTITIONS, Runtime.getRuntime().availableProcessors());
                ManifestVerifier verifier = ManifestVerifier.fromPublicKeyPemFile(publicKey);
                // one unmeasured pass, so that neither the JIT nor Ceph's caches favour the first depth measured
                measure(s3, config.bucket(), prefix, verifier, topic, parallelism.get(0));
                out.printf("%-14s %12s %10s%n", "parallelism", "objects/s", "seconds");
                double first = 0;
                for (int p : parallelism) {
                    double[] r = measure(s3, config.bucket(), prefix, verifier, topic, p);
                    first = first == 0 ? r[0] : first;
                    out.printf("%-14d %12.0f %10.2f   (%.1fx the first)%n", p, r[0], r[1], r[0] / first);
                }
            }
        }
        return 0;
    }

    /** {@code --chain-entries}: {@link LongChainBench} on a fresh local stack. */
    private int longChain(PrintStream out, Path key, Path publicKey) throws Exception {
        if (recentObjects < 1 || recentObjects > chainEntries) {
            throw new IllegalArgumentException("--recent-objects must be between 1 and --chain-entries");
        }
        try (LocalStack stack = new LocalStack(LocalStackSettings.fromEnvironment(System.getenv(), dir.resolve("verify-stack")))) {
            String run = UUID.randomUUID().toString().substring(0, 8);
            ArchiverConfig config = config(stack, "bench-chain-" + run, key);
            try (S3Client s3 = ArchiverService.s3Client(config)) {
                ArchiveBucketBootstrap.ensure(s3, config.bucket(), config.retentionYears(), true);
                out.printf("Audit Keeper long-chain benchmark: S3 is Ceph radosgw on loopback, %d cores%n%n",
                        Runtime.getRuntime().availableProcessors());
                new LongChainBench(config, s3, ManifestSigner.fromPemFile(key), out).run("bench.chain." + run,
                        "run-" + run, chainEntries, recentObjects, parallelism.get(parallelism.size() - 1),
                        ManifestVerifier.fromPublicKeyPemFile(publicKey));
            }
        }
        return 0;
    }

    /** objects/s and seconds of one verification; fails the run if the archive does not verify. */
    private static double[] measure(S3Client s3, String bucket, String prefix, ManifestVerifier verifier, String topic,
                                    int parallelism) {
        long t0 = System.nanoTime();
        ArchiveVerification.Outcome outcome = new ArchiveVerification(s3, bucket, prefix, verifier,
                Duration.ofDays(6 * 365)).withParallelism(parallelism).verify(topic, TimeWindow.ALL, Instant.now());
        double seconds = (System.nanoTime() - t0) / 1e9;
        long checked = outcome.partitions().stream().mapToLong(p -> p.entries().size()).sum();
        boolean ok = outcome.partitions().stream().allMatch(p -> p.problems().isEmpty());
        if (!ok || checked == 0) {
            throw new IllegalStateException("the benchmark archive does not verify: " + outcome.partitions());
        }
        return new double[]{checked / seconds, seconds};
    }

    private ArchiverConfig config(LocalStack stack, String bucket, Path key) {
        return ArchiveBench.config(stack, bucket, key, Map.of("batch.max-events", Integer.toString(eventsPerObject),
                "batch.max-age-ms", "60000", "topics.dlq.name", "bench.verify.dlq"));
    }
}
