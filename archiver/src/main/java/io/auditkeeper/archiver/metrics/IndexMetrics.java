package io.auditkeeper.archiver.metrics;

import io.auditkeeper.archiver.index.IndexListener;
import io.micrometer.core.instrument.Counter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * The index stage's counters and lag, so an operator sees it keep up (or fall behind while OpenSearch is down):
 * documents indexed, documents refused and sent to the dead-letter topic, bulk failures, and the lag of the index
 * consumer group.
 */
public final class IndexMetrics implements IndexListener {
    private final MeterRegistry registry;
    private final Map<String, Counter> indexed = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final Counter bulkFailures;
    private final Counter commitsFenced;
    private final LagGauges lag;

    public IndexMetrics(MeterRegistry registry, String group) {
        this.registry = registry;
        bulkFailures = Counter.builder("auditkeeper.archiver.bulk.failures")
                .description("Polls whose documents could not be indexed (OpenSearch unreachable or failing after the retries); read again")
                .register(registry);
        commitsFenced = Counter.builder("auditkeeper.archiver.index.commits.fenced")
                .description("Polls indexed whose offsets the group refused to commit (this archiver had lost the partitions); indexed again by their new owner")
                .register(registry);
        lag = new LagGauges(registry, "index", group);
    }

    @Override
    public void indexed(String topic, int documents) {
        indexed.computeIfAbsent(topic, t -> Counter.builder("auditkeeper.archiver.documents.indexed").tag("topic", t)
                .description("Documents OpenSearch took (created or overwritten), by the topic they were read from")
                .register(registry)).increment(documents);
    }

    @Override
    public void rejected(String topic, int documents) {
        rejected.computeIfAbsent(topic, t -> Counter.builder("auditkeeper.archiver.documents.rejected").tag("topic", t)
                .description("Documents OpenSearch refused for good, sent to the dead-letter topic, by topic")
                .register(registry)).increment(documents);
    }

    @Override
    public void bulkFailed() {
        bulkFailures.increment();
    }

    @Override
    public void commitFenced() {
        commitsFenced.increment();
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
