package io.auditkeeper.source.aks.config;

import io.auditkeeper.config.AdminSettings;
import io.auditkeeper.config.CommonConfig;
import io.auditkeeper.config.ConfigLoader;
import io.auditkeeper.model.AuditTopics;
import io.auditkeeper.source.aks.envelope.ClusterResolver;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The AKS source's settings: one immutable, validated object read once at start from a YAML file and
 * {@code AUDITKEEPER_SOURCE_AKS_*} environment variables, the same rules as the other services. Any invalid or
 * inconsistent value stops startup with a message that names the key. The Event Hubs connection string is read from
 * a file only ({@code event-hubs.connection-string-file}), never from a setting, so that it appears in no config file,
 * environment dump or log line.
 */
public final class AksSourceConfig {
    public static final String ENV_PREFIX = "AUDITKEEPER_SOURCE_AKS_";
    public static final String EVENT_HUBS_CONSUMER_PREFIX = "event-hubs.consumer.";
    public static final String KAFKA_PRODUCER_PREFIX = "kafka.producer.";

    /** How events reach {@code audit.raw}: see docs/managed-clusters.md, "The guarantee". */
    public enum Delivery {
        /** Produce, wait for every acknowledgement, then commit the offsets to the event hub's group. */
        AT_LEAST_ONCE,
        /** Input and output on one Kafka cluster: the offsets committed in the producer's transaction. */
        EXACTLY_ONCE;

