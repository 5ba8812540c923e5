package io.auditkeeper.demo.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.NormalizedEvent;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.auditkeeper.streams.normalize.NormalizedEventWriter;
import io.auditkeeper.streams.normalize.RawRecordContext;
import io.auditkeeper.streams.topology.EventPipeline;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Normalized events as the stream-processor writes them to {@code audit.events}: corpus events with fresh auditIDs
 * (one in five moved into a PHI namespace, as {@code bench streams} does) run through its real {@link EventPipeline}
 * (classify, redact, normalize) and serialized the way its topology does, so the archiver is measured on realistic
 * records, not on a synthetic shape.
 */
final class NormalizedEvents {
    private NormalizedEvents() {
    }

    /** {@code count} normalized events built from {@code corpus}. */
    static List<byte[]> build(List<byte[]> corpus, int count) throws Exception {
        StreamProcessorConfig config = StreamProcessorConfig.of(Map.of("kafka.bootstrap-servers", "unused:9092",
                "phi.namespaces", "phi-*"));
        EventPipeline pipeline = StreamProcessorService.pipeline(config);
        String receivedAt = Instant.now().toString();
        List<byte[]> out = new ArrayList<>(count);
        NormalizedEventWriter writer = new NormalizedEventWriter();
        for (int i = 0; out.size() < count; i++) {
            byte[] raw = rawEvent(corpus, i);
            RawRecordContext context = new RawRecordContext("bench", receivedAt, "bench",
                    new NormalizedEvent.Source("bench.raw", i % 6, i / 6));
            if (pipeline.process(raw, context) instanceof EventPipeline.Processed p) {
                out.add(writer.write(p.normalized()));
            }
        }
        return out;
    }

    /**
     * The {@code count} raw events every stream-processor and archiver benchmark starts from: corpus events in turn,
     * each with a fresh auditID ({@code bench-<i>}), one in five moved into the PHI namespace {@code phi-records}.
     */
    static List<byte[]> raw(List<byte[]> corpus, int count) throws java.io.IOException {
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(rawEvent(corpus, i));
        }
        return out;
    }

    private static byte[] rawEvent(List<byte[]> corpus, int i) throws java.io.IOException {
        ObjectNode e = (ObjectNode) AuditJson.mapper().readTree(corpus.get(i % corpus.size()));
        e.put("auditID", "bench-" + i);
        if (i % 5 == 0 && e.get("objectRef") instanceof ObjectNode ref) {
            ref.put("namespace", "phi-records");
        }
        return AuditJson.mapper().writeValueAsBytes(e);
    }

    /** Writes {@code events} round-robin over {@code partitions} partitions of a new topic; returns their bytes. */
    static long load(String bootstrap, String topic, int partitions, List<byte[]> events) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "linger.ms", 5, "batch.size", 262144, "compression.type", "lz4", "max.request.size", 64 * 1024 * 1024,
                // the broker shares two cores with the stores here: give a slow acknowledgement time instead of a retry
                "request.timeout.ms", 120_000, "delivery.timeout.ms", 300_000),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                byte[] v = events.get(i);
                bytes += v.length;
                sent.add(p.send(new ProducerRecord<>(topic, i % partitions, ("bench-" + i).getBytes(StandardCharsets.UTF_8), v)));
            }
            p.flush();
            // a record the broker did not take would leave the writers waiting for it: fail here, saying why
            for (java.util.concurrent.Future<?> f : sent) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("loading the benchmark's events failed (run it again): " + e.getCause(), e);
                }
            }
        }
        return bytes;
    }
}
