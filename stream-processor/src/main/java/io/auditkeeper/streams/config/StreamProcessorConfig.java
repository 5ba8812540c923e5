package io.auditkeeper.streams.config;

import io.auditkeeper.config.AdminSettings;
import io.auditkeeper.config.CommonConfig;
import io.auditkeeper.config.ConfigLoader;
import io.auditkeeper.kafka.TopicBootstrap.TopicSettings;
import io.auditkeeper.kafka.TopicCheck;
import io.auditkeeper.model.AuditTopics;
import io.auditkeeper.streams.alerts.AlertDetectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stream-processor's settings: one immutable, validated object read at start from a YAML file and
 * {@code AUDITKEEPER_STREAMS_*} environment variables. An invalid value stops startup with a message naming the key.
 * The reference table in {@code docs/stream-processor.md} is generated from {@link #DEFINITION}.
 */
public final class StreamProcessorConfig {
    public static final String ENV_PREFIX = "AUDITKEEPER_STREAMS_";
    public static final String KAFKA_CLIENT_PREFIX = CommonConfig.KAFKA_CLIENT_PREFIX;
    public static final String KAFKA_STREAMS_PREFIX = "kafka.streams.";

    /** retention.ms of the outputs created without a retention key of their own. */
    private static final Duration FIXED_RETENTION = Duration.ofDays(30);

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(CommonConfig.bootstrapServersKey(". Client security settings go under kafka.client.*, Kafka Streams overrides under kafka.streams.*."))
            .define("application.id", Type.STRING, "auditkeeper-stream-processor", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Kafka Streams application id: the consumer group, and the prefix of the state stores' changelog topics.")
            .define("streams.threads", Type.INT, 1, Range.between(1, 64), Importance.MEDIUM,
                    "Stream threads in this instance. Scale out with more instances of the same application.id (up to the raw topic's partitions).")
            .define("streams.state-dir", Type.STRING, "/tmp/auditkeeper-streams", Importance.MEDIUM,
                    "Directory of the local state stores (rebuilt from their changelogs if lost).")
            .define("streams.replication-factor", Type.SHORT, (short) -1, Importance.MEDIUM,
                    "Replication factor of the changelog and repartition topics; -1 takes the broker's default.")
            .define("topics.create", Type.BOOLEAN, true, Importance.MEDIUM,
                    "Create missing output topics at start. If false, or if creation is refused, a missing topic stops startup with its name.")
            .define(CommonConfig.topicsCheckKey())
            .define(CommonConfig.minInsyncReplicasKey())
            .define(CommonConfig.minRetentionKey())
            .define("topics.raw.name", Type.STRING, AuditTopics.RAW, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Input: the raw events ingest writes.")
            .define("topics.events.name", Type.STRING, AuditTopics.EVENTS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Output: every event once, normalized and redacted (docs/schema.md).")
            .define("topics.events.partitions", Type.INT, 6, Range.atLeast(1), Importance.LOW,
                    "Partitions when the events topic is created.")
            .define("topics.events.retention-ms", Type.LONG, Duration.ofDays(30).toMillis(), Range.atLeast(-1), Importance.LOW,
                    "retention.ms when the events topic is created: long enough to re-index or re-archive from it.")
            .define("topics.phi-access.name", Type.STRING, AuditTopics.PHI_ACCESS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Output: each request a rule flagged, once, from its final stage.")
            .define("topics.alerts.name", Type.STRING, AuditTopics.ALERTS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Output: detections over time windows.")
            .define(CommonConfig.deadLetterTopicKey("Output: raw records that cannot be processed, with the reason in headers."))
            .define("topics.outputs.partitions", Type.INT, 3, Range.atLeast(1), Importance.LOW,
                    "Partitions when phi-access, alerts or the dead-letter topic is created.")
            .define("topics.outputs.replication-factor", Type.SHORT, (short) -1, Importance.LOW,
                    "Replication factor when an output topic is created; -1 takes the broker's default.")
            .define("dedupe.window-ms", Type.LONG, Duration.ofHours(1).toMillis(), Range.atLeast(1000), Importance.MEDIUM,
                    "A repeat of (cluster, auditID, stage) within this time of the first, by the event's own stageTimestamp (the same in every resend, whatever ingest's clock says), is dropped. The apiserver retries for about two minutes.")
            .define("clock-skew.threshold-ms", Type.LONG, Duration.ofMinutes(5).toMillis(), Range.atLeast(1000), Importance.LOW,
                    "An event whose stageTimestamp is this far or farther from ingest's receivedAt, either way, is marked with clockSkewSeconds and counted (docs/schema.md). Above the apiserver's own delays (batching, about two minutes of retries), so that only clocks set apart trip it.")
            .define("phi.namespaces", Type.LIST, List.of(), Importance.HIGH,
                    "Namespaces that hold PHI: exact names and glob patterns (phi-*, *-patients).")
            .define("rules.file", Type.STRING, null, Importance.MEDIUM,
                    "A YAML rule file that adds, overrides or disables rules of the shipped defaults (docs/rules.md).")
            .define("redact.resources", Type.LIST, List.of(), Importance.MEDIUM,
                    "Resources whose object data is redacted in every namespace, in addition to secrets (always redacted).")
            .define("redact.phi-namespace-resources", Type.LIST, List.of("configmaps"), Importance.MEDIUM,
                    "Resources whose object data is redacted in PHI namespaces.")
            .define("alerts.secret-enumeration.threshold", Type.INT, 10, Range.atLeast(1), Importance.MEDIUM,
                    "Distinct secrets in PHI namespaces one actor may read within the window before a secret-enumeration alert.")
            .define("alerts.secret-enumeration.window-ms", Type.LONG, Duration.ofMinutes(10).toMillis(), Range.atLeast(1000), Importance.MEDIUM,
                    "Window of the secret-enumeration detection.")
            .define("alerts.denied-burst.threshold", Type.INT, 20, Range.atLeast(1), Importance.MEDIUM,
                    "Denied requests by one actor within the window before a denied-burst alert.")
            .define("alerts.denied-burst.window-ms", Type.LONG, Duration.ofMinutes(5).toMillis(), Range.atLeast(1000), Importance.MEDIUM,
                    "Window of the denied-burst detection.")
            .define("alerts.new-exec.lookback-ms", Type.LONG, Duration.ofDays(1).toMillis(), Range.atLeast(1000), Importance.MEDIUM,
                    "An exec into a PHI pod raises a new-exec alert when the same identity did none within this time before.")
            .define(CommonConfig.adminEnabledKey())
            .define(CommonConfig.adminHostKey())
            .define(CommonConfig.adminPortKey(9091))
            .define(CommonConfig.shutdownGracePeriodKey("the stream threads may take to commit and close."));

    public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, ENV_PREFIX,
            List.of(KAFKA_CLIENT_PREFIX, KAFKA_STREAMS_PREFIX));

    private final AbstractConfig values;
    private final Map<String, Object> originals;

    private StreamProcessorConfig(Map<String, Object> originals) {
        this.values = new AbstractConfig(DEFINITION, originals, false);
        this.originals = Map.copyOf(originals);
        rulesFile().ifPresent(f -> {
            if (!Files.isReadable(f)) {
                throw new ConfigException("rules.file", f.toString(), "file does not exist or is not readable");
            }
        });
        CommonConfig.requireReplicationFactor(values, "streams.replication-factor");
        CommonConfig.requireReplicationFactor(values, "topics.outputs.replication-factor");
        CommonConfig.requireTopicFitsCheck(values, "topics.outputs.replication-factor", "topics.events.retention-ms");
        CommonConfig.requireMinRetentionAtMost(values, FIXED_RETENTION.toMillis(),
                "the phi-access, alerts and dead-letter topics");
    }

    public static StreamProcessorConfig load(Path file, Map<String, String> env) {
        return new StreamProcessorConfig(LOADER.load(file, env));
    }

    public static StreamProcessorConfig of(Map<String, ?> settings) {
        return new StreamProcessorConfig(Map.copyOf(settings));
    }

    public String bootstrapServers() { return CommonConfig.bootstrapServers(values); }
    public String applicationId() { return values.getString("application.id"); }
    public int threads() { return values.getInt("streams.threads"); }
    public String stateDir() { return values.getString("streams.state-dir"); }
    public short internalReplicationFactor() { return values.getShort("streams.replication-factor"); }
    public boolean createTopics() { return values.getBoolean("topics.create"); }
    public TopicCheck.Settings topicCheck() { return CommonConfig.topicCheck(values); }
    public String rawTopic() { return values.getString("topics.raw.name"); }
    public String eventsTopic() { return values.getString("topics.events.name"); }
    public String phiAccessTopic() { return values.getString("topics.phi-access.name"); }
    public String alertsTopic() { return values.getString("topics.alerts.name"); }
    public String deadLetterTopic() { return CommonConfig.deadLetterTopic(values); }
    public Duration dedupeWindow() { return Duration.ofMillis(values.getLong("dedupe.window-ms")); }
    public Duration clockSkewThreshold() { return Duration.ofMillis(values.getLong("clock-skew.threshold-ms")); }
    public List<String> phiNamespaces() { return values.getList("phi.namespaces"); }
    public Optional<Path> rulesFile() {
        String v = values.getString("rules.file");
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(Path.of(v));
    }
    public List<String> redactResources() { return values.getList("redact.resources"); }
    public List<String> redactPhiNamespaceResources() { return values.getList("redact.phi-namespace-resources"); }
    public AlertDetectors.Settings alertSettings() {
        return new AlertDetectors.Settings(values.getInt("alerts.secret-enumeration.threshold"),
                Duration.ofMillis(values.getLong("alerts.secret-enumeration.window-ms")),
                values.getInt("alerts.denied-burst.threshold"),
                Duration.ofMillis(values.getLong("alerts.denied-burst.window-ms")),
                Duration.ofMillis(values.getLong("alerts.new-exec.lookback-ms")));
    }

    public AdminSettings admin() { return CommonConfig.admin(values); }
    public boolean adminEnabled() { return admin().enabled(); }
    public String adminHost() { return admin().host(); }
    public int adminPort() { return admin().port(); }
    public Duration shutdownGracePeriod() { return CommonConfig.shutdownGracePeriod(values); }

    /** The output topics, as they are created when missing. */
    public List<TopicSettings> outputTopics() {
        short rf = values.getShort("topics.outputs.replication-factor");
        int parts = values.getInt("topics.outputs.partitions");
        long month = FIXED_RETENTION.toMillis();
        return List.of(
                new TopicSettings(eventsTopic(), values.getInt("topics.events.partitions"), rf, values.getLong("topics.events.retention-ms")),
                new TopicSettings(phiAccessTopic(), parts, rf, month),
                new TopicSettings(alertsTopic(), parts, rf, month),
                new TopicSettings(deadLetterTopic(), 1, rf, month));
    }

    /**
     * What the stream-processor needs of the topics it uses ({@link TopicCheck}). The raw topic, first: the replication
     * and {@code min.insync.replicas} configured for production, and at least the minimum retention, or raw records
     * could be deleted before they are processed (its record size is ingest's to check). Then each output: an output
     * record comes from one raw record, so it must take a record as large as the raw topic does:
     * {@code rawMaxMessageBytes}, the raw topic's {@code max.message.bytes} (0 when the raw topic does not exist yet:
     * not checked).
     */
    public List<TopicCheck.Wanted> wantedTopics(long rawMaxMessageBytes) {
        TopicCheck.Settings check = topicCheck();
        List<TopicCheck.Wanted> wanted = new java.util.ArrayList<>();
        wanted.add(check.wanted(rawTopic(), 0, 0));
        outputTopics().stream()
                .map(t -> check.wanted(t.name(), rawMaxMessageBytes, Math.max(0, t.replicationFactor())))
                .forEach(wanted::add);
        return wanted;
    }

    public Map<String, Object> kafkaClientOverrides() {
        return CommonConfig.kafkaClientOverrides(originals);
    }

    public Map<String, Object> kafkaStreamsOverrides() {
        return ConfigLoader.withPrefix(originals, KAFKA_STREAMS_PREFIX);
    }
}
