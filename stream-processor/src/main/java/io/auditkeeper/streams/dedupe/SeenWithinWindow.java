package io.auditkeeper.streams.dedupe;

import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

import java.time.Duration;

/**
 * Remembers keys for a time window in a changelogged window store: {@link #firstTime} is true the first time a key
 * is seen and false for a repeat within the window around it. The store drops what is older than its retention, so
 * memory and disk stay bounded by the window, not by the stream's length.
 */
public final class SeenWithinWindow {
    private final WindowStore<String, Long> store;
    private final long windowMs;

    public SeenWithinWindow(WindowStore<String, Long> store, Duration window) {
        this.store = store;
        this.windowMs = window.toMillis();
    }

    /** Records {@code key} at {@code timestamp}; true if it was not seen within the window around that time. */
    public boolean firstTime(String key, long timestamp) {
        try (WindowStoreIterator<Long> seen = store.fetch(key, Math.max(0, timestamp - windowMs), timestamp + windowMs)) {
            if (seen.hasNext()) {
                return false;
            }
        }
        store.put(key, timestamp, timestamp);
        return true;
    }
}
