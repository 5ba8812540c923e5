package io.auditkeeper.config;

import io.auditkeeper.kafka.TopicCheck;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommonConfigTest {
    private static final ConfigDef DEFINITION = new ConfigDef()
            .define("a.first", Type.STRING, "x", Importance.LOW, "A key of the service's own.")
            .define(CommonConfig.bootstrapServersKey(". Client settings go under kafka.client.*."))
            .define(CommonConfig.deadLetterTopicKey("Where the refused go."))
            .define("topics.rf", Type.SHORT, (short) -1, Importance.LOW, "A replication factor.")
            .define(CommonConfig.adminEnabledKey())
            .define(CommonConfig.adminHostKey())
            .define(CommonConfig.adminPortKey(9099))
            .define(CommonConfig.shutdownGracePeriodKey("the work may take to finish."));
    private static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "T_", List.of(CommonConfig.KAFKA_CLIENT_PREFIX));

    @Test
    void shouldDefineTheCommonKeysWhereTheServicePutsThem() {
        assertThat(DEFINITION.names()).containsExactly("a.first", "kafka.bootstrap-servers", "topics.dlq.name", "topics.rf",
                "admin.enabled", "admin.host", "admin.port", "shutdown.grace-period-ms");
    }

    @Test
    void shouldDocumentTheCommonKeysAsTheServicesAlwaysHave() {
        String table = ConfigDocs.markdownTable(DEFINITION, LOADER);

        assertThat(table).contains(
                "| `kafka.bootstrap-servers` | `T_KAFKA_BOOTSTRAP_SERVERS` | string | (required) | non-empty string | Kafka bootstrap servers. Client settings go under kafka.client.*. |",
                "| `topics.dlq.name` | `T_TOPICS_DLQ_NAME` | string | `audit.dlq` | non-empty string | Where the refused go. |",
                "| `admin.enabled` | `T_ADMIN_ENABLED` | boolean | `true` |  | Serve /healthz, /readyz and /metrics on the admin port. |",
                "| `admin.host` | `T_ADMIN_HOST` | string | `0.0.0.0` |  | Address of the admin port (plain HTTP; keep it inside the cluster network). |",
                "| `admin.port` | `T_ADMIN_PORT` | int | `9099` | [0,...,65535] | Admin port. 0 picks a free port. |",
                "| `shutdown.grace-period-ms` | `T_SHUTDOWN_GRACE_PERIOD_MS` | long | `30000` | [0,...] | On shutdown, how long the work may take to finish. |");
    }

    @Test
    void shouldReadTheCommonKeys() {
        AbstractConfig values = new AbstractConfig(DEFINITION, Map.of("kafka.bootstrap-servers", "k:9092",
                "admin.port", "0", "shutdown.grace-period-ms", "5000", "kafka.client.client.id", "me"), false);

        assertThat(CommonConfig.bootstrapServers(values)).isEqualTo("k:9092");
        assertThat(CommonConfig.deadLetterTopic(values)).isEqualTo("audit.dlq");
        assertThat(CommonConfig.admin(values)).isEqualTo(new AdminSettings(true, "0.0.0.0", 0));
        assertThat(CommonConfig.shutdownGracePeriod(values)).isEqualTo(Duration.ofSeconds(5));
        assertThat(CommonConfig.kafkaClientOverrides(values.originals())).isEqualTo(Map.of("client.id", "me"));
    }

    @Test
    void shouldValidateTheCommonKeysAsBefore() {
        assertThatThrownBy(() -> new AbstractConfig(DEFINITION, Map.of(), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("kafka.bootstrap-servers");
        assertThatThrownBy(() -> new AbstractConfig(DEFINITION, Map.of("kafka.bootstrap-servers", "k:9092", "admin.port", "70000"), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.port");
        assertThatThrownBy(() -> new AbstractConfig(DEFINITION, Map.of("kafka.bootstrap-servers", "k:9092", "topics.dlq.name", ""), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("topics.dlq.name");
    }

    @Test
    void shouldAcceptOnlyTheBrokerDefaultOrAPositiveReplicationFactor() {
        for (String ok : List.of("-1", "1", "3")) {
            CommonConfig.requireReplicationFactor(config("topics.rf", ok), "topics.rf");
        }
        for (String bad : List.of("0", "-2")) {
            assertThatThrownBy(() -> CommonConfig.requireReplicationFactor(config("topics.rf", bad), "topics.rf"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("topics.rf")
                    .hasMessageContaining("must be -1 (broker default) or at least 1");
        }
    }

    private static final ConfigDef CHECKED = new ConfigDef()
            .define(CommonConfig.topicsCheckKey())
            .define(CommonConfig.minInsyncReplicasKey())
            .define(CommonConfig.minRetentionKey())
            .define("topics.rf", Type.SHORT, (short) -1, Importance.LOW, "A replication factor.")
            .define("topics.retention", Type.LONG, 604_800_000L, Importance.LOW, "A retention.");

    @Test
    void shouldDefaultToAFailingCheckThatASingleBrokerPassesWhenNothingIsSet() {
        AbstractConfig values = new AbstractConfig(CHECKED, Map.of(), false);

        assertThat(CommonConfig.topicCheck(values)).isEqualTo(new TopicCheck.Settings(TopicCheck.Mode.FAIL, 1, 86_400_000L));
    }

    @Test
    void shouldRefuseACheckModeWhenItIsNotFailWarnOrOff() {
        assertThatThrownBy(() -> new AbstractConfig(CHECKED, Map.of("topics.check", "ignore"), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("topics.check");
    }

    @Test
    void shouldAcceptACreatedTopicWhenItsReplicationAndRetentionEqualTheMinimums() {
        AbstractConfig values = new AbstractConfig(CHECKED, Map.of("topics.min-insync-replicas", "2", "topics.rf", "2",
                "topics.min-retention-ms", "1000", "topics.retention", "1000"), false);

        CommonConfig.requireTopicFitsCheck(values, "topics.rf", "topics.retention");
    }

    @Test
    void shouldAcceptTheBrokerDefaultReplicationAndInfiniteRetentionWhenMinimumsAreSet() {
        AbstractConfig values = new AbstractConfig(CHECKED, Map.of("topics.min-insync-replicas", "2",
                "topics.min-retention-ms", "1000", "topics.retention", "-1"), false);

        CommonConfig.requireTopicFitsCheck(values, "topics.rf", "topics.retention");
    }

    @Test
    void shouldRefuseACreatedTopicNamingItsKeyWhenItWouldFailTheCheck() {
        AbstractConfig fewReplicas = new AbstractConfig(CHECKED, Map.of("topics.min-insync-replicas", "2", "topics.rf", "1"), false);
        AbstractConfig shortRetention = new AbstractConfig(CHECKED, Map.of("topics.min-retention-ms", "1001",
                "topics.retention", "1000"), false);

        assertThatThrownBy(() -> CommonConfig.requireTopicFitsCheck(fewReplicas, "topics.rf", "topics.retention"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("topics.rf")
                .hasMessageContaining("topics.min-insync-replicas (2)");
        assertThatThrownBy(() -> CommonConfig.requireTopicFitsCheck(shortRetention, "topics.rf", "topics.retention"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("topics.retention")
                .hasMessageContaining("topics.min-retention-ms (1001)");
    }

    @Test
    void shouldRefuseAMinimumRetentionWhenItExceedsAFixedRetentionOfCreatedTopics() {
        AbstractConfig equal = new AbstractConfig(CHECKED, Map.of("topics.min-retention-ms", "1000"), false);
        AbstractConfig above = new AbstractConfig(CHECKED, Map.of("topics.min-retention-ms", "1001"), false);

        CommonConfig.requireMinRetentionAtMost(equal, 1000, "the fixed topics");
        assertThatThrownBy(() -> CommonConfig.requireMinRetentionAtMost(above, 1000, "the fixed topics"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("topics.min-retention-ms")
                .hasMessageContaining("the fixed topics");
    }

    private static AbstractConfig config(String key, String value) {
        return new AbstractConfig(DEFINITION, Map.of("kafka.bootstrap-servers", "k:9092", key, value), false);
    }
}
