package io.auditkeeper.streams.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.DeadLetterReason;
import io.auditkeeper.model.DeadLetterSource;
import io.auditkeeper.model.NormalizedEvent;
import io.auditkeeper.streams.alerts.Alert;
import io.auditkeeper.streams.alerts.AlertDetectors;
import io.auditkeeper.streams.alerts.FlaggedRequest;
import io.auditkeeper.streams.dedupe.ContentHash;
import io.auditkeeper.streams.dedupe.SeenWithinWindow;
import io.auditkeeper.streams.normalize.NormalizedEventWriter;
import io.auditkeeper.streams.normalize.RawRecordContext;
import io.auditkeeper.streams.normalize.Timestamps;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The per-record step of the topology: drop repeats of (cluster, auditID, stage), run the {@link EventPipeline}, and
 * route: every event to {@code audit.events}; a flagged request once, from its reporting stage, to
 * {@code audit.phi-access}, and its few fields the detections read, keyed by actor, towards the alerts; what cannot
 * be processed, as it came, to the dead-letter topic with the reason.
 *
 * <p>A repeat is dropped only if its content is the first's ({@link ContentHash}): the same key with other content
 * is a conflicting duplicate. The first stays (it may already be on {@code audit.events}, and nothing here can tell
 * which of the two the apiserver sent); the other goes to the dead-letter topic with both content hashes, and an
 * alert goes to {@code audit.alerts}, which is how a human learns of it. A record larger than its output topic takes
 * ({@link OutputLimits}) goes to the dead-letter topic as metadata instead of failing the transaction.
 */
