package io.auditkeeper.streams.topology;

import io.auditkeeper.streams.alerts.AlertDetectors;
import io.auditkeeper.streams.alerts.AlertProcessor;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.auditkeeper.streams.dedupe.SeenWithinWindow;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

import java.time.Duration;

/**
 * The stream-processor's topology, built by a pure factory: {@code audit.raw} in; {@code audit.events},
 * {@code audit.phi-access}, {@code audit.alerts} and the dead-letter topic out. The processor routes each record to
 * its sink by name. Flagged requests also go, cut down to the fields the detections read and keyed by actor, through
 * a repartition topic (so that one task sees all of an actor's requests) to the detections: straight from the
 * processor, rather than read back from {@code audit.phi-access}, which would parse every flagged event a second
 * time. The window stores (stages seen, requests reported, actors' windows) are changelogged, so a restarted or moved
 * task resumes with what it had seen. The alert for a conflicting duplicate needs no window: the processor writes it
 * to {@code audit.alerts} through a sink of its own.
 */
public final class AuditTopology {
    public static final String DEDUPE_STORE = "dedupe-stages";
    public static final String REPORTED_STORE = "phi-reported-requests";
    static final String SOURCE = "raw-events";
    static final String PROCESSOR = "process-events";
    static final String EVENTS_SINK = "events-out";
    static final String PHI_ACCESS_SINK = "phi-access-out";
    static final String DEAD_LETTER_SINK = "dead-letter-out";
    static final String CONFLICT_ALERTS_SINK = "conflict-alerts-out";
    static final String ALERTS_ROUTE = "key-by-actor";

    private AuditTopology() {
    }

    /** The output topics by role, as the processor checks records against their {@link OutputLimits}. */
    record Outputs(String events, String phiAccess, String deadLetter) {
    }

    public static Topology build(StreamProcessorConfig config, EventPipeline pipeline, AlertDetectors detectors,
                                 MeterRegistry registry, OutputLimits limits) {
        Duration window = config.dedupeWindow();
        Outputs outputs = new Outputs(config.eventsTopic(), config.phiAccessTopic(), config.deadLetterTopic());
        StreamsBuilder b = new StreamsBuilder();
        b.addStateStore(seenStore(DEDUPE_STORE, window));
        b.addStateStore(seenStore(REPORTED_STORE, window));
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AlertProcessor.STORE),
                Serdes.String(), Serdes.ByteArray()));
        // Earliest, as by default, but named on the source: only then does Kafka Streams run its consumer with
        // auto.offset.reset=none and reset offsets itself, where RetentionLossDetector sees each reset.
        KStream<byte[], byte[]> routed = b.stream(config.rawTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withOffsetResetPolicy(AutoOffsetReset.earliest()).withName(SOURCE))
                .process(() -> new AuditEventProcessor(pipeline, window, registry, outputs, limits), Named.as(PROCESSOR),
                        DEDUPE_STORE, REPORTED_STORE);
        routed.to(config.eventsTopic(), bytes(EVENTS_SINK));
        routed.to(config.phiAccessTopic(), bytes(PHI_ACCESS_SINK));
        routed.to(config.deadLetterTopic(), bytes(DEAD_LETTER_SINK));
        routed.to(config.alertsTopic(), bytes(CONFLICT_ALERTS_SINK));
        // the node the processor forwards flagged requests to, by name; it only ever sends them with an actor key
        routed.filter((actor, request) -> actor != null, Named.as(ALERTS_ROUTE))
                .repartition(Repartitioned.<byte[], byte[]>as("alerts-by-actor")
                        .withKeySerde(Serdes.ByteArray()).withValueSerde(Serdes.ByteArray()))
                .process(() -> new AlertProcessor(detectors, registry), Named.as("detect-alerts"), AlertProcessor.STORE)
                .to(config.alertsTopic(), bytes("alerts-out"));
        return b.build();
    }

    /**
     * A changelogged window store for a {@link SeenWithinWindow} over {@code window}: the dedupe store and the
     * reported-requests store are built this way, and so is the benchmark's dedupe-only topology, which measures what
     * this store costs on its own.
     */
    public static StoreBuilder<WindowStore<String, Long>> seenStore(String name, Duration window) {
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(name, SeenWithinWindow.retention(window), window, false),
                Serdes.String(), Serdes.Long());
    }

    private static Produced<byte[], byte[]> bytes(String sink) {
        return Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(sink);
    }
}