        static Delivery of(String value) {
            return valueOf(value.toUpperCase().replace('-', '_'));
        }
    }

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define("event-hubs.bootstrap-servers", Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "The Event Hubs namespace's Kafka endpoint, <namespace>.servicebus.windows.net:9093. Consumer overrides go under event-hubs.consumer.* (for example event-hubs.consumer.max.poll.records).")
            .define("event-hubs.topic", Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "The event hub AKS's diagnostic setting writes to (a topic on the Kafka endpoint).")
            .define("event-hubs.consumer-group", Type.STRING, "auditkeeper-source-aks", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Consumer group on the event hub, one per Audit Keeper deployment reading it (docs/managed-clusters.md, Azure set-up). Its committed offsets are where a restarted source resumes.")
            .define("event-hubs.security-protocol", Type.STRING, "SASL_SSL", ValidString.in("SASL_SSL", "PLAINTEXT"), Importance.HIGH,
                    "SASL_SSL with mechanism PLAIN, user $ConnectionString and the connection string as password, as Event Hubs requires; PLAINTEXT only for a local Kafka standing in for the hub (tests, demo).")
            .define("event-hubs.connection-string-file", Type.STRING, null, Importance.HIGH,
                    "File holding the connection string of a shared access policy with Listen on the hub (Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...[;EntityPath=...]). Required with SASL_SSL. Read once at start; never logged.")
            .define("event-hubs.namespace", Type.STRING, null, Importance.LOW,
                    "Namespace name recorded in the auditkeeper.client header (event-hubs:<namespace>/<hub>). Empty: the first label of the first bootstrap server's host.")
            .define("categories", Type.LIST, List.of("kube-audit", "kube-audit-admin"), Importance.MEDIUM,
                    "Resource-log categories whose records are audit Events. Records of other categories on the same hub are passed over (counted, not written).")
            .define("cluster.mapping", Type.LIST, List.of(), Importance.MEDIUM,
                    "Entries <resource id or AKS cluster name>=<cluster>, matched without regard to case. Without an entry the cluster is the resource id's MANAGEDCLUSTERS/<name>, lower-cased; a record whose name breaks the cluster-name rule and has no entry goes to the dead-letter topic (unknown-cluster).")
            .define("delivery.mode", Type.STRING, "at-least-once", ValidString.in("at-least-once", "exactly-once"), Importance.HIGH,
                    "at-least-once: produce, wait for every acknowledgement, then commit the hub offsets; a crash in between writes those events again, identical, which the stream-processor's dedupe on (cluster, auditID, stage) drops. exactly-once: offsets committed in the producer's transaction; only when the hub and kafka.bootstrap-servers are the same Kafka cluster (never Event Hubs).")
            .define(CommonConfig.bootstrapServersKey(" the events are written to, host:port[,host:port...]. Client security settings go under kafka.client.*, producer overrides under kafka.producer.*."))
            .define("topics.raw.name", Type.STRING, AuditTopics.RAW, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Topic for the Events (keyed by auditID), as ingest writes it. The source does not create it.")
            .define(CommonConfig.deadLetterTopicKey("Dead-letter topic: messages and records that are not AKS audit records, with the reason in headers. The source does not create it."))
            .define("poll.timeout-ms", Type.LONG, 1_000L, Range.between(10, 60_000), Importance.LOW,
                    "Longest wait of one poll of the hub.")
            .define("retry.backoff-ms", Type.LONG, 1_000L, Range.between(10, 600_000), Importance.LOW,
                    "Pause before reading again from the last committed offsets after a write to Kafka failed.")
            .define(CommonConfig.adminEnabledKey())
            .define(CommonConfig.adminHostKey())
            .define(CommonConfig.adminPortKey(9094))
            .define(CommonConfig.shutdownGracePeriodKey("the batch in hand may take to be written and committed."));

    public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, ENV_PREFIX,
            List.of(CommonConfig.KAFKA_CLIENT_PREFIX, KAFKA_PRODUCER_PREFIX, EVENT_HUBS_CONSUMER_PREFIX));

    private final AbstractConfig values;
    private final Map<String, Object> originals;
    private final ClusterResolver clusters;

    private AksSourceConfig(Map<String, Object> originals) {
        this.values = new AbstractConfig(DEFINITION, originals, false);
        this.originals = Map.copyOf(originals);
        try {
            this.clusters = ClusterResolver.of(values.getList("cluster.mapping"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("cluster.mapping", values.getList("cluster.mapping"), e.getMessage());
        }
        validate();
    }

    /** Reads the file (if any) and the environment; throws {@link ConfigException} naming the key on any problem. */
    public static AksSourceConfig load(Path file, Map<String, String> env) {
        return new AksSourceConfig(LOADER.load(file, env));
    }

    public static AksSourceConfig of(Map<String, ?> settings) {
        return new AksSourceConfig(Map.copyOf(settings));
    }

    private void validate() {
        if (categories().isEmpty()) {
            throw new ConfigException("categories", values.getList("categories"), "names no category");
        }
        if (saslSsl()) {
            connectionString();
        }
        if (delivery() == Delivery.EXACTLY_ONCE && !eventHubsBootstrapServers().equals(kafkaBootstrapServers())) {
            throw new ConfigException("delivery.mode", "exactly-once", "needs the hub on the output Kafka cluster"
                    + " (event-hubs.bootstrap-servers equal to kafka.bootstrap-servers): a transaction cannot commit"
                    + " offsets of another cluster. Use at-least-once with Event Hubs");
        }
        if (rawTopic().equals(deadLetterTopic())) {
            throw new ConfigException("topics.dlq.name", deadLetterTopic(), "must differ from topics.raw.name");
        }
    }

    /**
     * The connection string, read from its file now (so a rotated secret is taken at the next start).
     *
     * @throws ConfigException naming {@code event-hubs.connection-string-file}, never quoting the file's content
     */
    public String connectionString() {
        String key = "event-hubs.connection-string-file";
        String file = values.getString(key);
        if (file == null || file.isBlank()) {
            throw new ConfigException(key, file, "is required with event-hubs.security-protocol=SASL_SSL");
        }
        String s;
        try {
            s = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigException(key, file, "file does not exist or is not readable");
        }
        if (!s.startsWith("Endpoint=sb://") || !s.contains("SharedAccessKey=")) {
            throw new ConfigException(key, file, "does not hold an Event Hubs connection string"
                    + " (Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...)");
        }
        if (s.indexOf('"') >= 0 || s.indexOf('\\') >= 0 || s.lines().count() > 1) {
            throw new ConfigException(key, file, "holds a quote, a backslash or more than one line");
        }
        return s;
    }

    public String eventHubsBootstrapServers() { return values.getString("event-hubs.bootstrap-servers"); }
    public String eventHub() { return values.getString("event-hubs.topic"); }
    public String consumerGroup() { return values.getString("event-hubs.consumer-group"); }
    public boolean saslSsl() { return "SASL_SSL".equals(values.getString("event-hubs.security-protocol")); }
    public Set<String> categories() { return Set.copyOf(values.getList("categories")); }
    public ClusterResolver clusters() { return clusters; }
    public Delivery delivery() { return Delivery.of(values.getString("delivery.mode")); }
    public String kafkaBootstrapServers() { return CommonConfig.bootstrapServers(values); }
    public String rawTopic() { return values.getString("topics.raw.name"); }
    public String deadLetterTopic() { return CommonConfig.deadLetterTopic(values); }
    public Duration pollTimeout() { return Duration.ofMillis(values.getLong("poll.timeout-ms")); }
    public Duration retryBackoff() { return Duration.ofMillis(values.getLong("retry.backoff-ms")); }
    public AdminSettings admin() { return CommonConfig.admin(values); }
    public Duration shutdownGracePeriod() { return CommonConfig.shutdownGracePeriod(values); }

    /** What the {@code auditkeeper.client} header says: {@code event-hubs:<namespace>/<hub>}. */
    public String client() {
        String ns = Optional.ofNullable(values.getString("event-hubs.namespace")).filter(s -> !s.isBlank())
                .orElseGet(() -> {
                    String first = eventHubsBootstrapServers().split(",")[0].trim();
                    String host = first.lastIndexOf(':') > 0 ? first.substring(0, first.lastIndexOf(':')) : first;
                    return host.matches("[0-9.]+") || host.startsWith("[") ? host : host.split("\\.")[0];
                });
        return "event-hubs:" + ns + "/" + eventHub();
    }

    /** Kafka client properties of the output cluster (security, client.id, ...). */
    public Map<String, Object> kafkaClientOverrides() {
        return CommonConfig.kafkaClientOverrides(originals);
    }

    public Map<String, Object> kafkaProducerOverrides() {
        return ConfigLoader.withPrefix(originals, KAFKA_PRODUCER_PREFIX);
    }

    public Map<String, Object> eventHubsConsumerOverrides() {
        return ConfigLoader.withPrefix(originals, EVENT_HUBS_CONSUMER_PREFIX);
    }
}
