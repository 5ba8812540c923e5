package io.auditkeeper.archiver;

import io.auditkeeper.admin.AdminServer;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The archiver assembled from its config: the {@link ArchivePipeline} (the Object Lock archive of the events and, when
 * configured, of the dead-letter topic, with its digests) and, when OpenSearch is configured, the
 * {@link IndexPipeline} (the indexer and hot index retention). Each has its own consumer groups and threads, so that
 * an outage of one store never stops the other. This class starts and closes both, and owns the admin port, whose
 * metrics show each stage's progress and lag (from its consumer's own view, so the lag stays visible while a store is
 * down) and whose readiness says which writer stopped.
 */
public final class ArchiverService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiverService.class);

    private final ArchiverConfig config;
    private final AtomicBoolean running = new AtomicBoolean();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private ArchivePipeline archive;
    private IndexPipeline index;
    private AdminServer admin;

    public ArchiverService(ArchiverConfig config) {
        this.config = config;
    }

    /** The S3 client of the archive (and of the benches that read it). */
    public static S3Client s3Client(ArchiverConfig config) {
        return ArchiverClients.s3Client(config);
    }

    public ArchiverService start() throws IOException {
        if (config.retentionYears() < ArchiverConfig.HIPAA_YEARS) {
            LOG.atError().addKeyValue("retention_years", config.retentionYears())
                    .log("retention is shorter than the six years HIPAA asks for (retention.allow-shorter=true)");
        }
        archive = new ArchivePipeline(config, registry);
        archive.start();
        running.set(true);
        if (config.openSearchUrl().isPresent()) {
            index = new IndexPipeline(config, registry);
            index.start();
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

    /** The settings of both writers' consumers: committed records only, offsets committed by the writers. */
    public static Map<String, Object> consumerProperties(ArchiverConfig config, String groupId) {
        return ArchiverClients.consumerProperties(config, groupId);
    }

    /**
     * The archive writer's consumer: as {@link #consumerProperties}, but never resetting its position by itself. The
     * writer places every partition explicitly, and a position that retention deleted must reach it as an error so
     * that the loss is told, not skipped over.
     */
    public static Map<String, Object> archiveConsumerProperties(ArchiverConfig config, String groupId) {
        return ArchiverClients.archiveConsumerProperties(config, groupId);
    }

    /** Normalized events OpenSearch has taken since start. */
    public long indexedDocuments() {
        return indexedDocuments(config.eventsTopic());
    }

    /** Manifest entries published to the archive topic since start, for the audit-archive index (both writers'). */
    public long publishedManifestEntries() {
        return archive == null ? 0 : archive.publishedManifestEntries();
    }

    /** Documents of a topic (events, alerts or archive entries) OpenSearch has taken since start. */
    public long indexedDocuments(String topic) {
        return index == null ? 0 : index.indexedDocuments(topic);
    }

    /** Records archived since start (also counts records re-archived after a restart as one each). */
    public long archivedRecords() {
        return archive == null ? 0 : archive.archivedRecords();
    }

    /** Dead-letter records archived since start (0 with dead-letters.archive off). */
    public long archivedDeadLetters() {
        return archive == null ? 0 : archive.archivedDeadLetters();
    }

    public boolean isHealthy() {
        return archive != null && archive.isHealthy();
    }

    /** Why the service is not ready (for {@code /readyz}), or empty when both writers are running. */
    public Optional<String> notReadyReason() {
        if (!running.get()) {
            return Optional.of("not running");
        }
        return writersNotRunning();
    }

    /**
     * Why the process should be restarted (for {@code /healthz}): a writer thread ended while the service runs. Nothing
     * in the process starts it again, and a restart resumes exactly where it stopped (the intent and the committed
     * offsets), so the kubelet's restart is the recovery.
     */
    public Optional<String> notAliveReason() {
        return running.get() ? writersNotRunning() : Optional.empty();
    }

    private Optional<String> writersNotRunning() {
        Optional<String> archiveReason = archive == null ? ArchivePipeline.writersNotRunning(null, null, null, null)
                : archive.notRunning();
        return archiveReason.or(() -> index == null ? Optional.empty() : index.notRunning());
    }

    /** The archive writer must be running, and the dead-letter archive and index writers too when there are. */
    static Optional<String> writersNotRunning(Thread archive, Throwable archiveFailure, Thread deadLetters,
                                              Throwable deadLetterFailure, Thread index, Throwable indexFailure) {
        return ArchivePipeline.writersNotRunning(archive, archiveFailure, deadLetters, deadLetterFailure)
                .or(() -> IndexPipeline.writerNotRunning(index, indexFailure));
    }

    /** The Prometheus text of {@code /metrics}. */
    public String scrape() {
        if (archive != null) {
            archive.refreshMetrics();
        }
        if (index != null) {
            index.refreshMetrics();
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
        // both asked first, so that their threads end together
        if (archive != null) {
            archive.stop();
        }
        if (index != null) {
            index.stop();
        }
        if (archive != null) {
            archive.close();
        }
        if (index != null) {
            index.close();
        }
        LOG.info("archiver stopped");
    }
}
