package io.auditkeeper.demo.bench;

import io.auditkeeper.archiver.ArchiverService;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.s3.ArchiveBucketBootstrap;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code auditkeeper bench archiver}: the archiver's two writers against the plain store operations they are built on,
 * on the local stack and the same pre-loaded topic of normalized events. The archive writer (Object Lock PUTs, signed
 * manifests, exactly-once commits) is compared with plain PUTs of the same objects with the same headers, and the
 * index writer with plain {@code _bulk} requests of the same documents in the same batches; a warm-up round on a
 * smaller topic comes first, so that neither side is timed while the JIT compiles it.
 */
@Command(name = "archiver", mixinStandardHelpOptions = true,
        description = "Measure the archive and index writers against plain S3 PUTs and plain OpenSearch bulk requests.")
public final class ArchiverBenchCommand implements Callable<Integer> {
    private static final int PARTITIONS = 6;

    @Option(names = "--events", defaultValue = "48000", description = "Normalized events loaded for the measured round (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--batch-events", defaultValue = "2000",
            description = "Events per archive object (batch.max-events); best a divisor of events/6 (default: ${DEFAULT-VALUE}).")
    int batchEvents;

    @Mixin
    BenchOptions options;

    private Path dir;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        dir = options.workDir();
        List<byte[]> corpus = options.corpus().events();
        int warmupEvents = PARTITIONS * batchEvents;
        List<byte[]> all = NormalizedEvents.build(corpus, events + warmupEvents);
        List<byte[]> warm = all.subList(events, all.size());
        List<byte[]> measured = all.subList(0, events);
        Path keys = Files.createDirectories(dir.resolve("archiver-keys"));
        Path key = keys.resolve("manifest-signing.pem");
        if (!Files.exists(key)) {
            ManifestSigner.generate(key, keys.resolve("manifest-signing.pub.pem"));
        }
        try (LocalStack stack = new LocalStack(LocalStackSettings.fromEnvironment(System.getenv(), dir.resolve("archiver-stack")))) {
            String run = UUID.randomUUID().toString().substring(0, 8);
            ArchiverConfig config = config(stack, "bench-" + run, key);
            String warmTopic = "bench.archiver.warmup." + run;
            String topic = "bench.archiver.events." + run;
            NormalizedEvents.load(config.bootstrapServers(), warmTopic, PARTITIONS, warm);
            long bytes = NormalizedEvents.load(config.bootstrapServers(), topic, PARTITIONS, measured);
            try (S3Client s3 = ArchiverService.s3Client(config)) {
                ArchiveBucketBootstrap.ensure(s3, config.bucket(), config.retentionYears(), true);
                ArchiveBench archive = new ArchiveBench(config, s3, ManifestSigner.fromPemFile(key));
                IndexBench index = new IndexBench(config);
                out.printf("Audit Keeper archiver benchmark: %d normalized events (%.1f MB, %.1f KB each on average) on %d "
                                + "partitions, %d events per archive object, bulk batches as polled; S3 is Ceph radosgw, OpenSearch "
                                + "%s, broker in this JVM, %d cores%n%n", events, bytes / 1048576.0, bytes / 1024.0 / events,
                        PARTITIONS, batchEvents, "2.19 in this JVM", Runtime.getRuntime().availableProcessors());

                round(archive, index, warmTopic, warm, "warm-" + run, null);
                round(archive, index, topic, measured, "run-" + run, out);
            }
        }
        return 0;
    }

    /** One round of the four measurements; printed when {@code out} is given (the warm-up round is not). */
    private void round(ArchiveBench archive, IndexBench index, String topic, List<byte[]> docs, String name, PrintStream out)
            throws Exception {
        ArchiveBench.Run writer = archive.archive(topic, name + "-writer", docs.size());
        ArchiveBench.Run puts = archive.plainPuts(archive.objectsUnder(name + "-writer"), name + "-plain");
        ArchiveBench.Run gzip = ArchiveBench.gzipOnly(docs, PARTITIONS, batchEvents);
        List<Integer> batches = new ArrayList<>();
        IndexBench.Run indexer = index.index(topic, "bench-" + name + "-writer", docs.size(), batches);
        IndexBench.Run bulk = index.plainBulk(index.bulkBodies(docs, batches, "bench-" + name + "-plain"),
                "bench-" + name + "-plain", docs.size());
        if (out == null) {
            return;
        }
        out.printf("%-34s %12s %10s %14s%n", "", "events/s", "seconds", "requests");
        out.printf("%-34s %12.0f %10.2f %8d objects (%.1f MB gzip)%n", "archive writer (ArchiveWriterLoop)", writer.rate(),
                writer.seconds(), writer.objects(), writer.bytes() / 1048576.0);
        out.printf("%-34s %12.0f %10.2f %8d PUTs%n", "plain S3 PUT, same objects", puts.rate(), puts.seconds(), puts.objects());
        out.printf("%-34s %12.0f %10.2f%n", "gzip of the same batches, alone", gzip.rate(), gzip.seconds());
        out.printf("%-34s %12.0f %10.2f %8d bulks (%.0f docs each)%n", "index writer (IndexWriterLoop)", indexer.rate(),
                indexer.seconds(), indexer.requests(), (double) indexer.documents() / indexer.requests());
        out.printf("%-34s %12.0f %10.2f %8d bulks%n", "plain _bulk, same batches", bulk.rate(), bulk.seconds(), bulk.requests());
        out.printf("%nratio archive / plain PUT: %.2f%nratio index / plain bulk:  %.2f%n",
                writer.rate() / puts.rate(), indexer.rate() / bulk.rate());
    }

    private ArchiverConfig config(LocalStack stack, String bucket, Path key) {
        return ArchiveBench.config(stack, bucket, key, Map.of("batch.max-events", Integer.toString(batchEvents),
                "batch.max-age-ms", "1000", "opensearch.url", stack.openSearchUrl(), "opensearch.replicas", "0",
                "topics.dlq.name", "bench.archiver.dlq"));
    }
}
