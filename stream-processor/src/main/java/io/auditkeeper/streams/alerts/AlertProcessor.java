package io.auditkeeper.streams.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.model.AuditJson;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Runs the {@link AlertDetectors} on flagged requests keyed by actor, keeping each actor's windows in a changelogged
 * store, and writes each alert to {@code audit.alerts} keyed by cluster and actor.
 */
public final class AlertProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    public static final String STORE = "alert-windows";

    private final ObjectMapper mapper = AuditJson.mapper();
    private final AlertDetectors detectors;
    private final MeterRegistry registry;
    private ProcessorContext<byte[], byte[]> context;
    private AlertDetectors.State state;

    public AlertProcessor(AlertDetectors detectors, MeterRegistry registry) {
        this.detectors = detectors;
        this.registry = registry;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        KeyValueStore<String, byte[]> store = context.getStateStore(STORE);
        this.state = new AlertDetectors.State() {
            @Override
            public ActorWindow get(String key) {
                byte[] v = store.get(key);
                try {
                    return v == null ? null : mapper.readValue(v, ActorWindow.class);
                } catch (IOException e) {
                    return null;
                }
            }

            @Override
            public void put(String key, ActorWindow window) {
                try {
                    store.put(key, mapper.writeValueAsBytes(window));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        FlaggedRequest request = FlaggedRequest.read(record.value(), record.timestamp());
        if (request == null) {
            return;
        }
        for (Alert alert : detectors.onRequest(request, state)) {
            try {
                byte[] key = (alert.cluster() + "/" + alert.actor()).getBytes(StandardCharsets.UTF_8);
                context.forward(new Record<>(key, mapper.writeValueAsBytes(alert), record.timestamp(), new RecordHeaders()));
                registry.counter("auditkeeper.streams.alerts", "type", alert.type()).increment();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
