package io.auditkeeper.archiver.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The lag of one consumer group, per partition and in total, as gauges: {@code auditkeeper.archiver.consumer.partition.lag}
 * and {@code auditkeeper.archiver.consumer.group.lag}, tagged with the stage ({@code archive} or {@code index}) and the
 * group. The writer's thread hands over a new snapshot after every poll; the gauges read the latest one, so a scrape
 * never touches the consumer (which is not thread-safe) and still answers while the writer is stuck on a store.
 */
public final class LagGauges {
    public static final String PARTITION_LAG = "auditkeeper.archiver.consumer.partition.lag";
    public static final String GROUP_LAG = "auditkeeper.archiver.consumer.group.lag";

    private final MultiGauge partitions;
    private final Tags tags;
    private volatile Map<TopicPartition, Long> latest = Map.of();

    public LagGauges(MeterRegistry registry, String stage, String group) {
        this.tags = Tags.of("stage", stage, "group", group);
        this.partitions = MultiGauge.builder(PARTITION_LAG).tags(tags)
                .description("Records of the partition not yet written by this stage (end offset seen by its consumer minus the first offset not done)")
                .register(registry);
        Gauge.builder(GROUP_LAG, this, LagGauges::total).tags(tags)
                .description("Records of the topic not yet written by this stage, over the partitions its consumer holds")
                .register(registry);
    }

    /** The latest lag of each assigned partition (from the writer's thread). */
    public void update(Map<TopicPartition, Long> lagByPartition) {
        latest = Map.copyOf(lagByPartition);
    }

    /** Puts the latest snapshot into the per-partition gauges: call before each scrape. */
    public void refresh() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        latest.forEach((tp, lag) -> rows.add(MultiGauge.Row.of(
                Tags.of("topic", tp.topic(), "partition", Integer.toString(tp.partition())), lag)));
        partitions.register(rows, true);
    }

    /** The sum over the assigned partitions. */
    public double total() {
        return latest.values().stream().mapToLong(Long::longValue).sum();
    }
}
