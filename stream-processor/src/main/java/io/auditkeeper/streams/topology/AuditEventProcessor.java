package io.auditkeeper.streams.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.DeadLetterReason;
import io.auditkeeper.model.DeadLetterSource;
import io.auditkeeper.model.NormalizedEvent;
import io.auditkeeper.streams.alerts.FlaggedRequest;
import io.auditkeeper.streams.dedupe.SeenWithinWindow;
import io.auditkeeper.streams.normalize.NormalizedEventWriter;
import io.auditkeeper.streams.normalize.RawRecordContext;
import io.auditkeeper.streams.normalize.Timestamps;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.WindowStore;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The per-record step of the topology: drop repeats of (cluster, auditID, stage), run the {@link EventPipeline}, and
 * route: every event to {@code audit.events}; a flagged request once, from its reporting stage, to
 * {@code audit.phi-access}, and its few fields the detections read, keyed by actor, towards the alerts; what cannot
 * be processed, as it came, to the dead-letter topic with the reason.
 */
final class AuditEventProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final String UNKNOWN_CLUSTER = "unknown";

    private final EventPipeline pipeline;
    private final NormalizedEventWriter writer = new NormalizedEventWriter();
    private final Duration window;
    private final Counter processed;
    private final Counter duplicates;
    private final Counter flagged;
    private final Counter skewed;
    private final MeterRegistry registry;
    private ProcessorContext<byte[], byte[]> context;
    private SeenWithinWindow seenStages;
    private SeenWithinWindow reportedRequests;

    AuditEventProcessor(EventPipeline pipeline, Duration window, MeterRegistry registry) {
        this.pipeline = pipeline;
        this.window = window;
        this.registry = registry;
        this.processed = Counter.builder("auditkeeper.streams.events.processed")
                .description("Events normalized and written to the events topic").register(registry);
        this.duplicates = Counter.builder("auditkeeper.streams.events.duplicates")
                .description("Repeats of (cluster, auditID, stage) dropped within the dedupe window").register(registry);
        this.flagged = Counter.builder("auditkeeper.streams.phi.access")
                .description("Flagged requests written to the phi-access topic").register(registry);
        this.skewed = Counter.builder("auditkeeper.streams.events.clock.skewed")
                .description("Events written with clockSkewSeconds: their time far from ingest's receive time").register(registry);
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        WindowStore<String, Long> stages = context.getStateStore(AuditTopology.DEDUPE_STORE);
        WindowStore<String, Long> reported = context.getStateStore(AuditTopology.REPORTED_STORE);
        this.seenStages = new SeenWithinWindow(stages, window);
        this.reportedRequests = new SeenWithinWindow(reported, window);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Headers headers = record.headers();
        String cluster = AuditHeaders.get(headers, AuditHeaders.CLUSTER).orElse(UNKNOWN_CLUSTER);
        NormalizedEvent.Source source = context.recordMetadata()
                .map(m -> new NormalizedEvent.Source(m.topic(), m.partition(), m.offset()))
                .orElse(null);
        String receivedAt = AuditHeaders.get(headers, AuditHeaders.RECEIVED_AT).orElse(null);
        long receivedAtMillis = Timestamps.epochMillis(receivedAt);
        RawRecordContext raw = new RawRecordContext(cluster, receivedAt,
                AuditHeaders.get(headers, AuditHeaders.CLIENT).orElse(null), source,
                receivedAtMillis == RawRecordContext.UNKNOWN ? record.timestamp() : receivedAtMillis);

        EventPipeline.Outcome outcome = pipeline.process(record.value(), raw);
        if (outcome instanceof EventPipeline.Rejected rejected) {
            deadLetter(record.withValue(rejected.value()), rejected.reason(), rejected.detail());
            return;
        }
        EventPipeline.Processed p = (EventPipeline.Processed) outcome;
        String requestKey = cluster + "/" + p.event().auditID();
        NormalizedEvent n = p.normalized();
        if (!seenStages.firstTime(requestKey + "/" + p.event().stage(), eventTime(n.stageTimestamp(), record),
                record.timestamp())) {
            duplicates.increment();
            return;
        }
        byte[] value;
        try {
            value = writer.write(p.normalized());
        } catch (JsonProcessingException e) {
            EventPipeline.Rejected rejected = pipeline.rejectedAfterReading(DeadLetterReason.UNWRITABLE_EVENT,
                    "the normalized event could not be serialized", record.value());
            deadLetter(record.withValue(rejected.value()), rejected.reason(), rejected.detail());
            return;
        }
        byte[] key = requestKey.getBytes(StandardCharsets.UTF_8);
        context.forward(new Record<>(key, value, record.timestamp(), new RecordHeaders()), AuditTopology.EVENTS_SINK);
        processed.increment();
        if (n.clockSkewSeconds() != null) {
            skewed.increment();
        }
        if (n.phi().flagged() && PhiStages.isReportingStage(p.event())
                && reportedRequests.firstTime(requestKey, eventTime(n.timestamp(), record), record.timestamp())) {
            context.forward(new Record<>(key, value, record.timestamp(), new RecordHeaders()), AuditTopology.PHI_ACCESS_SINK);
            FlaggedRequest request = FlaggedRequest.of(p.normalized(), record.timestamp());
            if (request != null) {
                context.forward(new Record<>(request.actorKey(), request.projection(), record.timestamp(), new RecordHeaders()),
                        AuditTopology.ALERTS_ROUTE);
            }
            flagged.increment();
        }
    }

    /**
     * The time a repeat is looked up by: the event's own (as the apiserver wrote it, the same in every resend of it),
     * else the record's. Not the record's first: that is ingest's clock when it received this copy, and a resend that
     * reaches an ingest whose clock reads otherwise (another replica, a clock stepped back or forward) would land
     * windows away from the first copy and pass as new. (The record's is the fallback for an event older than the
     * store keeps: {@link SeenWithinWindow#firstTime(String, long, long)}.)
     */
    private static long eventTime(String normalizedTimestamp, Record<byte[], byte[]> record) {
        long t = Timestamps.epochMillis(normalizedTimestamp);
        return t == RawRecordContext.UNKNOWN ? record.timestamp() : t;
    }

    private void deadLetter(Record<byte[], byte[]> record, DeadLetterReason reason, String detail) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.remove(AuditHeaders.DLQ_REASON);
        headers.remove(AuditHeaders.DLQ_DETAIL);
        headers.remove(AuditHeaders.DLQ_SOURCE);
        AuditHeaders.put(headers, AuditHeaders.DLQ_REASON, reason.code());
        AuditHeaders.put(headers, AuditHeaders.DLQ_DETAIL, detail);
        AuditHeaders.put(headers, AuditHeaders.DLQ_SOURCE, DeadLetterSource.STREAM_PROCESSOR.code());
        context.recordMetadata().map(RecordMetadata::topic).ifPresent(t ->
                AuditHeaders.put(headers, AuditHeaders.DLQ_ORIGIN, t + "/" + context.recordMetadata().get().partition()
                        + "/" + context.recordMetadata().get().offset()));
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers), AuditTopology.DEAD_LETTER_SINK);
        registry.counter("auditkeeper.streams.events.rejected", "reason", reason.code()).increment();
    }
}
