package io.auditkeeper.archiver;

import io.auditkeeper.admin.AdminServer;
import io.auditkeeper.archiver.archive.ArchiveWriterLoop;
import io.auditkeeper.archiver.archive.DigestWriter;
import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.evidence.deadletter.DeadLetterEnvelope;
import io.auditkeeper.archiver.index.DocumentKind;
import io.auditkeeper.archiver.index.IndexWriterLoop;
import io.auditkeeper.archiver.index.SingleIndexDocuments;
import io.auditkeeper.kafka.TopicBootstrap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import io.auditkeeper.archiver.index.OpenSearchIndexer;
import io.auditkeeper.opensearch.ConnectionErrors;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.archiver.index.retention.HotIndexRetention;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.archiver.metrics.ArchiveMetrics;
import io.auditkeeper.archiver.metrics.IndexMetrics;
import io.auditkeeper.archiver.s3.ArchiveBucketBootstrap;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The archiver assembled from its config: the bucket checked (or created) with Object Lock, the manifest public key
 * published next to the archive, the exactly-once archive writer on its own thread, and, when OpenSearch is
 * configured, the indexer on another, each with its own consumer group so that an outage of one store never stops
 * the other; and the admin port, whose metrics show each stage's progress and lag (from its consumer's own view, so
 * the lag stays visible while a store is down) and whose readiness says which writer stopped.
 */
