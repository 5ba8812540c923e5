package io.auditkeeper.localstack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Three KRaft nodes in one JVM: replicated topics with the durability settings, and a leader stopped hard whose
 * partitions get a new leader from the in-sync replicas while every acknowledged record stays readable.
 */
class EmbeddedKafkaClusterIT {
    private static EmbeddedKafkaCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void start() {
        cluster = EmbeddedKafkaCluster.start(Path.of("target", "kafka-cluster-" + System.nanoTime()), 3);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void shouldReplicateEveryTopicThreeTimesWithTwoInSyncReplicasRequiredAndNoUncleanElection() throws Exception {
        assertThat(cluster.nodeIds()).containsExactly(1, 2, 3);
        assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
        String topic = "it-cluster-settings-" + UUID.randomUUID();
        Topics.createAndAwaitLeaders(admin, new NewTopic(topic, Optional.of(2), Optional.empty()));

        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
        assertThat(config.get("unclean.leader.election.enable").value()).isEqualTo("false");
    }

    @Test
    void shouldElectANewLeaderWhenTheLeaderStopsHardAndKeepEveryAcknowledgedRecord() throws Exception {
        String topic = "it-cluster-failover-" + UUID.randomUUID();
        Topics.createAndAwaitLeaders(admin, new NewTopic(topic, Optional.of(1), Optional.empty()));
        produce(topic, "before", 50);
        int leader = describe(topic).get(0).leader().id();
        Path leaderData = cluster.dataDir(leader);
        String leaderAddress = cluster.bootstrapServer(leader);

        cluster.stop(leader);

        assertThat(cluster.isRunning(leader)).isFalse();
        assertThatThrownBy(() -> connect(leaderAddress)).as("the stopped node's port").isInstanceOf(ConnectException.class);
        assertThat(Files.exists(leaderData.resolve("meta.properties"))).as("the stopped node's data is left").isTrue();
        assertThat(Waits.until(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
            TopicPartitionInfo p = describe(topic).get(0);
            return p.leader() != null && !p.leader().isEmpty() && p.leader().id() != leader;
        })).as("a new leader within 30 s").isTrue();
        TopicPartitionInfo afterElection = describe(topic).get(0);
        assertThat(afterElection.isr()).extracting(Node::id).doesNotContain(leader).hasSize(2);
        produce(topic, "during", 50);

        cluster.restart(leader);

        assertThat(cluster.isRunning(leader)).isTrue();
        assertThat(Waits.until(Duration.ofSeconds(30), Duration.ofMillis(100),
            () -> describe(topic).get(0).isr().stream().anyMatch(n -> n.id() == leader)))
            .as("the restarted node back in the in-sync replicas within 30 s").isTrue();
        Set<String> keys = TopicSnapshot.read(cluster.bootstrapServers(), topic).stream()
            .map(ConsumerRecord::key).map(k -> new String(k, StandardCharsets.UTF_8)).collect(Collectors.toSet());
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            expected.add("before-" + i);
            expected.add("during-" + i);
        }
        assertThat(keys).isEqualTo(expected);
    }

    private static List<TopicPartitionInfo> describe(String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
        } catch (Exception e) {
            throw new IllegalStateException("describing " + topic + " failed", e);
        }
    }

    private static void connect(String hostPort) throws Exception {
        String[] hp = hostPort.split(":");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 2_000);
        }
    }

    private static void produce(String topic, String prefix, int n) throws Exception {
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, (prefix + "-" + i).getBytes(StandardCharsets.UTF_8),
                    new byte[] {1})).get();
            }
        }
    }
}
