package io.auditkeeper.archiver.metrics;

import io.auditkeeper.archiver.index.IndexListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * The index stage's counters and lag, so an operator sees it keep up (or fall behind while OpenSearch is down):
 * documents indexed, documents refused and sent to the dead-letter topic, bulk failures, and the lag of the index
 * consumer group.
 */
public final class IndexMetrics implements IndexListener {
    private final Counter indexed;
    private final Counter rejected;
    private final Counter bulkFailures;
    private final LagGauges lag;

    public IndexMetrics(MeterRegistry registry, String group) {
        indexed = Counter.builder("auditkeeper.archiver.documents.indexed")
                .description("Documents OpenSearch took (created or overwritten)").register(registry);
        rejected = Counter.builder("auditkeeper.archiver.documents.rejected")
                .description("Documents OpenSearch refused for good, sent to the dead-letter topic").register(registry);
        bulkFailures = Counter.builder("auditkeeper.archiver.bulk.failures")
                .description("Polls whose documents could not be indexed (OpenSearch unreachable or failing after the retries); read again")
                .register(registry);
        lag = new LagGauges(registry, "index", group);
    }

    @Override
    public void indexed(int documents) {
        indexed.increment(documents);
    }

    @Override
    public void rejected(int documents) {
        rejected.increment(documents);
    }

    @Override
    public void bulkFailed() {
        bulkFailures.increment();
    }

    @Override
    public void lag(Map<TopicPartition, Long> lagByPartition) {
        lag.update(lagByPartition);
    }

    /** Before a scrape: the latest lag into the per-partition gauges. */
    public void refresh() {
        lag.refresh();
    }
}
