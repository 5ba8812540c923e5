package io.auditkeeper.ingest.batch;

import java.util.List;

/**
 * Items of one EventList, in body order: the usable events and the rejected items. A batch with more items than
 * {@code limits.max-events-per-batch} is handed over as several of these, each a round of at most that many items.
 */
public record SplitBatch(List<EventSlice> events, List<RejectedItem> rejected) {
    public SplitBatch {
        events = List.copyOf(events);
        rejected = List.copyOf(rejected);
    }

    public int itemCount() {
        return events.size() + rejected.size();
    }
}
