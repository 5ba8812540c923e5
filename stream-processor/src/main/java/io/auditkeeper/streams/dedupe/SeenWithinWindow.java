package io.auditkeeper.streams.dedupe;

import org.apache.kafka.streams.state.WindowStore;

import java.time.Duration;

/**
 * Remembers keys for a time window in a changelogged window store: {@link #firstTime} is true the first time a key
 * is seen and false for a repeat. A key is stored under the start of its time bucket (one window wide), and a repeat
 * is looked up in its own bucket and the two around it, so any repeat within one window of the first is caught (and
 * some up to two windows away) with three point lookups instead of a range scan. The store drops what is older than
 * its retention, so memory and disk stay bounded by the window, not by the stream's length.
 */
public final class SeenWithinWindow {
    private final WindowStore<String, Long> store;
    private final long windowMs;

    public SeenWithinWindow(WindowStore<String, Long> store, Duration window) {
        this.store = store;
        this.windowMs = window.toMillis();
    }

    /** The retention the store needs: the buckets on both sides of a record's own. */
    public static Duration retention(Duration window) {
        return window.multipliedBy(3);
    }

    /** Records {@code key} at {@code timestamp}; true if it was not seen within the window around that time. */
    public boolean firstTime(String key, long timestamp) {
        long bucket = timestamp - Math.floorMod(timestamp, windowMs);
        if (store.fetch(key, bucket) != null || store.fetch(key, bucket - windowMs) != null
                || store.fetch(key, bucket + windowMs) != null) {
            return false;
        }
        store.put(key, timestamp, bucket);
        return true;
    }
}
