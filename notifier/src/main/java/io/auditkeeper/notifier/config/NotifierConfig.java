package io.auditkeeper.notifier.config;

import io.auditkeeper.config.AdminSettings;
import io.auditkeeper.config.CommonConfig;
import io.auditkeeper.config.ConfigLoader;
import io.auditkeeper.model.AuditTopics;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The notifier's settings: one immutable, validated object read once at start from a YAML file and
 * {@code AUDITKEEPER_NOTIFIER_*} environment variables, the same rules as the other services, plus its receivers, each
 * under {@code receivers.<name>.} ({@link ReceiverConfig}). Any invalid or inconsistent value stops startup with a
 * message that names the key; secrets are read from files and never quoted.
 */
public final class NotifierConfig {
    public static final String ENV_PREFIX = "AUDITKEEPER_NOTIFIER_";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(CommonConfig.bootstrapServersKey(", host:port[,host:port...]. Client security settings go under kafka.client.*."))
            .define("topics.alerts.name", Type.STRING, AuditTopics.ALERTS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Topic of the alerts, as the stream-processor writes it (read_committed).")
            .define("topics.phi-access.name", Type.STRING, AuditTopics.PHI_ACCESS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Topic of the flagged requests, read only for receivers whose sources include phi-access.")
            .define(CommonConfig.deadLetterTopicKey("Dead-letter topic: alerts a receiver refused for good or did not take within its attempts (alert-undeliverable, with the receiver's name and last HTTP status in headers). The notifier does not create it."))
            .define("consumer-group-prefix", Type.STRING, "auditkeeper-notifier", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Each receiver reads in its own consumer group, <prefix>-<receiver name>, so a failing or slow receiver never holds up or repeats another's deliveries; its committed offsets are where it resumes.")
            .define("poll.timeout-ms", Type.LONG, 1_000L, Range.between(10, 60_000), Importance.LOW,
                    "Longest wait of one poll, and the step at which a receiver waiting out a backoff polls its group to stay in it.")
            .define(CommonConfig.adminEnabledKey())
            .define(CommonConfig.adminHostKey())
            .define(CommonConfig.adminPortKey(9095))
            .define(CommonConfig.shutdownGracePeriodKey("a delivery in progress may take to finish and be committed; one cut short is sent again after the restart, with the same dedupe key."));

    public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, ENV_PREFIX,
            List.of(CommonConfig.KAFKA_CLIENT_PREFIX, ReceiverConfig.PREFIX));

    /** The keys of one receiver, for the configuration reference ({@code receivers.<name>.*}). */
    public static final ConfigDef RECEIVER_DEFINITION = ReceiverConfig.definition("<name>");
    /** What {@code ConfigDocs} needs to show the environment variables of {@link #RECEIVER_DEFINITION}. */
    public static final ConfigLoader RECEIVER_LOADER = new ConfigLoader(RECEIVER_DEFINITION, ENV_PREFIX, List.of());

    private final AbstractConfig values;
    private final Map<String, Object> originals;
    private final Map<String, ReceiverConfig> receivers;

    private NotifierConfig(Map<String, Object> originals) {
        this.values = new AbstractConfig(DEFINITION, originals, false);
        this.originals = Map.copyOf(originals);
        this.receivers = ReceiverConfig.all(originals);
        if (receivers.isEmpty()) {
            throw new ConfigException(ReceiverConfig.PREFIX + "<name>.type", null, "no receiver is configured");
        }
        if (alertsTopic().equals(phiAccessTopic())) {
            throw new ConfigException("topics.phi-access.name", phiAccessTopic(), "must differ from topics.alerts.name");
        }
        if (deadLetterTopic().equals(alertsTopic()) || deadLetterTopic().equals(phiAccessTopic())) {
            throw new ConfigException(CommonConfig.DEAD_LETTER_TOPIC, deadLetterTopic(), "must differ from the topics read");
        }
    }

    /** Reads the file (if any) and the environment; throws {@link ConfigException} naming the key on any problem. */
    public static NotifierConfig load(Path file, Map<String, String> env) {
        return new NotifierConfig(LOADER.load(file, env));
    }

    public static NotifierConfig of(Map<String, ?> settings) {
        return new NotifierConfig(Map.copyOf(settings));
    }

    public String kafkaBootstrapServers() { return CommonConfig.bootstrapServers(values); }
    public String alertsTopic() { return values.getString("topics.alerts.name"); }
    public String phiAccessTopic() { return values.getString("topics.phi-access.name"); }
    public String deadLetterTopic() { return CommonConfig.deadLetterTopic(values); }
    public Duration pollTimeout() { return Duration.ofMillis(values.getLong("poll.timeout-ms")); }
    public AdminSettings admin() { return CommonConfig.admin(values); }
    public Duration shutdownGracePeriod() { return CommonConfig.shutdownGracePeriod(values); }
    /** The receivers, by name. */
    public Map<String, ReceiverConfig> receivers() { return receivers; }

    /** The consumer group of one receiver. */
    public String consumerGroup(ReceiverConfig receiver) {
        return values.getString("consumer-group-prefix") + "-" + receiver.name();
    }

    /** The topic a source is read from. */
    public String topic(AlertSource source) {
        return source == AlertSource.ALERTS ? alertsTopic() : phiAccessTopic();
    }

    /** Kafka client properties (security, client.id, ...). */
    public Map<String, Object> kafkaClientOverrides() {
        return CommonConfig.kafkaClientOverrides(originals);
    }
}
