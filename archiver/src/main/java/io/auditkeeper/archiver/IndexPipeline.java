package io.auditkeeper.archiver;

import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.index.DocumentKind;
import io.auditkeeper.archiver.index.IndexWriterLoop;
import io.auditkeeper.archiver.index.OpenSearchIndexer;
import io.auditkeeper.archiver.index.SingleIndexDocuments;
import io.auditkeeper.archiver.index.retention.HotIndexRetention;
import io.auditkeeper.archiver.metrics.IndexMetrics;
import io.auditkeeper.opensearch.ConnectionErrors;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The OpenSearch index: one consumer group ({@code index.group-id}) reads the events, alerts and archive-entry topics,
 * each into its own kind of index, on the index writer's thread; refused documents go to the dead-letter topic before
 * offsets are committed. Hot index retention starts once OpenSearch has answered (the templates are in place). Ready
 * while the index writer's thread runs.
 */
final class IndexPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndexPipeline.class);

    private final ArchiverConfig config;
    private final MeterRegistry registry;
    private final AtomicBoolean running = new AtomicBoolean();
    private OpenSearchClient openSearch;
    private HotIndexRetention retention;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> deadLetters;
    private IndexMetrics metrics;
    private IndexWriterLoop loop;
    private Thread thread;
    private volatile Throwable failure;

    IndexPipeline(ArchiverConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    /** Builds the client, the indexer and the writer, and starts the writer's thread (OpenSearch may be down). */
    IndexPipeline start() {
        openSearch = OpenSearchClientFactory.create(config.openSearchConnection(), config.openSearchTimeouts());
        OpenSearchIndexer indexer = new OpenSearchIndexer(openSearch,
                OpenSearchIndexer.Settings.defaults().withIndexPrefix(config.indexPrefix()).withReplicas(config.replicas())
                        .withDocIdBloomFilter(config.docIdBloomFilter()));
        retention = new HotIndexRetention(openSearch, config.indexPrefix(), config.openSearchRetentionDays(),
                config.openSearchRetentionInterval(), Clock.systemUTC());
        consumer = new KafkaConsumer<>(ArchiverClients.consumerProperties(config, config.indexGroupId()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = new KafkaProducer<>(ArchiverClients.producerProperties(config), new ByteArraySerializer(),
                new ByteArraySerializer());
        Map<String, DocumentKind> topics = new LinkedHashMap<>();
        topics.put(config.eventsTopic(), indexer.events());
        topics.put(config.alertsTopic(), SingleIndexDocuments.alerts(config.alertsIndex()));
        topics.put(config.archiveTopic(), SingleIndexDocuments.archiveEntries(config.archiveIndex()));
        metrics = new IndexMetrics(registry, config.indexGroupId());
        loop = new IndexWriterLoop(consumer, indexer, deadLetters, topics, config.deadLetterTopic(),
                Duration.ofSeconds(5), metrics);
        running.set(true);
        thread = new Thread(this::run, "index-writer");
        thread.start();
        return this;
    }

    private void run() {
        try {
            loop.subscribe();
            boolean retentionStarted = false;
            while (running.get()) {
                loop.runOnce();
                if (!retentionStarted && loop.templatesInPlace()) {
                    retentionStarted = true;
                    startRetention();
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
            LOG.atError().addKeyValue("exception", e.getClass().getName()).log("indexer stopped: " + e.getMessage());
        } finally {
            loop.close();
        }
    }

    /** Hot index retention, once OpenSearch has answered; its failure is logged and never stops the indexer. */
    private void startRetention() {
        try {
            retention.start();
        } catch (IOException | RuntimeException e) {
            // the index itself keeps working; expired indices stay until the next start
            LOG.atError().addKeyValue("exception", e.getClass().getName())
                    .log("index retention not started: " + ConnectionErrors.describe(e));
        }
    }

    /** Documents of a topic (events, alerts or archive entries) OpenSearch has taken since start. */
    long indexedDocuments(String topic) {
        return loop == null ? 0 : loop.indexed(topic);
    }

    /** Which writer stopped, or empty while the index writer runs (or was never started). */
    Optional<String> notRunning() {
        return writerNotRunning(thread, failure);
    }

    static Optional<String> writerNotRunning(Thread index, Throwable indexFailure) {
        return WriterThreads.stopped("index writer", index, indexFailure);
    }

    void refreshMetrics() {
        if (metrics != null) {
            metrics.refresh();
        }
    }

    /** Asks the index writer to stop, without waiting. */
    void stop() {
        running.set(false);
        if (consumer != null) {
            consumer.wakeup();
        }
    }

    /** Stops, waits for the writer's thread (10 s), then closes retention, the OpenSearch client and the producer. */
    @Override
    public void close() {
        stop();
        WriterThreads.join(thread);
        if (retention != null) {
            retention.close();
        }
        if (openSearch != null) {
            try {
                openSearch._transport().close();
            } catch (IOException | RuntimeException e) {
                LOG.atWarn().addKeyValue("exception", e.getClass().getName()).log("OpenSearch client not closed cleanly");
            }
        }
        if (deadLetters != null) {
            deadLetters.close(Duration.ofSeconds(5));
        }
    }
}
