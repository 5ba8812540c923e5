package io.auditkeeper.source.aks.kafka;

import io.auditkeeper.source.aks.config.AksSourceConfig;
import io.auditkeeper.source.aks.config.AksSourceConfig.Delivery;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The Kafka client properties of the AKS source: a consumer of the event hub and a producer to Audit Keeper's Kafka.
 * The settings the delivery guarantee rests on (manual commits, acks=all with idempotence, the transactional id in
 * exactly-once mode) are set after the overrides, so no override can weaken them.
 */
public final class SourceClientSettings {
    private static final int TWO_MIB = 2 * 1024 * 1024;

    private SourceClientSettings() {
    }

    public static Map<String, Object> consumer(AksSourceConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "auditkeeper-source-aks-hub");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        // Event Hubs closes idle connections after 240 s: its guidance for Kafka clients is 180 s, and a poll
        // interval under that (a batch takes well under a second to write)
        p.put(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG, 180_000);
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 170_000);
        // a crashed member's partitions wait this long for another; Event Hubs' recommended value
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 180_000);
        p.putAll(config.eventHubsConsumerOverrides());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.eventHubsBootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        if (config.saslSsl()) {
            p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
            p.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"$ConnectionString\" password=\"" + config.connectionString() + "\";");
        } else {
            p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
        }
        return p;
    }

    public static Map<String, Object> producer(AksSourceConfig config) {
        Map<String, Object> p = new HashMap<>(config.kafkaClientOverrides());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "auditkeeper-source-aks");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // an Event Hubs message is at most 1 MB, so one Event and its headers fit in 2 MiB
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TWO_MIB);
        // a batch's transaction lasts well under a second; a crashed one blocks read_committed readers and the
        // group's next commit until the coordinator aborts it after this long
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        p.putAll(config.kafkaProducerOverrides());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        if (config.delivery() == Delivery.EXACTLY_ONCE) {
            // fencing rests on the consumer group's generation (sendOffsetsToTransaction with its metadata), so each
            // process may take a fresh id; the group in it lets an operator find the source's transactions
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "auditkeeper-source-aks-" + config.consumerGroup() + "-" + UUID.randomUUID());
        } else {
            p.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        }
        return p;
    }
}