public final class ArchiverService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiverService.class);

    private final ArchiverConfig config;
    private final AtomicBoolean running = new AtomicBoolean();
    private S3Client s3;
    private KafkaConsumer<byte[], byte[]> consumer;
    private ArchiveWriterLoop loop;
    private Thread thread;
    private volatile Throwable archiveFailure;
    private volatile Throwable indexFailure;
    private KafkaConsumer<byte[], byte[]> deadLetterConsumer;
    private ArchiveWriterLoop deadLetterLoop;
    private Thread deadLetterThread;
    private volatile Throwable deadLetterFailure;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private ArchiveMetrics archiveMetrics;
    private ArchiveMetrics deadLetterMetrics;
    private IndexMetrics indexMetrics;
    private AdminServer admin;
    private IndexWriterLoop indexLoop;
    private KafkaConsumer<byte[], byte[]> indexConsumer;
    private KafkaProducer<byte[], byte[]> deadLetters;
    private KafkaProducer<byte[], byte[]> entries;
    private OpenSearchClient openSearch;
    private Thread indexThread;
    private HotIndexRetention retention;
    private java.util.concurrent.ScheduledExecutorService digests;

    public ArchiverService(ArchiverConfig config) {
        this.config = config;
    }

    public static S3Client s3Client(ArchiverConfig config) {
        S3ClientBuilder b = S3Client.builder().region(Region.of(config.region()))
                .forcePathStyle(config.pathStyle())
                // Ceph and MinIO reject the SDK's trailing checksums; the writer sends Content-MD5 and SHA-256 itself.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(config.accessKey().isPresent()
                        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey().get(), config.secretKey().orElseThrow()))
                        : DefaultCredentialsProvider.builder().build());
        config.endpoint().ifPresent(b::endpointOverride);
        return b.build();
    }

    public ArchiverService start() throws IOException {
        if (config.retentionYears() < ArchiverConfig.HIPAA_YEARS) {
            LOG.atError().addKeyValue("retention_years", config.retentionYears())
                    .log("retention is shorter than the six years HIPAA asks for (retention.allow-shorter=true)");
        }
        s3 = s3Client(config);
        ArchiveBucketBootstrap.ensure(s3, config.bucket(), config.retentionYears(), config.createBucket());
        ObjectLockArchiveWriter.Encryption encryption = switch (config.sse()) {
            case "AES256" -> new ObjectLockArchiveWriter.Encryption(ServerSideEncryption.AES256, null);
            case "aws:kms" -> new ObjectLockArchiveWriter.Encryption(ServerSideEncryption.AWS_KMS, config.kmsKeyId().orElseThrow());
            default -> ObjectLockArchiveWriter.Encryption.none();
        };
        ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, config.bucket(), config.retentionYears(), encryption);
        ManifestSigner signer = ManifestSigner.fromPemFile(config.signingKeyFile());
        String publicKeyKey = new ArchiveLayout(config.prefix()).publicKey();
        writer.put(publicKeyKey, signer.publicKeyPem().getBytes(StandardCharsets.US_ASCII), "application/x-pem-file",
                Map.of(), Instant.now());
        S3ManifestStore manifests = new S3ManifestStore(s3, config.bucket(), config.prefix(), writer);
        archiveMetrics = new ArchiveMetrics(registry, config.groupId());

        ensureArchiveTopic();
        consumer = new KafkaConsumer<>(archiveConsumerProperties(config, config.groupId()), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        entries = new KafkaProducer<>(producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
        loop = new ArchiveWriterLoop(consumer, writer, manifests, signer, new ArchiveWriterLoop.Settings(config.eventsTopic(),
                config.prefix(), config.batchMaxBytes(), config.batchMaxEvents(), config.batchMaxAge(), Duration.ofMillis(500)),
                archiveMetrics);
        loop.publishEntriesTo(entries, config.archiveTopic());
        loop.subscribe();
        List<String> archivedTopics = new ArrayList<>(List.of(config.eventsTopic()));
        if (config.archiveDeadLetters()) {
            startDeadLetterArchive(writer, manifests, signer);
            archivedTopics.add(config.deadLetterTopic());
        }
        DigestWriter digestWriter = new DigestWriter(s3, config.bucket(), config.prefix(), writer, manifests, signer);
        digests = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "digest-writer"));
        long every = config.digestInterval().toMillis();
        digests.scheduleAtFixedRate(() -> {
            try {
                digestWriter.write(archivedTopics, Instant.now());
                archiveMetrics.digestWritten();
            } catch (RuntimeException e) {
                if (e instanceof SdkException) {
                    archiveMetrics.s3WriteFailed();
                }
                LOG.atError().addKeyValue("exception", e.getClass().getName()).log("digest not written: " + e.getMessage());
            }
        }, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
        running.set(true);
        thread = new Thread(() -> run(loop, "archive writer", e -> archiveFailure = e), "archive-writer");
        thread.start();
        if (deadLetterLoop != null) {
            deadLetterThread = new Thread(() -> run(deadLetterLoop, "dead-letter archive writer", e -> deadLetterFailure = e),
                    "dead-letter-archive-writer");
            deadLetterThread.start();
        }
        if (config.openSearchUrl().isPresent()) {
            startIndexer();
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        if (config.adminEnabled()) {
            admin = AdminServer.start(config.adminHost(), config.adminPort(), this::notReadyReason, this::notAliveReason,
                    this::scrape);
        }
        LOG.atInfo().addKeyValue("bucket", config.bucket()).addKeyValue("topic", config.eventsTopic())
                .addKeyValue("dead_letter_topic", config.archiveDeadLetters() ? config.deadLetterTopic() : null)
                .addKeyValue("retention_years", config.retentionYears()).log("archiver started");
        return this;
    }

    /**
     * The dead-letter topic archived like the events, under {@code dead-letters/}, each record as a
     * {@link DeadLetterEnvelope}; its own consumer group, metrics and thread, so that neither archive waits for the
     * other. Its consumer never creates the topic: ingest and the stream-processor do, with its retention.
     */
    private void startDeadLetterArchive(ObjectLockArchiveWriter writer, S3ManifestStore manifests, ManifestSigner signer) {
        Map<String, Object> props = archiveConsumerProperties(config, config.deadLetterGroupId());
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        deadLetterConsumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetterMetrics = ArchiveMetrics.deadLetters(registry, config.deadLetterGroupId());
        deadLetterLoop = new ArchiveWriterLoop(deadLetterConsumer, writer, manifests, signer, new ArchiveWriterLoop.Settings(
                config.deadLetterTopic(), config.prefix(), config.batchMaxBytes(), config.batchMaxEvents(),
                config.batchMaxAge(), Duration.ofMillis(500), ArchiveLayout.DEAD_LETTERS, DeadLetterEnvelope::line),
                deadLetterMetrics);
        deadLetterLoop.publishEntriesTo(entries, config.archiveTopic());
        deadLetterLoop.subscribe();
    }

    /** The settings of both writers' consumers: committed records only, offsets committed by the writers. */
    public static Map<String, Object> consumerProperties(ArchiverConfig config, String groupId) {
        Map<String, Object> p = new HashMap<>(config.kafkaClientOverrides());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024);
        return p;
    }

    /**
     * The archive writer's consumer: as {@link #consumerProperties}, but never resetting its position by itself. The
     * writer places every partition explicitly, and a position that retention deleted must reach it as an error so
     * that the loss is told, not skipped over.
     */
    public static Map<String, Object> archiveConsumerProperties(ArchiverConfig config, String groupId) {
        Map<String, Object> p = consumerProperties(config, groupId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        return p;
    }

    private void startIndexer() {
        openSearch = OpenSearchClientFactory.create(config.openSearchConnection());
        OpenSearchIndexer indexer = new OpenSearchIndexer(openSearch,
                OpenSearchIndexer.Settings.defaults().withIndexPrefix(config.indexPrefix()).withReplicas(config.replicas()));
        retention = new HotIndexRetention(openSearch, config.indexPrefix(), config.openSearchRetentionDays(),
                config.openSearchRetentionInterval(), Clock.systemUTC());
        indexConsumer = new KafkaConsumer<>(consumerProperties(config, config.indexGroupId()), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = new KafkaProducer<>(producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
        Map<String, DocumentKind> topics = new LinkedHashMap<>();
        topics.put(config.eventsTopic(), indexer.events());
        topics.put(config.alertsTopic(), SingleIndexDocuments.alerts(config.alertsIndex()));
        topics.put(config.archiveTopic(), SingleIndexDocuments.archiveEntries(config.archiveIndex()));
        indexMetrics = new IndexMetrics(registry, config.indexGroupId());
        indexLoop = new IndexWriterLoop(indexConsumer, indexer, deadLetters, topics, config.deadLetterTopic(),
                Duration.ofSeconds(5), indexMetrics);
        indexThread = new Thread(() -> {
            try {
                indexLoop.subscribe();
                boolean retentionStarted = false;
                while (running.get()) {
                    indexLoop.runOnce();
                    if (!retentionStarted && indexLoop.templatesInPlace()) {
                        retentionStarted = true;
                        startRetention();
                    }
                }
            } catch (WakeupException | InterruptedException e) {
                // closing
            } catch (RuntimeException e) {
                indexFailure = e;
                LOG.atError().addKeyValue("exception", e.getClass().getName()).log("indexer stopped: " + e.getMessage());
            } finally {
                indexLoop.close();
            }
        }, "index-writer");
        indexThread.start();
    }

    /** Hot index retention, once OpenSearch has answered; its failure is logged and never stops the indexer. */
    private void startRetention() {
        try {
            retention.start();
        } catch (java.io.IOException | RuntimeException e) {
            // the index itself keeps working; expired indices stay until the next start
            LOG.atError().addKeyValue("exception", e.getClass().getName())
                    .log("index retention not started: " + ConnectionErrors.describe(e));
        }
    }

    /** Normalized events OpenSearch has taken since start. */
    public long indexedDocuments() {
        return indexLoop == null ? 0 : indexLoop.indexed(config.eventsTopic());
    }

    /** Manifest entries published to the archive topic since start, for the audit-archive index (both writers'). */
    public long publishedManifestEntries() {
        return (loop == null ? 0 : loop.entriesPublished()) + (deadLetterLoop == null ? 0 : deadLetterLoop.entriesPublished());
    }

    /** Documents of a topic (events, alerts or archive entries) OpenSearch has taken since start. */
    public long indexedDocuments(String topic) {
        return indexLoop == null ? 0 : indexLoop.indexed(topic);
    }

    private Map<String, Object> producerProps() {
        Map<String, Object> pp = new HashMap<>(config.kafkaClientOverrides());
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 64 * 1024 * 1024);
        return pp;
    }

    private void ensureArchiveTopic() {
        Map<String, Object> a = new HashMap<>(config.kafkaClientOverrides());
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        try (Admin admin = Admin.create(a)) {
            TopicBootstrap.ensureTopics(admin, List.of(new TopicBootstrap.TopicSettings(config.archiveTopic(), 1, (short) -1,
                    Duration.ofDays(30).toMillis())), true, 1024 * 1024);
        }
    }

    private void run(ArchiveWriterLoop writerLoop, String name, java.util.function.Consumer<Throwable> failure) {
        try {
            while (running.get()) {
                writerLoop.runOnce();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure.accept(e);
            LOG.atError().addKeyValue("exception", e.getClass().getName()).log(name + " stopped: " + e.getMessage());
        } finally {
            writerLoop.close();
        }
    }

    /** Records archived since start (also counts records re-archived after a restart as one each). */
    public long archivedRecords() {
        return loop == null ? 0 : loop.archivedRecords();
    }

    /** Dead-letter records archived since start (0 with dead-letters.archive off). */
    public long archivedDeadLetters() {
        return deadLetterLoop == null ? 0 : deadLetterLoop.archivedRecords();
    }

    public boolean isHealthy() {
        return archiveFailure == null && thread != null && thread.isAlive();
    }

    /** Why the service is not ready (for {@code /readyz}), or empty when both writers are running. */
    public Optional<String> notReadyReason() {
        if (!running.get()) {
            return Optional.of("not running");
        }
        return writersNotRunning(thread, archiveFailure, deadLetterThread, deadLetterFailure, indexThread, indexFailure);
    }

    /**
     * Why the process should be restarted (for {@code /healthz}): a writer thread ended while the service runs. Nothing
     * in the process starts it again, and a restart resumes exactly where it stopped (the intent and the committed
     * offsets), so the kubelet's restart is the recovery.
     */
    public Optional<String> notAliveReason() {
        return running.get() ? writersNotRunning(thread, archiveFailure, deadLetterThread, deadLetterFailure, indexThread, indexFailure) : Optional.empty();
    }

    /** The archive writer must be running, and the dead-letter archive and index writers too when there are. */
    static Optional<String> writersNotRunning(Thread archive, Throwable archiveFailure, Thread deadLetters,
                                              Throwable deadLetterFailure, Thread index, Throwable indexFailure) {
        if (archive == null || !archive.isAlive()) {
            return Optional.of("archive writer stopped" + cause(archiveFailure));
        }
        if (deadLetters != null && !deadLetters.isAlive()) {
            return Optional.of("dead-letter archive writer stopped" + cause(deadLetterFailure));
        }
        if (index != null && !index.isAlive()) {
            return Optional.of("index writer stopped" + cause(indexFailure));
        }
        return Optional.empty();
    }

    private static String cause(Throwable failure) {
        // the exception's class only: messages of client exceptions may echo request details
        return failure == null ? "" : " (" + failure.getClass().getName() + ")";
    }

    /** The Prometheus text of {@code /metrics}. */
    public String scrape() {
        if (archiveMetrics != null) {
            archiveMetrics.refresh();
        }
        if (deadLetterMetrics != null) {
            deadLetterMetrics.refresh();
        }
        if (indexMetrics != null) {
            indexMetrics.refresh();
        }
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The admin port, or -1 when it is off or not started. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    @Override
    public void close() {
        running.set(false);
        if (admin != null) {
            admin.close();
        }
        if (digests != null) {
            digests.shutdownNow();
        }
        if (consumer != null) {
            consumer.wakeup();
        }
        if (indexConsumer != null) {
            indexConsumer.wakeup();
        }
        if (deadLetterConsumer != null) {
            deadLetterConsumer.wakeup();
        }
        for (Thread t : new Thread[]{thread, deadLetterThread, indexThread}) {
            if (t != null) {
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (retention != null) {
            retention.close();
        }
        if (openSearch != null) {
            try {
                openSearch._transport().close();
            } catch (java.io.IOException | RuntimeException e) {
                LOG.atWarn().addKeyValue("exception", e.getClass().getName()).log("OpenSearch client not closed cleanly");
            }
        }
        if (deadLetters != null) {
            deadLetters.close(Duration.ofSeconds(5));
        }
        if (entries != null) {
            entries.close(Duration.ofSeconds(5));
        }
        if (s3 != null) {
            s3.close();
        }
        LOG.info("archiver stopped");
    }
}
