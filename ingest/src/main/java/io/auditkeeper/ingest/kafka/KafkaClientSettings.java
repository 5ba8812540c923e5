package io.auditkeeper.ingest.kafka;

import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.kafka.TopicCheck;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kafka client properties of ingest. The producer's defaults are chosen for the webhook's promise (a 2xx means
 * every event is on all in-sync replicas): acks=all with idempotence, a {@code send()} that never blocks a request
 * for long, and a record size limit that fits the largest body ingest accepts. Users override any of them with
 * {@code kafka.producer.*}, except the two the promise rests on.
 */
public final class KafkaClientSettings {
    private static final long MIB = 1024L * 1024L;

    private KafkaClientSettings() {
    }

    public static Map<String, Object> admin(IngestConfig config) {
        Map<String, Object> p = new HashMap<>(config.kafkaClientOverrides());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "auditkeeper-ingest-admin");
        p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return p;
    }

    public static Map<String, Object> producer(IngestConfig config) {
        Map<String, Object> p = new HashMap<>(config.kafkaClientOverrides());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "auditkeeper-ingest");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        long maxRequest = maxRecordBytes(config);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) maxRequest);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(64 * MIB, Math.max(config.maxInFlightBytes(), 2 * maxRequest)));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(2_000L, config.ackTimeout().toMillis()));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(config.ackTimeout().toMillis(), 5_000));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(30_000, config.ackTimeout().toMillis() * 3));
        p.putAll(config.kafkaProducerOverrides());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }

    /**
     * The largest record ingest may write: a whole body, when a malformed one goes to the dead-letter topic (an event,
     * at most {@code limits.max-event-bytes}, is no larger than a body), with 1 MiB for headers and framing. Topics
     * ingest creates get a {@code max.message.bytes} of at least this.
     */
    public static long maxRecordBytes(IngestConfig config) {
        return config.maxBodyBytes() + MIB;
    }

    /**
     * What ingest needs of its topics ({@link TopicCheck}): the dead-letter topic takes a whole body with its headers
     * ({@link #maxRecordBytes}), the raw topic one event with its headers (an event is never larger than a body).
     */
    public static List<TopicCheck.Wanted> wantedTopics(IngestConfig config) {
        TopicCheck.Settings check = config.topicCheck();
        return List.of(
                check.wanted(config.rawTopic().name(), Math.min(config.maxEventBytes(), config.maxBodyBytes()) + MIB,
                        config.rawTopic().replicationFactor()),
                check.wanted(config.deadLetterTopic().name(), maxRecordBytes(config),
                        config.deadLetterTopic().replicationFactor()));
    }
}
