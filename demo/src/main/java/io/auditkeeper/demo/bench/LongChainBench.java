package io.auditkeeper.demo.bench;

import io.auditkeeper.archiver.ArchiverService;
import io.auditkeeper.archiver.archive.ArchiveWriterLoop;
import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.s3.ArchivedObject;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.cli.investigate.ArchiveVerification;
import io.auditkeeper.cli.investigate.TimeWindow;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.evidence.proof.MerkleTree;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;

/**
 * The long-chain part of {@code bench verify}: one partition with a manifest chain of years (10^5 entries is some
 * 70 days of one-minute batches), to measure what grows with history: the archiver taking the partition up after an
 * interrupted write, and {@code verify} of a recent period. Only the recent period's entries have their objects in the
 * bucket; the entries before it name objects that are not there, which a period's verification never fetches. The
 * chain is written directly (signed entries PUT in parallel), since having the archive writer cut 10^5 batches would
 * take hours.
 */
final class LongChainBench {
    private static final int WRITERS = 32;
    private static final Duration OLD_SPACING = Duration.ofMinutes(5);

    private final ArchiverConfig config;
    private final S3Client s3;
    private final ManifestSigner signer;
    private final PrintStream out;

    LongChainBench(ArchiverConfig config, S3Client s3, ManifestSigner signer, PrintStream out) {
        this.config = config;
        this.s3 = s3;
        this.signer = signer;
        this.out = out;
    }

    /**
     * Writes a chain of {@code entries} one-offset entries under {@code prefix} (the last {@code recent} of the last
     * hour, with their objects), then measures the head lookup both ways, the archiver's resume, and the period's
     * verification at {@code parallelism}.
     */
    void run(String topic, String prefix, int entries, int recent, int parallelism, ManifestVerifier verifier)
            throws Exception {
        Instant now = Instant.now();
        Instant recentFrom = now.minus(Duration.ofHours(1));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", config.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        long t0 = System.nanoTime();
        produce(topic, entries);
        ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, config.bucket(), config.retentionYears(),
                ObjectLockArchiveWriter.Encryption.none());
        S3ManifestStore manifests = new S3ManifestStore(s3, config.bucket(), prefix, writer);
        List<ManifestEntry> chain = writeChain(writer, manifests, topic, prefix, entries, recent, now, recentFrom);
        double writeSeconds = (System.nanoTime() - t0) / 1e9;
        out.printf("Long chain: %,d manifest entries on one partition (the last %d, of the last hour, with their"
                + " objects), written in %.0f s (%.0f entries/s, %d at once)%n%n", entries, recent, writeSeconds,
                entries / writeSeconds, WRITERS);

        ManifestEntry head = chain.get(chain.size() - 1);
        long next = head.lastOffset() + 1;
        double full = timed(() -> requireHead(manifests.last(topic, 0), head));
        double near = timed(() -> requireHead(manifests.last(topic, 0, next, 2L * config.batchMaxEvents()), head));
        double resume = resume(writer, manifests, topic, prefix, next);
        out.printf("%-58s %10s%n", "taking up the partition", "ms");
        out.printf("%-58s %10.1f%n", "head by listing the whole chain (the lookup before)", full * 1000);
        out.printf("%-58s %10.1f%n", "head by listing from the committed offset", near * 1000);
        out.printf("%-58s %10.1f%n", "archiver resume, intent committed (assignment to ready)", resume * 1000);
        out.println();

