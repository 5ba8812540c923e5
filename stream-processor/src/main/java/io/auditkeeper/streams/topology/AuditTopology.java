package io.auditkeeper.streams.topology;

import io.auditkeeper.streams.alerts.AlertDetectors;
import io.auditkeeper.streams.alerts.AlertProcessor;
import io.auditkeeper.streams.alerts.FlaggedRequest;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.auditkeeper.streams.dedupe.SeenWithinWindow;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.util.List;

/**
 * The stream-processor's topology, built by a pure factory: {@code audit.raw} in; {@code audit.events},
 * {@code audit.phi-access}, {@code audit.alerts} and the dead-letter topic out. The two window stores (stages seen, requests reported) are
 * changelogged, so a restarted or moved task resumes with what it had seen.
 */
public final class AuditTopology {
    public static final String DEDUPE_STORE = "dedupe-stages";
    public static final String REPORTED_STORE = "phi-reported-requests";
    static final String SOURCE = "raw-events";
    static final String PROCESSOR = "process-events";
    static final String EVENTS_SINK = "events-out";
    static final String PHI_ACCESS_SINK = "phi-access-out";
    static final String DEAD_LETTER_SINK = "dead-letter-out";

    private AuditTopology() {
    }

    public static Topology build(StreamProcessorConfig config, EventPipeline pipeline, AlertDetectors detectors,
                                 MeterRegistry registry) {
        Duration window = config.dedupeWindow();
        Duration retention = SeenWithinWindow.retention(window);
        Topology t = alerts(config, detectors, registry).build();
        t.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.rawTopic());
        t.addProcessor(PROCESSOR, () -> new AuditEventProcessor(pipeline, window, registry), SOURCE);
        t.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(DEDUPE_STORE, retention, window, false), Serdes.String(), Serdes.Long()), PROCESSOR);
        t.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(REPORTED_STORE, retention, window, false), Serdes.String(), Serdes.Long()), PROCESSOR);
        t.addSink(EVENTS_SINK, config.eventsTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        t.addSink(PHI_ACCESS_SINK, config.phiAccessTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        t.addSink(DEAD_LETTER_SINK, config.deadLetterTopic(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        return t;
    }

    /**
     * The alerts sub-topology: flagged requests from the phi-access topic, re-keyed by actor and cut down to the
     * fields the detections read (through a repartition topic, so that one task sees all of an actor's requests),
     * through the detections, to the alerts topic.
     */
    private static StreamsBuilder alerts(StreamProcessorConfig config, AlertDetectors detectors, MeterRegistry registry) {
        StreamsBuilder b = new StreamsBuilder();
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AlertProcessor.STORE),
                Serdes.String(), Serdes.ByteArray()));
        b.stream(config.phiAccessTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("phi-access-in"))
                .flatMap((k, v) -> {
                    FlaggedRequest r = FlaggedRequest.read(v, 0L);
                    return r == null ? List.<KeyValue<byte[], byte[]>>of() : List.of(KeyValue.pair(r.actorKey(), r.projection()));
                }, Named.as("key-by-actor"))
                .repartition(Repartitioned.<byte[], byte[]>as("alerts-by-actor")
                        .withKeySerde(Serdes.ByteArray()).withValueSerde(Serdes.ByteArray()))
                .process(() -> new AlertProcessor(detectors, registry), Named.as("detect-alerts"), AlertProcessor.STORE)
                .to(config.alertsTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("alerts-out"));
        return b;
    }
}
