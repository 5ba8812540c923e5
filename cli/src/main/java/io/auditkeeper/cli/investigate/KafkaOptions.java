package io.auditkeeper.cli.investigate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the replay commands reach Kafka: the bootstrap servers (the deployment's own environment variable by default)
 * and any client setting for TLS or SASL, passed through unchanged so that whatever the cluster demands can be given.
 */
public final class KafkaOptions {
    @Option(names = "--bootstrap", defaultValue = "${env:AUDITKEEPER_KAFKA_BOOTSTRAP_SERVERS}",
            description = "Kafka bootstrap servers (env AUDITKEEPER_KAFKA_BOOTSTRAP_SERVERS).")
    String bootstrap;

    @Option(names = "-X", paramLabel = "<key=value>",
            description = "A Kafka client setting for the consumer and producer (TLS, SASL), e.g."
                    + " -X security.protocol=SSL -X ssl.truststore.location=/etc/kafka/ca.p12.")
    Map<String, String> clientSettings = new HashMap<>();

    boolean hasBootstrap() {
        return bootstrap != null && !bootstrap.isBlank();
    }

    /** The settings given with -X; the caller adds its own. */
    Map<String, Object> clientSettings() {
        return new HashMap<>(clientSettings);
    }

    /** An idempotent producer with {@code acks=all}: a replayed record is written once and durably. */
    Map<String, Object> producerSettings() {
        Map<String, Object> s = clientSettings();
        s.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        s.put(ProducerConfig.ACKS_CONFIG, "all");
        s.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        s.put(ProducerConfig.CLIENT_ID_CONFIG, "auditkeeper-replay");
        return s;
    }

    /**
     * Why publishing the replay of {@code window} to {@code topic} would lose records ({@link ReplayTarget}), or
     * empty.
     */
    Optional<String> targetProblem(String topic, TimeWindow window, ReplayTarget.RecordTime recordTime,
                                   Duration timeout) throws Exception {
        Map<String, Object> s = clientSettings();
        s.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        s.put(AdminClientConfig.CLIENT_ID_CONFIG, "auditkeeper-replay");
        try (Admin admin = Admin.create(s)) {
            Instant oldest = window.from().equals(Instant.EPOCH) ? null : window.from();
            return ReplayTarget.problem(admin, topic, oldest, recordTime, Instant.now(), timeout);
        }
    }
}
