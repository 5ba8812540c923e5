package io.auditkeeper.demo.bench;

import io.auditkeeper.demo.CorpusFiles;
import io.auditkeeper.ingest.IngestService;
import io.auditkeeper.ingest.batch.EventListSplitter;
import io.auditkeeper.ingest.batch.EventSlice;
import io.auditkeeper.ingest.batch.SplitBatch;
import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.ingest.kafka.KafkaClientSettings;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackSettings;
import io.auditkeeper.model.AuditHeaders;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code auditkeeper bench ingest}: the webhook at full speed against the plain Kafka producer it is built on. Both
 * send the same 400-event batches of real corpus events to the same broker with the same producer settings, each
 * sender waiting for a batch's acknowledgements before the next, so the ratio is what HTTPS, authentication,
 * parsing and the HTTP round trip cost.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Post EventList batches over HTTPS at full speed and compare with a plain Kafka producer.")
public final class IngestBenchCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "20", description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
    long seconds;

    @Option(names = "--warmup", defaultValue = "5", description = "Warm-up seconds before each kind (default: ${DEFAULT-VALUE}).")
    long warmup;

    @Option(names = "--rounds", defaultValue = "2", description = "Alternating runs of each kind (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--connections", defaultValue = "8", description = "Concurrent senders (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--batch-size", defaultValue = "400", description = "Events per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    BenchOptions options;

    private Path dir;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        dir = options.workDir();
        List<byte[]> events = options.corpus().events();
        List<byte[]> bodies = new ArrayList<>();
        for (int b = 0; b < 16; b++) {
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < batchSize; i++) {
                batch.add(events.get((b * 97 + i) % events.size()));
            }
            bodies.add(CorpusFiles.eventList(batch));
        }
        long bytesPerBatch = bodies.stream().mapToLong(b -> b.length).sum() / bodies.size();

        try (LocalStack stack = new LocalStack(LocalStackSettings.fromEnvironment(System.getenv(), dir.resolve("stack")))) {
            String bootstrap = stack.kafkaBootstrap();
            DevPki pki = DevPki.openOrCreate(dir.resolve("pki"));
            Map<String, Object> settings = new HashMap<>();
            settings.put("kafka.bootstrap-servers", bootstrap);
            settings.put("listen.host", "127.0.0.1");
            settings.put("listen.port", "0");
            settings.put("admin.enabled", "false");
            settings.put("tls.cert-file", pki.serverCert().toString());
            settings.put("tls.key-file", pki.serverKey().toString());
            settings.put("auth.client-ca-file", pki.caCert().toString());
            settings.put("topics.raw.name", "bench.ingest.raw");
            settings.put("topics.raw.partitions", "6");
            settings.put("topics.dlq.name", "bench.ingest.dlq");
            IngestConfig config = IngestConfig.of(settings);
            String plainTopic = "bench.plain.raw";
            try (Admin admin = Admin.create(KafkaClientSettings.admin(config))) {
                if (!admin.listTopics().names().get().contains(plainTopic)) {
                    admin.createTopics(List.of(new NewTopic(plainTopic, 6, (short) -1).configs(Map.of(
                            "max.message.bytes", Long.toString(KafkaClientSettings.maxRecordBytes(config)))))).all().get();
                }
            }

            out.printf("Audit Keeper ingest benchmark: %d senders, batches of %d corpus events (%.0f KB), %d s per run, "
                    + "%d round(s), broker in this JVM, %d cores%n%n", connections, batchSize, bytesPerBatch / 1024.0,
                    seconds, rounds, Runtime.getRuntime().availableProcessors());

            List<List<ProducerRecord<byte[], byte[]>>> plainBatches = plainRecords(bodies, plainTopic, batchSize);
            try (IngestService ingest = new IngestService(config).start();
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClientSettings.producer(config))) {
                URI uri = URI.create(ingest.webhookUri() + "/bench");
                javax.net.ssl.SSLContext tls = pki.clientSslContext(pki.clientCert(), pki.clientKey());
                List<KeepAliveHttpsPoster> posters = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    posters.add(new KeepAliveHttpsPoster(tls, uri));
                }
                LoadLoop.BatchSender viaIngest = (t, n) -> {
                    KeepAliveHttpsPoster poster = posters.get(t);
                    try {
                        return poster.post(bodies.get((int) ((n + t) % bodies.size()))) == 200;
                    } catch (java.io.IOException e) {
                        poster.close();
                        throw e;
                    }
                };
                LoadLoop.BatchSender viaProducer = (t, n) -> sendAndWait(producer, plainBatches.get((int) ((n + t) % plainBatches.size())));

                LoadLoop.run("warmup-producer", connections, warmup, batchSize, bytesPerBatch, viaProducer);
                LoadLoop.run("warmup-ingest", connections, warmup, batchSize, bytesPerBatch, viaIngest);
                List<LoadResult> plain = new ArrayList<>();
                List<LoadResult> webhook = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    plain.add(measured(out, "plain producer", bytesPerBatch, viaProducer));
                    webhook.add(measured(out, "ingest webhook", bytesPerBatch, viaIngest));
                }
                double plainRate = plain.stream().mapToDouble(LoadResult::eventsPerSecond).average().orElse(0);
                double ingestRate = webhook.stream().mapToDouble(LoadResult::eventsPerSecond).average().orElse(0);
                out.printf("%nmean: plain producer %.0f events/s, ingest webhook %.0f events/s, ratio %.2f (target >= 0.80)%n",
                        plainRate, ingestRate, ingestRate / plainRate);
                posters.forEach(KeepAliveHttpsPoster::close);
                long failures = webhook.stream().mapToLong(LoadResult::failures).sum();
                return failures == 0 ? 0 : 1;
            }
        }
    }

    /** One measured run, printed with the CPU per event of this JVM's threads by role over it. */
    private LoadResult measured(PrintStream out, String name, long bytesPerBatch, LoadLoop.BatchSender sender) throws Exception {
        long pid = ProcessHandle.current().pid();
        Map<String, Long> before = ProcessCpu.threadNanos(pid, IngestBenchCommand::role);
        LoadResult r = LoadLoop.run(name, connections, seconds, batchSize, bytesPerBatch, sender);
        Map<String, Long> after = ProcessCpu.threadNanos(pid, IngestBenchCommand::role);
        print(out, r);
        long events = (long) r.batchLatencyNanos().length * batchSize;
        after.merge(role(name + "-0"), r.senderCpuNanos(), Long::sum);
        StringBuilder line = new StringBuilder("    CPU per event:");
        after.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> line.append(String.format(" %s %.1f µs;", e.getKey(), e.getValue() / 1e3 / events)));
        long all = after.values().stream().mapToLong(Long::longValue).sum() - before.values().stream().mapToLong(Long::longValue).sum();
        out.printf("%s all %.1f µs%n", line, all / 1e3 / Math.max(1, events));
        return r;
    }

    /**
     * The role of a thread of this JVM, by its Linux name (15 characters): the webhook's request threads (TLS, HTTP,
     * the body's check, the Kafka sends), the client's, the plain producer's sending threads, the producer's network
     * thread, the broker, the JIT and GC.
     */
    static String role(String thread) {
        String jvm = PipelineCpu.jvmGroup(thread);
        if (jvm != null) {
            return jvm;
        }
        if (thread.startsWith("ingest-http")) {
            return "webhook request threads";
        }
        if (thread.startsWith("ingest webhook")) {
            return "HTTPS client";
        }
        if (thread.startsWith("plain producer")) {
            return "plain producer's senders";
        }
        if (thread.startsWith("kafka-producer-")) {
            return "producer network thread";
        }
        if (thread.startsWith("data-plane-kafk") || thread.startsWith("kafka-") || thread.startsWith("quorum-")
                || thread.startsWith("group-coordina") || thread.startsWith("broker-")) {
            return "broker";
        }
        return "other";
    }

    private static void print(PrintStream out, LoadResult r) {
        out.printf("%-15s %8.0f events/s %7.1f MB/s   batch ack latency p50 %6.1f ms  p99 %6.1f ms   (%d batches, %d failed)%n",
                r.name(), r.eventsPerSecond(), r.megabytesPerSecond(), r.latencyMillis(0.50), r.latencyMillis(0.99),
                r.batchLatencyNanos().length, r.failures());
    }

    /** The records ingest writes for each body: the same key, bytes and headers. */
    private static List<List<ProducerRecord<byte[], byte[]>>> plainRecords(List<byte[]> bodies, String topic, int batchSize)
            throws Exception {
        EventListSplitter splitter = new EventListSplitter(batchSize);
        RecordHeader[] headers = {
                new RecordHeader(AuditHeaders.CLUSTER, "bench".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader(AuditHeaders.RECEIVED_AT, Instant.now().toString().getBytes(StandardCharsets.UTF_8)),
                new RecordHeader(AuditHeaders.CLIENT, "mtls:CN=kube-apiserver".getBytes(StandardCharsets.UTF_8))};
        List<List<ProducerRecord<byte[], byte[]>>> out = new ArrayList<>();
        for (byte[] body : bodies) {
            SplitBatch batch = splitter.split(body, body.length);
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (EventSlice s : batch.events()) {
                records.add(new ProducerRecord<>(topic, null, s.auditId().getBytes(StandardCharsets.UTF_8),
                        java.util.Arrays.copyOfRange(body, s.offset(), s.offset() + s.length()), new RecordHeaders(headers)));
            }
            out.add(records);
        }
        return out;
    }

    private static boolean sendAndWait(KafkaProducer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> batch)
            throws Exception {
        CompletableFuture<?>[] acks = new CompletableFuture<?>[batch.size()];
        for (int i = 0; i < acks.length; i++) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            acks[i] = f;
            ProducerRecord<byte[], byte[]> r = batch.get(i);
            producer.send(new ProducerRecord<>(r.topic(), null, r.key(), r.value(), new RecordHeaders(r.headers().toArray())),
                    (m, e) -> {
                        if (e == null) {
                            f.complete(null);
                        } else {
                            f.completeExceptionally(e);
                        }
                    });
        }
        CompletableFuture.allOf(acks).get(30, TimeUnit.SECONDS);
        return true;
    }
}
