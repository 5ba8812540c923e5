package io.auditkeeper.archiver;

import io.auditkeeper.archiver.archive.KeyHistoryPublisher;
import java.time.Clock;
import io.auditkeeper.archiver.archive.DigestSchedule;
import io.auditkeeper.archiver.archive.ArchiveWriterLoop;
import io.auditkeeper.archiver.archive.DigestWriter;
import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.metrics.ArchiveMetrics;
import io.auditkeeper.archiver.s3.ArchiveBucketBootstrap;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.deadletter.DeadLetterEnvelope;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.kafka.TopicBootstrap;
import io.auditkeeper.kafka.TopicCheck;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The S3 archive: the bucket checked (or created) with Object Lock, the manifest public key published next to the
 * archive, the exactly-once archive writer of the events on its own thread and, with {@code dead-letters.archive}, the
 * one of the dead-letter topic on another, each with its own consumer group and metrics so that neither waits for the
 * other; both publish their manifest entries to the archive topic. The digests of every archived topic are written on
 * a schedule, by one archiver at a time. Ready while its writer threads run.
 */
final class ArchivePipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArchivePipeline.class);
    private static final Duration DIGEST_RETRY = Duration.ofSeconds(5);

    private final ArchiverConfig config;
    private final MeterRegistry registry;
    private final AtomicBoolean running = new AtomicBoolean();
    private S3Client s3;
    private KafkaProducer<byte[], byte[]> entries;
    private KafkaConsumer<byte[], byte[]> consumer;
    private ArchiveWriterLoop loop;
    private ArchiveMetrics metrics;
    private Thread thread;
    private volatile Throwable failure;
    private KafkaConsumer<byte[], byte[]> deadLetterConsumer;
    private ArchiveWriterLoop deadLetterLoop;
    private ArchiveMetrics deadLetterMetrics;
    private Thread deadLetterThread;
    private volatile Throwable deadLetterFailure;
    private KafkaConsumer<byte[], byte[]> digestConsumer;
    private Thread digestThread;

    private KeyHistoryPublisher keyHistory;
    private ManifestSigner signer;

    ArchivePipeline(ArchiverConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    /**
     * {@code manifests/public-key.pem}, for convenience: the key of the archive's first archiver. After a rotation it
     * stays the first key (it is locked), which is the one an auditor pins; the key history names the others.
     */
    private void publishFirstPublicKey(ObjectLockArchiveWriter writer, String key, ManifestSigner signer) {
        try {
            s3.headObject(b -> b.bucket(config.bucket()).key(key));
        } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
            writer.put(key, signer.publicKeyPem().getBytes(StandardCharsets.US_ASCII), "application/x-pem-file",
                    Map.of(), Instant.now());
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            writer.put(key, signer.publicKeyPem().getBytes(StandardCharsets.US_ASCII), "application/x-pem-file",
                    Map.of(), Instant.now());
        }
    }

    /** Checks the bucket, publishes the public key, subscribes the writers and starts their threads and the digests. */
    ArchivePipeline start() throws IOException {
        s3 = ArchiverClients.s3Client(config);
        ArchiveBucketBootstrap.ensure(s3, config.bucket(), config.retentionYears(), config.createBucket());
        ObjectLockArchiveWriter.Encryption encryption = switch (config.sse()) {
            case "AES256" -> new ObjectLockArchiveWriter.Encryption(ServerSideEncryption.AES256, null);
            case "aws:kms" -> new ObjectLockArchiveWriter.Encryption(ServerSideEncryption.AWS_KMS, config.kmsKeyId().orElseThrow());
            default -> ObjectLockArchiveWriter.Encryption.none();
        };
        ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, config.bucket(), config.retentionYears(), encryption);
        ManifestSigner signer = ManifestSigner.fromPemFile(config.signingKeyFile());
        ArchiveLayout layout = new ArchiveLayout(config.prefix());
        keyHistory = new KeyHistoryPublisher(s3, config.bucket(), layout, writer, config.retentionYears());
        keyHistory.ensure(signer, config.previousSigningKeyFile().map(ManifestSigner::fromPemFile), Instant.now());
        keyHistory.revoke(signer, config.revokedKeys(), Instant.now());
        this.signer = signer;
        publishFirstPublicKey(writer, layout.publicKey(), signer);
        S3ManifestStore manifests = new S3ManifestStore(s3, config.bucket(), config.prefix(), writer);
        metrics = new ArchiveMetrics(registry, config.groupId());

        ensureArchiveTopic();
        consumer = new KafkaConsumer<>(ArchiverClients.archiveConsumerProperties(config, config.groupId()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        entries = new KafkaProducer<>(ArchiverClients.producerProperties(config), new ByteArraySerializer(),
                new ByteArraySerializer());
        loop = new ArchiveWriterLoop(consumer, writer, manifests, signer, new ArchiveWriterLoop.Settings(config.eventsTopic(),
                config.prefix(), config.batchMaxBytes(), config.batchMaxEvents(), config.batchMaxAge(), Duration.ofMillis(500)),
                metrics);
        loop.publishEntriesTo(entries, config.archiveTopic());
        loop.limitTurnTo(config.archiveTurnBudget());
        loop.compressAt(config.compressionLevel());
        loop.subscribe();
        List<String> archivedTopics = new ArrayList<>(List.of(config.eventsTopic()));
        if (config.archiveDeadLetters()) {
            startDeadLetterArchive(writer, manifests, signer);
            archivedTopics.add(config.deadLetterTopic());
        }
        running.set(true);
        startDigests(new DigestWriter(s3, config.bucket(), config.prefix(), writer, manifests, signer), archivedTopics);
        thread = new Thread(() -> run(loop, "archive writer", e -> failure = e), "archive-writer");
        thread.start();
        if (deadLetterLoop != null) {
            deadLetterThread = new Thread(() -> run(deadLetterLoop, "dead-letter archive writer", e -> deadLetterFailure = e),
                    "dead-letter-archive-writer");
            deadLetterThread.start();
        }
        return this;
    }

    /**
     * The dead-letter topic archived like the events, under {@code dead-letters/}, each record as a
     * {@link DeadLetterEnvelope}; its own consumer group, metrics and thread, so that neither archive waits for the
     * other. Its consumer never creates the topic: ingest and the stream-processor do, with its retention.
     */
    private void startDeadLetterArchive(ObjectLockArchiveWriter writer, S3ManifestStore manifests, ManifestSigner signer) {
        Map<String, Object> props = ArchiverClients.archiveConsumerProperties(config, config.deadLetterGroupId());
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        deadLetterConsumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetterMetrics = ArchiveMetrics.deadLetters(registry, config.deadLetterGroupId());
        deadLetterLoop = new ArchiveWriterLoop(deadLetterConsumer, writer, manifests, signer, new ArchiveWriterLoop.Settings(
                config.deadLetterTopic(), config.prefix(), config.batchMaxBytes(), config.batchMaxEvents(),
                config.batchMaxAge(), Duration.ofMillis(500), ArchiveLayout.DEAD_LETTERS, DeadLetterEnvelope::line),
                deadLetterMetrics);
        deadLetterLoop.publishEntriesTo(entries, config.archiveTopic());
        deadLetterLoop.limitTurnTo(config.archiveTurnBudget());
        deadLetterLoop.compressAt(config.compressionLevel());
        deadLetterLoop.subscribe();
    }

    /**
     * A digest of every archived topic every {@code digest.interval-ms}, written by one archiver at a time: the one its
     * digest group ({@code <archive.group-id>-digests}) gives the archive topic's partition (see {@link DigestSchedule}).
     * A failed digest is logged and counted, and tried again on the next turn.
     */
    private void startDigests(DigestWriter digestWriter, List<String> archivedTopics) {
        digestConsumer = new KafkaConsumer<>(ArchiverClients.consumerProperties(config, config.groupId() + "-digests"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        DigestSchedule schedule = new DigestSchedule(digestConsumer, config.archiveTopic(), digestWriter, archivedTopics,
                config.digestInterval(), metrics, Clock.systemUTC());
        schedule.subscribe();
        digestThread = new Thread(() -> {
            try {
                while (running.get()) {
                    try {
                        if (schedule.runOnce().isPresent()) {
                            keyHistory.keepLocked(signer, Instant.now());
                        }
                    } catch (WakeupException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        if (e instanceof SdkException) {
                            metrics.s3WriteFailed();
                        }
                        LOG.atError().addKeyValue("exception", e.getClass().getName())
                                .log("digest not written: " + e.getMessage());
                        Thread.sleep(DIGEST_RETRY.toMillis());
                    }
                }
            } catch (WakeupException e) {
                // closing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                schedule.close();
            }
        }, "digest-writer");
        digestThread.start();
    }

    private void ensureArchiveTopic() {
        Map<String, Object> a = new HashMap<>(config.kafkaClientOverrides());
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        try (Admin admin = Admin.create(a)) {
            TopicBootstrap.ensureTopics(admin, List.of(new TopicBootstrap.TopicSettings(config.archiveTopic(), 1, (short) -1,
                    ArchiverConfig.ARCHIVE_TOPIC_RETENTION.toMillis())), true, ArchiverConfig.ARCHIVE_TOPIC_MAX_MESSAGE_BYTES,
                    config.topicCheck().minInsyncReplicas());
            TopicCheck.check(admin, config.wantedTopics(), config.topicCheck().mode(), "archiver");
        }
    }

    private void run(ArchiveWriterLoop writerLoop, String name, java.util.function.Consumer<Throwable> failed) {
        try {
            while (running.get()) {
                writerLoop.runOnce();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failed.accept(e);
            LOG.atError().addKeyValue("exception", e.getClass().getName()).log(name + " stopped: " + e.getMessage());
        } finally {
            writerLoop.close();
        }
    }

    /** Records archived since start (also counts records re-archived after a restart as one each). */
    long archivedRecords() {
        return loop == null ? 0 : loop.archivedRecords();
    }

    /** Dead-letter records archived since start (0 with dead-letters.archive off). */
    long archivedDeadLetters() {
        return deadLetterLoop == null ? 0 : deadLetterLoop.archivedRecords();
    }

    /** Manifest entries published to the archive topic since start, by both writers. */
    long publishedManifestEntries() {
        return (loop == null ? 0 : loop.entriesPublished()) + (deadLetterLoop == null ? 0 : deadLetterLoop.entriesPublished());
    }

    /** Whether the events' archive writer runs. */
    boolean isHealthy() {
        return failure == null && thread != null && thread.isAlive();
    }

    /** Which writer stopped, or empty while the events' writer runs (and the dead-letter one, when there is one). */
    Optional<String> notRunning() {
        return writersNotRunning(thread, failure, deadLetterThread, deadLetterFailure);
    }

    /** The archive writer must be running, and the dead-letter archive writer too when there is one. */
    static Optional<String> writersNotRunning(Thread archive, Throwable archiveFailure, Thread deadLetters,
                                              Throwable deadLetterFailure) {
        if (archive == null || !archive.isAlive()) {
            return Optional.of("archive writer stopped" + WriterThreads.cause(archiveFailure));
        }
        return WriterThreads.stopped("dead-letter archive writer", deadLetters, deadLetterFailure);
    }

    void refreshMetrics() {
        if (metrics != null) {
            metrics.refresh();
        }
        if (deadLetterMetrics != null) {
            deadLetterMetrics.refresh();
        }
    }

    /** Asks the writers and the digests to stop, without waiting. */
    void stop() {
        running.set(false);
        if (digestConsumer != null) {
            digestConsumer.wakeup();
        }
        if (consumer != null) {
            consumer.wakeup();
        }
        if (deadLetterConsumer != null) {
            deadLetterConsumer.wakeup();
        }
    }

    /** Stops, waits for the writer threads (10 s each), then closes the entries' producer and the S3 client. */
    @Override
    public void close() {
        stop();
        WriterThreads.join(thread);
        WriterThreads.join(deadLetterThread);
        WriterThreads.join(digestThread);
        if (entries != null) {
            entries.close(Duration.ofSeconds(5));
        }
        if (s3 != null) {
            s3.close();
        }
    }
}
