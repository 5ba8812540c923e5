package io.auditkeeper.ingest.http;

import io.auditkeeper.ingest.batch.RejectedItem;
import io.auditkeeper.ingest.batch.SplitBatch;
import io.auditkeeper.model.DeadLetterReason;

import java.util.EnumMap;
import java.util.Map;

/**
 * What a request sent to Kafka holds, counted as its rounds are handed over and read once all are acknowledged: the
 * answer and the metrics of every door of ingest (the webhook, Firehose, Pub/Sub) count the same way
 * ({@link KafkaHandover}).
 */
public final class BatchCounts {
    private int accepted;
    private int rejected;
    private final Map<DeadLetterReason, Integer> rejectedByReason = new EnumMap<>(DeadLetterReason.class);

    public synchronized void add(SplitBatch round) {
        accepted += round.events().size();
        rejected += round.rejected().size();
        for (RejectedItem r : round.rejected()) {
            rejectedByReason.merge(r.reason(), 1, Integer::sum);
        }
    }

    /** One event sent as it came, not split from an EventList (a Pub/Sub push's entry). */
    public synchronized void addEvent() {
        accepted++;
    }

    public synchronized int accepted() {
        return accepted;
    }

    public synchronized int rejected() {
        return rejected;
    }

    /** The events sent to the dead-letter topic, by reason. */
    public synchronized Map<DeadLetterReason, Integer> rejectedByReason() {
        return Map.copyOf(rejectedByReason);
    }
}
