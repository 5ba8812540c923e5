package io.auditkeeper.ingest.batch;

/** The EventList holds more items than the configured limit; parsing stops at the first one over it. */
public final class TooManyEventsException extends Exception {
    public TooManyEventsException(int limit) {
        super("the EventList has more than " + limit + " items (limits.max-events-per-batch)", null, false, false);
    }
}