final class AuditEventProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final String UNKNOWN_CLUSTER = "unknown";
    private static final Logger LOG = LoggerFactory.getLogger(AuditEventProcessor.class);

    private final EventPipeline pipeline;
    private final NormalizedEventWriter writer = new NormalizedEventWriter();
    private final Duration window;
    private final Counter processed;
    private final Counter duplicates;
    private final Counter flagged;
    private final Counter skewed;
    private final MeterRegistry registry;
    private final AuditTopology.Outputs outputs;
    private final OutputLimits limits;
    private final ContentHash contentHash = new ContentHash();
    private final ObjectMapper mapper = AuditJson.mapper();
    private ProcessorContext<byte[], byte[]> context;
    private SeenWithinWindow seenStages;
    private SeenWithinWindow reportedRequests;

    AuditEventProcessor(EventPipeline pipeline, Duration window, MeterRegistry registry, AuditTopology.Outputs outputs,
                        OutputLimits limits) {
        this.pipeline = pipeline;
        this.outputs = outputs;
        this.limits = limits;
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

        boolean logEntry = AuditHeaders.get(headers, AuditHeaders.FORMAT).filter(AuditHeaders.FORMAT_GKE_LOG_ENTRY::equals)
                .isPresent();
        EventPipeline.Outcome outcome = logEntry ? pipeline.processLogEntry(record.value(), raw)
                : pipeline.process(record.value(), raw);
        if (outcome instanceof EventPipeline.Rejected rejected) {
            deadLetter(record.withValue(rejected.value()), rejected.reason(), rejected.detail(), new RecordHeaders());
            return;
        }
        EventPipeline.Processed p = (EventPipeline.Processed) outcome;
        String requestKey = cluster + "/" + p.event().auditID();
        NormalizedEvent n = p.normalized();
        long hash = contentHash.of(record.value());
        SeenWithinWindow.Seen seen = seenStages.seen(requestKey + "/" + p.event().stage(),
                eventTime(n.stageTimestamp(), record), record.timestamp(), hash);
        if (seen instanceof SeenWithinWindow.Repeat) {
            duplicates.increment();
            return;
        }
        if (seen instanceof SeenWithinWindow.Conflict conflict) {
            conflicting(record, raw, p, conflict.firstHash(), hash);
            return;
        }
        byte[] value;
        try {
            value = writer.write(p.normalized());
        } catch (JsonProcessingException e) {
            EventPipeline.Rejected rejected = pipeline.rejectedAfterReading(DeadLetterReason.UNWRITABLE_EVENT,
                    "the normalized event could not be serialized", record.value());
            deadLetter(record.withValue(rejected.value()), rejected.reason(), rejected.detail(), new RecordHeaders());
            return;
        }
        byte[] key = requestKey.getBytes(StandardCharsets.UTF_8);
        long size = OutputLimits.size(key, value, null);
        if (!limits.fits(outputs.events(), size)) {
            tooLarge(record, key, value, size, outputs.events());
            return;
        }
        context.forward(new Record<>(key, value, record.timestamp(), new RecordHeaders()), AuditTopology.EVENTS_SINK);
        processed.increment();
        if (n.clockSkewSeconds() != null) {
            skewed.increment();
        }
        if (n.phi().flagged() && PhiStages.isReportingStage(p.event())
                && reportedRequests.firstTime(requestKey, eventTime(n.timestamp(), record), record.timestamp())) {
            if (!limits.fits(outputs.phiAccess(), size)) {
                tooLarge(record, key, value, size, outputs.phiAccess());
                return;
            }
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

    /**
     * The same (cluster, auditID, stage) with other content than the first: to the dead-letter topic (redacted, as any
     * dead letter) with both content hashes, and an alert.
     */
    private void conflicting(Record<byte[], byte[]> record, RawRecordContext raw, EventPipeline.Processed p, long firstHash,
                             long hash) {
        String first = ContentHash.hex(firstHash);
        String second = ContentHash.hex(hash);
        EventPipeline.Rejected rejected = pipeline.rejectedAfterReading(DeadLetterReason.CONFLICTING_DUPLICATE,
                "(cluster, auditID, stage) already seen within the dedupe window with other content; the first was kept",
                record.value());
        RecordHeaders extra = new RecordHeaders();
        AuditHeaders.put(extra, AuditHeaders.DLQ_CONTENT_HASH, second);
        AuditHeaders.put(extra, AuditHeaders.DLQ_FIRST_CONTENT_HASH, first);
        deadLetter(record.withValue(rejected.value()), rejected.reason(), rejected.detail(), extra);
        String origin = origin();
        Alert alert = AlertDetectors.conflictingDuplicate(raw.cluster(), p.event(), raw.client(), origin, first, second,
                record.timestamp());
        try {
            byte[] key = (alert.cluster() + "/" + alert.actor()).getBytes(StandardCharsets.UTF_8);
            context.forward(new Record<>(key, mapper.writeValueAsBytes(alert), record.timestamp(), new RecordHeaders()),
                    AuditTopology.CONFLICT_ALERTS_SINK);
            registry.counter("auditkeeper.streams.alerts", "type", alert.type()).increment();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        LOG.atWarn().addKeyValue("cluster", raw.cluster()).addKeyValue("audit_id", p.event().auditID())
                .addKeyValue("stage", p.event().stage()).addKeyValue("content_hash", second)
                .addKeyValue("first_content_hash", first).addKeyValue("client", raw.client()).addKeyValue("origin", origin)
                .log("an event repeats a (cluster, auditID, stage) with other content; the first was kept, this one sent"
                        + " to the dead-letter topic");
    }

    /** A normalized event larger than {@code topic} takes: its size and SHA-256 to the dead-letter topic, not its bytes. */
    private void tooLarge(Record<byte[], byte[]> record, byte[] key, byte[] value, long size, String topic) {
        String sha256 = DeadLetterProductionExceptionHandler.sha256(value);
        RecordHeaders extra = new RecordHeaders();
        AuditHeaders.put(extra, AuditHeaders.DLQ_SIZE, Long.toString(size));
        AuditHeaders.put(extra, AuditHeaders.DLQ_SHA256, sha256);
        deadLetter(new Record<>(key, new byte[0], record.timestamp(), record.headers()), DeadLetterReason.RECORD_TOO_LARGE,
                "the normalized event (" + size + " bytes) is larger than " + topic + " takes (" + limits.limit(topic)
                        + " bytes); headers hold its size and SHA-256, the event is at the origin in audit.raw", extra);
        LOG.atError().addKeyValue("topic", topic).addKeyValue("size", size).addKeyValue("limit", limits.limit(topic))
                .addKeyValue("sha256", sha256).addKeyValue("origin", origin())
                .log("a normalized event is larger than its topic takes; sent to the dead-letter topic as record-too-large");
    }

    private void deadLetter(Record<byte[], byte[]> record, DeadLetterReason reason, String detail, RecordHeaders extra) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        for (String name : List.of(AuditHeaders.DLQ_REASON, AuditHeaders.DLQ_DETAIL, AuditHeaders.DLQ_SOURCE,
                AuditHeaders.DLQ_ORIGIN, AuditHeaders.DLQ_SIZE, AuditHeaders.DLQ_SHA256, AuditHeaders.DLQ_CONTENT_HASH,
                AuditHeaders.DLQ_FIRST_CONTENT_HASH)) {
            headers.remove(name);
        }
        byte[] value = record.value();
        long size = OutputLimits.size(record.key(), value, headers) + 1024;
        if (!limits.fits(outputs.deadLetter(), size) && value != null && value.length > 0) {
            AuditHeaders.put(extra, AuditHeaders.DLQ_SIZE, Integer.toString(value.length));
            AuditHeaders.put(extra, AuditHeaders.DLQ_SHA256, DeadLetterProductionExceptionHandler.sha256(value));
            detail = detail + "; value left out: larger than the dead-letter topic takes";
            value = new byte[0];
        }
        AuditHeaders.put(headers, AuditHeaders.DLQ_REASON, reason.code());
        AuditHeaders.put(headers, AuditHeaders.DLQ_DETAIL, detail);
        AuditHeaders.put(headers, AuditHeaders.DLQ_SOURCE, DeadLetterSource.STREAM_PROCESSOR.code());
        String origin = origin();
        if (origin != null) {
            AuditHeaders.put(headers, AuditHeaders.DLQ_ORIGIN, origin);
        }
        for (Header h : extra) {
            headers.add(h);
        }
        context.forward(new Record<>(record.key(), value, record.timestamp(), headers), AuditTopology.DEAD_LETTER_SINK);
        registry.counter("auditkeeper.streams.events.rejected", "reason", reason.code()).increment();
    }

    private String origin() {
        return context.recordMetadata().map(m -> m.topic() + "/" + m.partition() + "/" + m.offset()).orElse(null);
    }
}
