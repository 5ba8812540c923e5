package io.auditkeeper.ingest;

import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Ingest against topics that exist already, one with settings that drifted: the defaults want 9 MiB records on the
 * raw topic (8 MiB events and 1 MiB of headers), 33 MiB on the dead-letter topic, and a day's retention.
 */
@ExtendWith(LocalStackExtension.class)
class TopicCheckIT {
    private static final long RAW_BYTES = 9L * 1024 * 1024;
    private static final long DLQ_BYTES = 33L * 1024 * 1024;
    private static final long DAY = 86_400_000L;
    private static DevPki pki;

    @BeforeAll
    static void pki() {
        pki = DevPki.create(IngestHarness.target("pki-topic-check"));
    }

    private static String topic(LocalStack stack, String prefix, long maxMessageBytes, long retentionMs) throws Exception {
        String name = prefix + "-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(name, 1, (short) 1).configs(Map.of(
                    "max.message.bytes", Long.toString(maxMessageBytes), "retention.ms", Long.toString(retentionMs))));
        }
        return name;
    }

    private static Map<String, Object> settings(LocalStack stack, String raw, String dlq) {
        Map<String, Object> s = IngestHarness.settings(pki, stack.kafkaBootstrap());
        s.put("topics.raw.name", raw);
        s.put("topics.dlq.name", dlq);
        return s;
    }

    @Test
    void shouldRefuseToStartNamingTopicSettingValueAndWantedWhenTheRawTopicIsOneBelowEachLimit(LocalStack stack) throws Exception {
        String raw = topic(stack, "drifted-raw", RAW_BYTES - 1, DAY - 1);
        String dlq = topic(stack, "exact-dlq", DLQ_BYTES, DAY);

        assertThatThrownBy(() -> IngestHarness.start(settings(stack, raw, dlq)))
                .hasMessageContaining("topic " + raw + ": max.message.bytes is " + (RAW_BYTES - 1) + ", wanted at least " + RAW_BYTES)
                .hasMessageContaining("topic " + raw + ": retention.ms is " + (DAY - 1) + ", wanted at least " + DAY)
                .hasMessageNotContaining(dlq);
    }

    @Test
    void shouldStartWhenEveryTopicIsExactlyAtItsLimits(LocalStack stack) throws Exception {
        String raw = topic(stack, "exact-raw", RAW_BYTES, DAY);
        String dlq = topic(stack, "exact-dlq", DLQ_BYTES, DAY);

        try (IngestService service = IngestHarness.start(settings(stack, raw, dlq))) {
            assertThat(service.webhookUri()).isNotNull();
        }
    }

    @Test
    void shouldStartWhenTheCheckOnlyWarns(LocalStack stack) throws Exception {
        String raw = topic(stack, "drifted-raw", RAW_BYTES - 1, DAY - 1);
        String dlq = topic(stack, "drifted-dlq", 1024 * 1024, DAY);
        Map<String, Object> s = settings(stack, raw, dlq);
        s.put("topics.check", "warn");

        try (IngestService service = IngestHarness.start(s)) {
            assertThat(service.webhookUri()).isNotNull();
        }
    }

    @Test
    void shouldRefuseASingleReplicaWhenTwoInSyncReplicasAreWanted(LocalStack stack) throws Exception {
        String raw = topic(stack, "one-replica-raw", RAW_BYTES, DAY);
        String dlq = topic(stack, "one-replica-dlq", DLQ_BYTES, DAY);
        Map<String, Object> s = settings(stack, raw, dlq);
        s.put("topics.min-insync-replicas", "2");

        assertThatThrownBy(() -> IngestHarness.start(s))
                .hasMessageContaining("topic " + raw + ": replication.factor is 1, wanted at least 2")
                .hasMessageContaining("topic " + raw + ": min.insync.replicas is 1, wanted at least 2")
                .hasMessageContaining("topic " + dlq + ": min.insync.replicas is 1, wanted at least 2");
    }
}
