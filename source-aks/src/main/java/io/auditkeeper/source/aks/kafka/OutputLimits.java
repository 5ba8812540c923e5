package io.auditkeeper.source.aks.kafka;

import io.auditkeeper.kafka.TopicCheck;
import io.auditkeeper.source.aks.config.AksSourceConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The largest record each output topic takes, read from the cluster at start. A record the broker refuses for its size
 * is refused again on every retry, so the source would read the same batch for ever; instead it checks each record
 * first and writes one that does not fit to the dead-letter topic as its size and SHA-256 ({@code record-too-large}),
 * and the hub moves on. Reading the topics also stops startup, naming them, when one does not exist.
 */
public record OutputLimits(long rawBytes, long deadLetterBytes) {
    /** Per-record framing in a batch of its own, uncompressed, as the stream-processor counts it. */
    static final int RECORD_OVERHEAD = 61 + 32;
    private static final int HEADER_OVERHEAD = 10;

    /**
     * Describes the raw and dead-letter topics on the output cluster.
     *
     * @throws IllegalStateException naming a topic that does not exist, or the cluster that cannot be reached
     */
    public static OutputLimits read(AksSourceConfig config) {
        Map<String, Object> p = new HashMap<>(config.kafkaClientOverrides());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "auditkeeper-source-aks-admin");
        Map<String, TopicCheck.Described> described;
        try (Admin admin = Admin.create(p)) {
            described = TopicCheck.describe(admin, List.of(config.rawTopic(), config.deadLetterTopic()));
        }
        for (String topic : List.of(config.rawTopic(), config.deadLetterTopic())) {
            if (!described.containsKey(topic)) {
                throw new IllegalStateException("topic " + topic + " does not exist on " + config.kafkaBootstrapServers()
                        + " (the source does not create topics: ingest does, or create it as docs/deploy.md says)");
            }
        }
        long request = ((Number) ProducerConfig.configDef().parse(SourceClientSettings.producer(config))
                .get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)).longValue();
        return new OutputLimits(Math.min(request, described.get(config.rawTopic()).maxMessageBytes()),
                Math.min(request, described.get(config.deadLetterTopic()).maxMessageBytes()));
    }

    /** An upper bound of the record's size in a batch of its own, uncompressed. */
    public static long size(byte[] key, byte[] value, Headers headers) {
        long size = RECORD_OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            size += HEADER_OVERHEAD + h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return size;
    }
}
