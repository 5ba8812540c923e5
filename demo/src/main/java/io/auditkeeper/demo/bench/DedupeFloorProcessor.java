package io.auditkeeper.demo.bench;

import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.streams.dedupe.SeenWithinWindow;
import io.auditkeeper.streams.topology.AuditTopology;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's dedupe floor: what the stream-processor's topology does for each event on the Kafka side, and
 * nothing else. It remembers the event in the same changelogged window store as the topology's dedupe (one RocksDB
 * write and one changelog record per event) and forwards the event's bytes as they came, keyed by cluster and
 * request, under the same exactly-once guarantee; it does not read the JSON. Why: the ratio of this floor to the
 * passthrough is the most the real topology could reach with per-event code that cost nothing.
 */
final class DedupeFloorProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final Duration window;
    private final AtomicLong seen;
    private ProcessorContext<byte[], byte[]> context;
    private SeenWithinWindow stages;

    DedupeFloorProcessor(Duration window, AtomicLong seen) {
        this.window = window;
        this.seen = seen;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.stages = new SeenWithinWindow(context.getStateStore(AuditTopology.DEDUPE_STORE), window);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        // the bench's record key stands for the auditID; every loaded event is one stage of its own request
        String request = AuditHeaders.get(record.headers(), AuditHeaders.CLUSTER).orElse("unknown") + "/"
                + new String(record.key(), StandardCharsets.UTF_8);
        if (stages.firstTime(request + "/ResponseComplete", record.timestamp())) {
            context.forward(new Record<>(request.getBytes(StandardCharsets.UTF_8), record.value(), record.timestamp(),
                    new RecordHeaders()));
        }
        seen.incrementAndGet();
    }
}
