package io.auditkeeper.ingest.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The ingest stage's metrics, named {@code auditkeeper_ingest_*} in Prometheus: requests by status, events accepted
 * and rejected, bytes received, the time from a batch's first send to its last Kafka acknowledgement, and the bytes
 * in flight, and when the certificates the webhook's TLS rests on expire. Labels are bounded (status codes, reason
 * codes, which certificate), never a client-chosen value such as the cluster.
 */
public final class IngestMetrics {
    private final MeterRegistry registry;
    private final Counter eventsAccepted;
    private final Counter bytesWire;
    private final Counter bytesDecoded;
    private final Timer ackLatency;

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
        Gauge.builder("auditkeeper.ingest.inflight.bytes", inFlightBytes).baseUnit("bytes")
                .description("Request body bytes held until Kafka acknowledges them").register(registry);
    }

    /**
     * When a certificate read at start stops being valid, as a Unix time: {@code server} (the webhook's own, which
     * ingest reads only at start) or {@code client-ca} (the earliest of the client CA bundle).
     */
    public void certificateExpiry(String certificate, Instant notAfter) {
        Gauge.builder("auditkeeper.ingest.tls.certificate.expiry.timestamp", () -> notAfter.getEpochSecond())
                .baseUnit("seconds").tag("certificate", certificate)
                .description("When the certificate read at start expires (Unix time); a renewed one is read only at the next start")
                .register(registry);
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

    public void bytes(long wire, long decoded) {
        bytesWire.increment(wire);
        bytesDecoded.increment(decoded);
    }

    public void ackLatency(long nanos) {
        ackLatency.record(Duration.ofNanos(nanos));
    }
}
