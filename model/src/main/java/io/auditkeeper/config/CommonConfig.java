package io.auditkeeper.config;

import io.auditkeeper.kafka.TopicCheck;
import io.auditkeeper.model.AuditTopics;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigException;

import java.time.Duration;
import java.util.Map;

/**
 * The keys the services share, defined once: {@code kafka.bootstrap-servers} (with the {@code kafka.client.*}
 * pass-through), {@code topics.dlq.name}, {@code topics.check}, {@code topics.min-insync-replicas},
 * {@code topics.min-retention-ms} and {@code admin.*} (all three services), {@code shutdown.grace-period-ms}
 * (ingest and the stream-processor). A service's
 * {@link ConfigDef} takes each key where its reference table shows it:
 * <pre>{@code new ConfigDef().define(...).define(CommonConfig.adminEnabledKey()).define(CommonConfig.adminHostKey())...}</pre>
 * and reads the values back with the static readers here. Only what truly differs between the services is a
 * parameter: the admin port's default and the sentence that says what the key means for that service.
 */
public final class CommonConfig {
    public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap-servers";
    /** Kafka client properties (security, client.id, ...) taken as they are: {@code kafka.client.security.protocol}. */
    public static final String KAFKA_CLIENT_PREFIX = "kafka.client.";
    public static final String DEAD_LETTER_TOPIC = "topics.dlq.name";
    public static final String ADMIN_ENABLED = "admin.enabled";
    public static final String ADMIN_HOST = "admin.host";
    public static final String ADMIN_PORT = "admin.port";
    public static final String SHUTDOWN_GRACE_PERIOD = "shutdown.grace-period-ms";
    public static final String TOPICS_CHECK = "topics.check";
    public static final String TOPICS_MIN_INSYNC_REPLICAS = "topics.min-insync-replicas";
    public static final String TOPICS_MIN_RETENTION = "topics.min-retention-ms";

    private CommonConfig() {
    }

    /**
     * {@code kafka.bootstrap-servers}, required. {@code more} follows "Kafka bootstrap servers" in the description:
     * where that service's client and pass-through settings go.
     */
    public static ConfigKey bootstrapServersKey(String more) {
        return key(BOOTSTRAP_SERVERS, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                "Kafka bootstrap servers" + more);
    }

    /** {@code topics.dlq.name}, {@code audit.dlq} by default; {@code description} says what the service does with it. */
    public static ConfigKey deadLetterTopicKey(String description) {
        return key(DEAD_LETTER_TOPIC, Type.STRING, AuditTopics.DEAD_LETTER, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                description);
    }

    public static ConfigKey adminEnabledKey() {
        return key(ADMIN_ENABLED, Type.BOOLEAN, true, null, Importance.LOW,
                "Serve /healthz, /readyz and /metrics on the admin port.");
    }

    public static ConfigKey adminHostKey() {
        return key(ADMIN_HOST, Type.STRING, "0.0.0.0", null, Importance.LOW,
                "Address of the admin port (plain HTTP; keep it inside the cluster network).");
    }

    /** {@code admin.port}; each service has its own default so that all of them can run on one host. */
    public static ConfigKey adminPortKey(int defaultPort) {
        return key(ADMIN_PORT, Type.INT, defaultPort, Range.between(0, 65535), Importance.LOW,
                "Admin port. 0 picks a free port.");
    }

    /**
     * {@code shutdown.grace-period-ms}, 30 s by default. {@code what} follows "On shutdown, how long " in the
     * description: what may finish in that time.
     */
    public static ConfigKey shutdownGracePeriodKey(String what) {
        return key(SHUTDOWN_GRACE_PERIOD, Type.LONG, 30_000L, Range.atLeast(0), Importance.LOW,
                "On shutdown, how long " + what);
    }

    /** {@code topics.check}: what a topic that does not fit the service does to its start ({@link TopicCheck}). */
    public static ConfigKey topicsCheckKey() {
        return key(TOPICS_CHECK, Type.STRING, "fail", ValidString.in("fail", "warn", "off"), Importance.MEDIUM,
                "At start, compare the topics this service uses, existing ones included, with what it needs:"
                        + " max.message.bytes, replication factor, min.insync.replicas and retention.ms (docs/deploy.md,"
                        + " Kafka). fail stops startup with one message naming each topic, setting, its value and the"
                        + " value wanted; warn logs that message and starts; off does not look.");
    }

    /**
     * {@code topics.min-insync-replicas}, 1 by default: Kafka's own default, and all a single broker (the demo, the
     * tests) can give. Production sets 2 with three brokers (the manifests in deploy/ do).
     */
    public static ConfigKey minInsyncReplicasKey() {
        return key(TOPICS_MIN_INSYNC_REPLICAS, Type.INT, 1, Range.between(1, Short.MAX_VALUE), Importance.MEDIUM,
                "Least min.insync.replicas of the topics this service writes, checked at start (topics.check), and"
                        + " their least replication factor; set on the topics it creates when above 1. 1, Kafka's"
                        + " default, fits a single broker; with three brokers set 2 (the manifests in deploy/ do), so"
                        + " that an acknowledgement never rests on one broker.");
    }

