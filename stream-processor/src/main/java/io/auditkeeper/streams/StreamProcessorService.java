package io.auditkeeper.streams;

import io.auditkeeper.admin.AdminServer;
import io.auditkeeper.kafka.TopicBootstrap;
import io.auditkeeper.kafka.TopicCheck;
import io.auditkeeper.streams.alerts.AlertDetectors;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.auditkeeper.streams.redact.SecretRedactor;
import io.auditkeeper.streams.rules.PhiAccessClassifier;
import io.auditkeeper.streams.rules.PhiNamespaces;
import io.auditkeeper.streams.rules.RuleSet;
import io.auditkeeper.streams.topology.AuditTopology;
import io.auditkeeper.streams.topology.DeadLetterProductionExceptionHandler;
import io.auditkeeper.streams.topology.EventPipeline;
import io.auditkeeper.streams.topology.OutputLimits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The stream-processor assembled from its config: rules and redaction loaded (an invalid rule file stops here),
 * output topics checked, the topology running under exactly-once, and the admin port. Closing it stops the stream
 * threads cleanly (they commit what they have processed) within the grace period.
 */
public final class StreamProcessorService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamProcessorService.class);

    private final StreamProcessorConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;
    private RetentionLossDetector lossDetector;
    private AdminServer admin;

    public StreamProcessorService(StreamProcessorConfig config) {
        this.config = config;
    }

    /** Builds the topology from the config; the same call the tests make. */
    public static Topology topology(StreamProcessorConfig config, io.micrometer.core.instrument.MeterRegistry registry) {
        return topology(config, registry, outputLimits(config));
    }

    public static Topology topology(StreamProcessorConfig config, io.micrometer.core.instrument.MeterRegistry registry,
                                    OutputLimits limits) {
        return AuditTopology.build(config, pipeline(config), new AlertDetectors(config.alertSettings()), registry, limits);
    }

    /**
     * The output limits before the topics are asked: every topic takes what the producer sends
     * ({@code max.request.size} as configured).
     */
    public static OutputLimits outputLimits(StreamProcessorConfig config) {
        Properties p = streamsProperties(config);
        Object v = p.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        if (v == null) {
            v = p.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024 * 1024);
        }
        return new OutputLimits(Long.parseLong(v.toString()));
    }

    /** The Streams properties with the production exception handler's collaborators, as the service runs it. */
    public static Properties streamsProperties(StreamProcessorConfig config, OutputLimits limits,
                                               io.micrometer.core.instrument.MeterRegistry registry) {
        Properties p = streamsProperties(config);
        p.put(DeadLetterProductionExceptionHandler.LIMITS, limits);
        p.put(DeadLetterProductionExceptionHandler.REGISTRY, registry);
        return p;
    }

    /** The per-event logic (classify, redact, normalize) from the config; also what the archiver benchmark feeds. */
    public static EventPipeline pipeline(StreamProcessorConfig config) {
        PhiNamespaces phi = new PhiNamespaces(config.phiNamespaces());
        RuleSet rules = config.rulesFile().map(RuleSet::load).orElseGet(RuleSet::defaults);
        Set<String> everywhere = new HashSet<>(config.redactResources());
        SecretRedactor redactor = new SecretRedactor(everywhere, new HashSet<>(config.redactPhiNamespaceResources()), phi);
        return new EventPipeline(new PhiAccessClassifier(rules, phi), redactor, config.clockSkewThreshold());
    }

    public static Properties streamsProperties(StreamProcessorConfig config) {
        Properties p = new Properties();
        p.putAll(config.kafkaClientOverrides());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.internalReplicationFactor());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        p.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), true);
        // Each commit is a Kafka transaction with markers on every output and changelog partition: a second's worth of
        // records per transaction, rather than exactly-once's default 100 ms, keeps that cost small per record.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        // the changelogs and the repartition topic carry the raw records' timestamps (ingest's clock): none is refused
        // for being ahead of the broker's clock (TopicBootstrap)
        p.put(StreamsConfig.topicPrefix(io.auditkeeper.kafka.TopicBootstrap.TIMESTAMP_AFTER_MAX_MS), Long.toString(Long.MAX_VALUE));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 20);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 64 * 1024 * 1024);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 64 * 1024 * 1024);
        p.putAll(config.kafkaStreamsOverrides());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionExceptionHandler.class);
        p.put(DeadLetterProductionExceptionHandler.DEAD_LETTER_TOPIC, config.deadLetterTopic());
        return p;
    }

    public StreamProcessorService start() throws IOException {
        OutputLimits limits = outputLimits(config);
        Topology topology = topology(config, registry, limits);
        Map<String, Object> adminProps = new HashMap<>(config.kafkaClientOverrides());
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        try (Admin a = Admin.create(adminProps)) {
            TopicBootstrap.ensureTopics(a, config.outputTopics(), config.createTopics(), 64L * 1024 * 1024,
                    config.topicCheck().minInsyncReplicas());
            checkTopics(a, config);
            readTopicLimits(a, limits);
        }
        Counter lost = Counter.builder("auditkeeper.streams.offsets.lost")
                .description("Offsets of the raw topic deleted by its retention before they were processed").register(registry);
        for (var topic : config.outputTopics()) {
            // at 0 from the start, so that the rule and the guide's table find it before the first refusal
            registry.counter("auditkeeper.streams.output.refused", "topic", topic.name());
        }
        lossDetector = new RetentionLossDetector(config.rawTopic(), (tp, first, last) -> lost.increment(last - first + 1));
        streams = new KafkaStreams(topology, streamsProperties(config, limits, registry), lossDetector);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.atError().addKeyValue("exception", e.getClass().getName()).log("stream thread failed; replacing it");
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        if (config.adminEnabled()) {
            admin = AdminServer.start(config.adminHost(), config.adminPort(), () -> {
                KafkaStreams.State state = streams.state();
                return state == KafkaStreams.State.RUNNING ? Optional.empty() : Optional.of(state.toString());
            }, () -> {
                // Kafka Streams never leaves ERROR: only a restart of the process brings its threads back
                KafkaStreams.State state = streams.state();
                return state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                        ? Optional.of("Kafka Streams is in state " + state) : Optional.empty();
            }, registry::scrape);
        }
        streams.start();
        LOG.atInfo().addKeyValue("application_id", config.applicationId()).addKeyValue("input", config.rawTopic())
                .addKeyValue("phi_namespaces", String.join(",", config.phiNamespaces()))
                .log("stream-processor started");
        return this;
    }

    /**
     * Lowers each output topic's limit to its {@code max.message.bytes} as the broker reports it (the topic's own, or
     * the broker's default). Unknown (no right to describe configs): the producer's limit stays, and a refusal by the
     * broker lowers it at run time (see {@link DeadLetterProductionExceptionHandler}).
     */
    private void readTopicLimits(Admin admin, OutputLimits limits) {
        List<ConfigResource> topics = config.outputTopics().stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name())).toList();
        for (int attempt = 1; ; attempt++) {
            try {
                Map<ConfigResource, Config> configs = admin.describeConfigs(topics).all().get(30, TimeUnit.SECONDS);
                configs.forEach((resource, c) -> {
                    ConfigEntry e = c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                    if (e != null && e.value() != null) {
                        limits.lower(resource.name(), Long.parseLong(e.value()));
                    }
                });
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // a topic created a moment ago may not be known to every broker yet
                if (attempt < 10 && e.getCause() instanceof UnknownTopicOrPartitionException) {
                    sleep(500);
                    continue;
                }
                LOG.atWarn().addKeyValue("exception", e.toString())
                        .log("could not read the output topics' max.message.bytes; records are checked against the producer's limit only");
                return;
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Offsets of the raw topic deleted by its retention before they were processed, since start. */
    public long offsetsLost() {
        return lossDetector == null ? 0 : lossDetector.offsetsLost();
    }

    /**
     * Compares the raw topic with the replication and retention wanted, and the output topics with what they must
     * take: records as large as the raw topic holds ({@link TopicCheck}).
     */
    static void checkTopics(Admin admin, StreamProcessorConfig config) {
        TopicCheck.Mode mode = config.topicCheck().mode();
        if (mode == TopicCheck.Mode.OFF) {
            return;
        }
        TopicCheck.Described raw = TopicCheck.describe(admin, List.of(config.rawTopic())).get(config.rawTopic());
        TopicCheck.check(admin, config.wantedTopics(raw == null ? 0 : raw.maxMessageBytes()), mode,
                "stream-processor");
    }

    public KafkaStreams streams() {
        return streams;
    }

    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (streams != null) {
            streams.close(config.shutdownGracePeriod());
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        if (admin != null) {
            admin.close();
        }
        LOG.info("stream-processor stopped");
    }
}
