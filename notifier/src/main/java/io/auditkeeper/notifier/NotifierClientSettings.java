package io.auditkeeper.notifier;

import io.auditkeeper.notifier.config.NotifierConfig;
import io.auditkeeper.notifier.config.ReceiverConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.Map;

/**
 * The Kafka client properties of the notifier: one consumer per receiver, in the receiver's own group, and one
 * producer for the dead-letter topic. The settings the delivery guarantee rests on (manual commits, read_committed,
 * acks=all with idempotence) are set after the {@code kafka.client.*} overrides, so no override can weaken them.
 */
final class NotifierClientSettings {
    private NotifierClientSettings() {
    }

    static Map<String, Object> consumer(NotifierConfig config, ReceiverConfig receiver) {
        Map<String, Object> p = new HashMap<>(config.kafkaClientOverrides());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "auditkeeper-notifier-" + receiver.name());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        // one record may take a request timeout and a dead-letter write without a poll; backoffs poll
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.max(300_000, 2 * receiver.requestTimeout().toMillis() + 60_000));
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup(receiver));
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, receiver.startAt());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    static Map<String, Object> producer(NotifierConfig config) {
        Map<String, Object> p = new HashMap<>(config.kafkaClientOverrides());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "auditkeeper-notifier");
        // a dead letter is a record of audit.alerts or audit.phi-access (at most 9 MiB) with a few headers more
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 12 * 1024 * 1024);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }
}