        long v0 = System.nanoTime();
        ArchiveVerification.Outcome outcome = new ArchiveVerification(s3, config.bucket(), prefix, verifier,
                Duration.ofDays(6 * 365)).withParallelism(parallelism)
                .verify(topic, new TimeWindow(recentFrom, now.plusSeconds(60)), Instant.now());
        double seconds = (System.nanoTime() - v0) / 1e9;
        long checked = outcome.partitions().stream().mapToLong(p -> p.entries().size()).sum();
        if (checked != recent || !outcome.partitions().stream().allMatch(p -> p.problems().isEmpty())) {
            throw new IllegalStateException("the period does not verify as written (" + checked + " of " + recent
                    + " objects): " + outcome.partitions().stream().map(p -> p.problems().toString()).toList());
        }
        out.printf("verify --from <an hour ago> at --parallelism %d: %d objects in %.2f s, %.0f objects/s%n",
                parallelism, checked, seconds, checked / seconds);
    }

    /** The archiver's writer loop taking the partition up from an intent whose PUT never reached S3; seconds. */
    private double resume(ObjectLockArchiveWriter writer, S3ManifestStore manifests, String topic, String prefix,
                          long next) {
        TopicPartition tp = new TopicPartition(topic, 0);
        String group = "bench-resume-" + prefix;
        try (KafkaConsumer<byte[], byte[]> died = new KafkaConsumer<>(
                ArchiverService.archiveConsumerProperties(config, group), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            died.assign(Set.of(tp));
            String intended = new ArchiveLayout(prefix).events(topic, 0, next, next + 49, Instant.now());
            died.commitSync(Map.of(tp, new OffsetAndMetadata(next, "archive-intent:" + intended)));
        }
        List<Double> assigned = new ArrayList<>();
        Consumer<byte[], byte[]> consumer = timingAssignments(new KafkaConsumer<>(
                ArchiverService.archiveConsumerProperties(config, group), new ByteArrayDeserializer(),
                new ByteArrayDeserializer()), assigned);
        try (ArchiveWriterLoop loop = new ArchiveWriterLoop(consumer, writer, manifests, signer,
                new ArchiveWriterLoop.Settings(topic, prefix, config.batchMaxBytes(), config.batchMaxEvents(),
                        config.batchMaxAge(), Duration.ofMillis(100)))) {
            loop.subscribe();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (assigned.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the partition was not assigned within 2 minutes");
                }
                loop.runOnce();
            }
            if (!loop.blockedPartitions().isEmpty()) {
                throw new IllegalStateException("the partition did not resume: " + loop.blockedPartitions());
            }
        }
        return assigned.get(0);
    }

    /** {@code consumer}, telling {@code assigned} how long each assignment's callback (the writer's resume) took. */
    @SuppressWarnings("unchecked")
    private static Consumer<byte[], byte[]> timingAssignments(Consumer<byte[], byte[]> consumer, List<Double> assigned) {
        return (Consumer<byte[], byte[]>) Proxy.newProxyInstance(Consumer.class.getClassLoader(),
                new Class<?>[] {Consumer.class}, (proxy, method, args) -> {
                    if (method.getName().equals("subscribe") && args != null && args.length == 2
                            && args[1] instanceof ConsumerRebalanceListener listener) {
                        args[1] = new ConsumerRebalanceListener() {
                            @Override
                            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                                listener.onPartitionsRevoked(partitions);
                            }

                            @Override
                            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                                long t = System.nanoTime();
                                listener.onPartitionsAssigned(partitions);
                                if (!partitions.isEmpty()) {
                                    assigned.add((System.nanoTime() - t) / 1e9);
                                }
                            }

                            @Override
                            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                                listener.onPartitionsLost(partitions);
                            }
                        };
                    }
                    try {
                        return method.invoke(consumer, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private List<ManifestEntry> writeChain(ObjectLockArchiveWriter writer, S3ManifestStore manifests, String topic,
                                           String prefix, int entries, int recent, Instant now, Instant recentFrom)
            throws Exception {
        ArchiveLayout layout = new ArchiveLayout(prefix);
        int old = entries - recent;
        Instant oldFrom = recentFrom.minus(OLD_SPACING.multipliedBy(old + 1L));
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<ArchivedObject>> objects = new ArrayList<>();
            for (int i = old; i < entries; i++) {
                Instant at = at(i, old, recent, oldFrom, recentFrom, now);
                String key = layout.events(topic, 0, i, i, at);
                byte[] body = gzip(("{\"offset\":" + i + "}\n").getBytes(StandardCharsets.UTF_8));
                objects.add(pool.submit(() -> writer.put(key, body, "application/gzip", Map.of(), at)));
            }
            List<ManifestEntry> chain = new ArrayList<>(entries);
            String previous = ManifestEntry.GENESIS;
            for (int i = 0; i < entries; i++) {
                Instant at = at(i, old, recent, oldFrom, recentFrom, now);
                ManifestEntry e;
                if (i < old) {
                    e = ManifestEntry.unsigned(topic, 0, i, i, 1, at, at, layout.events(topic, 0, i, i, at),
                            "not-written", "0".repeat(64), previous, "COMPLIANCE",
                            at.plus(Duration.ofDays(365L * config.retentionYears() + 2)), "0".repeat(64));
                } else {
                    ArchivedObject o = objects.get(i - old).get();
                    e = ManifestEntry.unsigned(topic, 0, i, i, 1, at, at, o.key(), o.versionId(), o.sha256(),
                            previous, "COMPLIANCE", o.retainUntil(), MerkleTree.rootHex(List.of(MerkleTree.leafHash(
                                    ("{\"offset\":" + i + "}").getBytes(StandardCharsets.UTF_8)))));
                }
                e = signer.sign(e);
                chain.add(e);
                previous = e.hash();
            }
            List<Future<?>> puts = new ArrayList<>(entries);
            for (ManifestEntry e : chain) {
                // one PUT each, locked as the archiver's (which first HEADs the key, for a retried write)
                byte[] body = ManifestCodec.write(List.of(e));
                String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body));
                puts.add(pool.submit(() -> s3.putObject(b -> b.bucket(config.bucket())
                        .key(manifests.key(topic, 0, e.firstOffset(), e.lastOffset())).contentType("application/x-ndjson")
                        .contentMD5(md5).objectLockMode(ObjectLockMode.COMPLIANCE)
                        .objectLockRetainUntilDate(Instant.parse(e.retainUntil())), RequestBody.fromBytes(body))));
            }
            for (int i = 0; i < puts.size(); i++) {
                puts.get(i).get();
                if ((i + 1) % 10_000 == 0) {
                    out.printf("  %,d of %,d manifest entries written%n", i + 1, entries);
                }
            }
            return chain;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Entry {@code i}'s time: five minutes apart before the last hour, spread over the last hour after. */
    private static Instant at(int i, int old, int recent, Instant oldFrom, Instant recentFrom, Instant now) {
        if (i < old) {
            return oldFrom.plus(OLD_SPACING.multipliedBy(i));
        }
        long span = Duration.between(recentFrom, now).toMillis();
        return recentFrom.plusMillis(span * (i - old) / recent);
    }

    private void produce(String topic, int records) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                config.bootstrapServers(), "acks", "all", "linger.ms", 20), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                p.send(new ProducerRecord<>(topic, 0, null, ("{\"offset\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static void requireHead(java.util.Optional<ManifestEntry> found, ManifestEntry head) {
        if (!found.equals(java.util.Optional.of(head))) {
            throw new IllegalStateException("found head " + found + ", expected " + head);
        }
    }

    /** Seconds of {@code run}, best of three. */
    private static double timed(Runnable run) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t = System.nanoTime();
            run.run();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return best;
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
