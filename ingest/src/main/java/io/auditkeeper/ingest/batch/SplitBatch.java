package io.auditkeeper.ingest.batch;

import java.util.List;

/** The items of one EventList, in body order: the usable events and the rejected items. */
public record SplitBatch(List<EventSlice> events, List<RejectedItem> rejected) {
    public SplitBatch {
        events = List.copyOf(events);
        rejected = List.copyOf(rejected);
    }

    public int itemCount() {
        return events.size() + rejected.size();
    }
}