    /** {@code topics.min-retention-ms}, one day by default; 0 leaves retention unchecked. */
    public static ConfigKey minRetentionKey() {
        return key(TOPICS_MIN_RETENTION, Type.LONG, Duration.ofDays(1).toMillis(), Range.atLeast(0), Importance.MEDIUM,
                "Least retention.ms of the topics this service uses, checked at start (topics.check); -1 (infinite)"
                        + " is always enough, 0 does not check. It is how long a stopped consumer may stay down"
                        + " before events expire unread.");
    }

    public static TopicCheck.Settings topicCheck(AbstractConfig values) {
        return new TopicCheck.Settings(TopicCheck.Mode.of(values.getString(TOPICS_CHECK)),
                values.getInt(TOPICS_MIN_INSYNC_REPLICAS), values.getLong(TOPICS_MIN_RETENTION));
    }

    /**
     * Checks that a topic the service creates would pass its own {@link TopicCheck}: its replication factor (when not
     * -1) holds {@code topics.min-insync-replicas}, and its retention (when not -1) is at least
     * {@code topics.min-retention-ms}.
     *
     * @throws ConfigException naming the topic's key
     */
    public static void requireTopicFitsCheck(AbstractConfig values, String replicationKey, String retentionKey) {
        int minIsr = values.getInt(TOPICS_MIN_INSYNC_REPLICAS);
        if (replicationKey != null) {
            short rf = values.getShort(replicationKey);
            if (rf > 0 && rf < minIsr) {
                throw new ConfigException(replicationKey, rf, "must be at least " + TOPICS_MIN_INSYNC_REPLICAS
                        + " (" + minIsr + "), or no write could be acknowledged");
            }
        }
        if (retentionKey != null) {
            long retention = values.getLong(retentionKey);
            long min = values.getLong(TOPICS_MIN_RETENTION);
            if (retention >= 0 && retention < min) {
                throw new ConfigException(retentionKey, retention, "must be at least " + TOPICS_MIN_RETENTION
                        + " (" + min + ") or -1");
            }
        }
    }

    /**
     * Checks that {@code topics.min-retention-ms} admits the fixed {@code retentionMs} of topics the service creates
     * without a retention key of their own ({@code which} names them), so that it never refuses what it created.
     *
     * @throws ConfigException naming {@code topics.min-retention-ms}
     */
    public static void requireMinRetentionAtMost(AbstractConfig values, long retentionMs, String which) {
        long min = values.getLong(TOPICS_MIN_RETENTION);
        if (min > retentionMs) {
            throw new ConfigException(TOPICS_MIN_RETENTION, min, "must be at most " + retentionMs + ": " + which
                    + " are created with that retention.ms");
        }
    }

    public static String bootstrapServers(AbstractConfig values) {
        return values.getString(BOOTSTRAP_SERVERS);
    }

    public static String deadLetterTopic(AbstractConfig values) {
        return values.getString(DEAD_LETTER_TOPIC);
    }

    public static AdminSettings admin(AbstractConfig values) {
        return new AdminSettings(values.getBoolean(ADMIN_ENABLED), values.getString(ADMIN_HOST), values.getInt(ADMIN_PORT));
    }

    public static Duration shutdownGracePeriod(AbstractConfig values) {
        return Duration.ofMillis(values.getLong(SHUTDOWN_GRACE_PERIOD));
    }

    /** The {@code kafka.client.*} entries of the service's settings, without the prefix. */
    public static Map<String, Object> kafkaClientOverrides(Map<String, ?> originals) {
        return ConfigLoader.withPrefix(originals, KAFKA_CLIENT_PREFIX);
    }

    /**
     * Checks a replication-factor key (type short): -1 takes the broker's default, otherwise at least 1.
     *
     * @throws ConfigException naming the key
     */
    public static void requireReplicationFactor(AbstractConfig values, String key) {
        short rf = values.getShort(key);
        if (rf == 0 || rf < -1) {
            throw new ConfigException(key, rf, "must be -1 (broker default) or at least 1");
        }
    }

    /**
     * The key exactly as {@link ConfigDef#define(String, Type, Object, Validator, Importance, String)} would make it
     * (same parsing and validation of the default, same display name), so that a service's definition can take it
     * with {@link ConfigDef#define(ConfigKey)} at the place its reference table shows it.
     */
    private static ConfigKey key(String name, Type type, Object defaultValue, Validator validator, Importance importance,
                                 String documentation) {
        return new ConfigDef().define(name, type, defaultValue, validator, importance, documentation).configKeys().get(name);
    }
}
