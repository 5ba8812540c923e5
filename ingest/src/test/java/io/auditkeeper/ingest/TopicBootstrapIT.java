package io.auditkeeper.ingest;

import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(LocalStackExtension.class)
class TopicBootstrapIT {
    @Test
    void shouldCreateMissingTopicsWithTheConfiguredPartitionsAndRetention(LocalStack stack) throws Exception {
        String raw = "raw-" + System.nanoTime();
        String dlq = "dlq-" + System.nanoTime();
        Map<String, Object> s = IngestHarness.settings(DevPki.create(IngestHarness.target("pki-topics")), stack.kafkaBootstrap());
        s.put("topics.raw.name", raw);
        s.put("topics.raw.partitions", "4");
        s.put("topics.raw.retention-ms", "86400000");
        s.put("topics.dlq.name", dlq);

        try (IngestService ignored = IngestHarness.start(s);
             Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            Map<String, TopicDescription> topics = admin.describeTopics(List.of(raw, dlq)).allTopicNames().get();
            assertThat(topics.get(raw).partitions()).hasSize(4);
            assertThat(topics.get(dlq).partitions()).hasSize(1);
            Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, raw)))
                    .all().get().values().iterator().next();
            assertThat(config.get("retention.ms").value()).isEqualTo("86400000");
            assertThat(Long.parseLong(config.get("max.message.bytes").value())).isGreaterThan(32L * 1024 * 1024);
        }
    }

    @Test
    void shouldRefuseToStartNamingTheTopicWhenItIsMissingAndCreationIsOff(LocalStack stack) {
        Map<String, Object> s = IngestHarness.settings(DevPki.create(IngestHarness.target("pki-topics2")), stack.kafkaBootstrap());
        s.put("topics.create", "false");
        s.put("topics.raw.name", "missing-raw-topic");

        assertThatThrownBy(() -> IngestHarness.start(s)).hasMessageContaining("missing-raw-topic");
    }
}
