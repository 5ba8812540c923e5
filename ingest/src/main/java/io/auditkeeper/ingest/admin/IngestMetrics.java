package io.auditkeeper.ingest.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The ingest stage's metrics, named {@code auditkeeper_ingest_*} in Prometheus: requests by status, events accepted
 * and rejected, batches lost for being over the body cap (present from the start, so that an alert sees the first),
 * bytes received, the time from a batch's first send to its last Kafka acknowledgement, and the bytes
 * in flight, and when the certificates the webhook's TLS rests on expire. Labels are bounded (status codes, reason
 * codes, which certificate), never a client-chosen value such as the cluster.
 */
public final class IngestMetrics {
    private final MeterRegistry registry;
    private final Counter eventsAccepted;
    private final Counter bytesWire;
    private final Counter bytesDecoded;
    private final Timer ackLatency;
    private final Counter reloadsApplied;
    private final Counter reloadsRefused;
    private final Counter batchesTooLarge;
    private final Counter slowHeads;
    private final Map<String, AtomicLong> expiries = new ConcurrentHashMap<>();

    public IngestMetrics(MeterRegistry registry, Supplier<Number> inFlightBytes) {
        this.registry = registry;
        this.eventsAccepted = Counter.builder("auditkeeper.ingest.events.accepted")
                .description("Events written to the raw topic and acknowledged by Kafka").register(registry);
        this.bytesWire = Counter.builder("auditkeeper.ingest.received.bytes").baseUnit("bytes").tag("encoding", "wire")
                .description("Request body bytes received").register(registry);
        this.bytesDecoded = Counter.builder("auditkeeper.ingest.received.bytes").baseUnit("bytes").tag("encoding", "decoded")
                .description("Request body bytes received").register(registry);
        this.ackLatency = Timer.builder("auditkeeper.ingest.ack.latency")
                .description("Time from the first send of a batch to the acknowledgement of its last record")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        this.reloadsApplied = Counter.builder("auditkeeper.ingest.credentials.reloads").tag("result", "applied")
                .description("Changes of the certificate, key, client CA or token files read again").register(registry);
        this.reloadsRefused = Counter.builder("auditkeeper.ingest.credentials.reloads").tag("result", "refused")
                .description("Changes of the certificate, key, client CA or token files read again").register(registry);
        this.batchesTooLarge = Counter.builder("auditkeeper.ingest.batches.too.large")
                .description("Bodies over limits.max-body-bytes, answered 413: their events are lost (audit.dlq keeps size and SHA-256)")
                .register(registry);
        this.slowHeads = Counter.builder("auditkeeper.ingest.connections.closed").tag("reason", "header-timeout")
                .description("Connections closed by ingest before a request was read").register(registry);
        Gauge.builder("auditkeeper.ingest.inflight.bytes", inFlightBytes).baseUnit("bytes")
                .description("Request body bytes held until Kafka acknowledges them").register(registry);
    }

    /**
     * When a certificate read at start stops being valid, as a Unix time: {@code server} (the webhook's own, which
     * ingest reads only at start) or {@code client-ca} (the earliest of the client CA bundle).
     */
    public void certificateExpiry(String certificate, Instant notAfter) {
        expiries.computeIfAbsent(certificate, c -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("auditkeeper.ingest.tls.certificate.expiry.timestamp", value, AtomicLong::get)
                    .baseUnit("seconds").tag("certificate", c)
                    .description("When the certificate in use expires (Unix time); updated when a renewed one is read")
                    .register(registry);
            return value;
        }).set(notAfter.getEpochSecond());
    }

    /** The credential files read again after a change: applied, or refused (the current ones stay). */
    public void credentialReload(boolean applied) {
        (applied ? reloadsApplied : reloadsRefused).increment();
    }

    public void request(int status) {
        registry.counter("auditkeeper.ingest.requests", "status", Integer.toString(status)).increment();
    }

    public void accepted(int events) {
        eventsAccepted.increment(events);
    }

    /** An item or a whole body written to the dead-letter topic, by reason code. */
    public void rejected(String reason, int count) {
        Counter.builder("auditkeeper.ingest.events.rejected").tag("reason", reason)
                .description("Items and bodies written to the dead-letter topic, by reason").register(registry)
                .increment(count);
    }

    /** Open connections to the webhook port, against {@code limits.max-connections}. */
    public void connections(Supplier<Number> open) {
        Gauge.builder("auditkeeper.ingest.connections", open)
                .description("Open connections to the webhook port; at limits.max-connections new ones wait").register(registry);
    }

    /** A connection closed because its request head did not arrive within {@code limits.header-timeout-ms}. */
    public void connectionClosedForSlowHead() {
        slowHeads.increment();
    }

    /** A body over {@code limits.max-body-bytes}: the apiserver drops the batch, its events are lost. */
    public void batchTooLarge() {
        batchesTooLarge.increment();
    }

    public void bytes(long wire, long decoded) {
        bytesWire.increment(wire);
        bytesDecoded.increment(decoded);
    }

    public void ackLatency(long nanos) {
        ackLatency.record(Duration.ofNanos(nanos));
    }
}
