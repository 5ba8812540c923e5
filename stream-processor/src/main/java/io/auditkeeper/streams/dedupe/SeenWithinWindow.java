package io.auditkeeper.streams.dedupe;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers keys for a time window in a changelogged window store: {@link #firstTime} is true the first time a key
 * is seen and false for a repeat. A key is stored under the start of its time bucket (one window wide), and a repeat
 * is looked up in its own bucket and the two around it, so any repeat within one window of the first is caught (and
 * some up to two windows away) with point lookups instead of a range scan. The store drops what is older than its
 * retention, so memory and disk stay bounded by the window, not by the stream's length.
 *
 * <p>In front of the store, an in-heap Bloom filter per bucket (rebuilt from the store when the task starts, so it
 * covers what a restart restored) answers "never stored here" for nearly every new key without a RocksDB lookup. A
 * "maybe" is always checked in the store, so the filter can cost a lookup but never drop an event. Filters grow in
 * steps (each twice the last) so a quiet task holds little memory, and go when their bucket is past the retention.
 *
 * <p>The value stored under a key is 8 bytes, as it always was: {@link #firstTime(String, long)} stores the record's
 * timestamp (never negative), {@link #seen} a {@link ContentHash} (always negative, its top bit set). So a store written
 * before content hashes were kept still reads, every entry in it as "content unknown", and a store written now still
 * reads in the previous version, which only ever asked whether a key was there.
 */
public final class SeenWithinWindow {
    static final int FIRST_FILTER_CAPACITY = 1 << 14;

    private final WindowStore<String, Long> store;
    private final long windowMs;
    private final Map<Long, List<BloomFilter>> filters = new HashMap<>();
    private long newestBucket = Long.MIN_VALUE;

    public SeenWithinWindow(WindowStore<String, Long> store, Duration window) {
        this.store = store;
        this.windowMs = window.toMillis();
        try (KeyValueIterator<Windowed<String>, Long> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<Windowed<String>, Long> kv = all.next();
                remember(kv.key.key(), kv.key.window().start());
            }
        }
    }

    /** The retention the store needs: the buckets on both sides of a record's own. */
    public static Duration retention(Duration window) {
        return window.multipliedBy(3);
    }

    /**
     * Records {@code key} at the time {@link #timeFor} chooses; true if it was not seen within the window around it.
     */
    public boolean firstTime(String key, long timestamp, long fallback) {
        return firstTime(key, timeFor(timestamp, fallback));
    }

    /**
     * The time a key is looked up and stored at: {@code timestamp} (the event's own, the same in every resend of it)
     * when it is within the store's retention of {@code fallback} (the record's: when ingest received this copy), else
     * {@code fallback}. Decided from the two times alone, never from what the store holds, so that every copy of an
     * event, before and after a restart, takes the same one: an event from long ago (a replay, an apiserver whose clock
     * is far off) is deduplicated by when it arrived; one whose copies reached ingest clocks up to the retention apart
     * (replicas whose clocks disagree) by its own time.
     */
    long timeFor(long timestamp, long fallback) {
        return Math.abs(timestamp - fallback) <= retention(Duration.ofMillis(windowMs)).toMillis() ? timestamp : fallback;
    }

    /** Records {@code key} at {@code timestamp}; true if it was not seen within the window around that time. */
    public boolean firstTime(String key, long timestamp) {
        long bucket = timestamp - Math.floorMod(timestamp, windowMs);
        if (stored(key, bucket) || stored(key, bucket - windowMs) || stored(key, bucket + windowMs)) {
            return false;
        }
        store.put(key, timestamp, bucket);
        remember(key, bucket);
        return true;
    }

    /** What {@link #seen} found for a key. */
    public sealed interface Seen permits First, Repeat, Conflict {
    }

    /** Not seen within the window: now stored, with its content hash. */
    public record First() implements Seen {
    }

    /**
     * Seen within the window with the same content hash, or stored without one (by the previous version, or by
     * {@link #firstTime(String, long)}): a resend.
     */
    public record Repeat() implements Seen {
    }

    /** Seen within the window with another content: {@code firstHash} is what the first was stored with. */
    public record Conflict(long firstHash) implements Seen {
    }

    private static final Seen FIRST = new First();
    private static final Seen REPEAT = new Repeat();

    /**
     * Records {@code key} with {@code contentHash} (a {@link ContentHash}, negative) unless it was seen within the
     * window around its time; if it was, tells whether the content was the same. The first stays stored whatever comes
     * after it. The time is chosen by {@link #timeFor}.
     */
    public Seen seen(String key, long timestamp, long fallback, long contentHash) {
        return seen(key, timeFor(timestamp, fallback), contentHash);
    }

    /**
     * As {@link #seen(String, long, long, long)} at {@code timestamp} with no fallback: records {@code key} with
     * {@code contentHash} unless it was seen within the window around that time.
     */
    public Seen seen(String key, long timestamp, long contentHash) {
        long bucket = timestamp - Math.floorMod(timestamp, windowMs);
        Long first = storedValue(key, bucket);
        if (first == null) {
            first = storedValue(key, bucket - windowMs);
        }
        if (first == null) {
            first = storedValue(key, bucket + windowMs);
        }
        if (first == null) {
            store.put(key, contentHash, bucket);
            remember(key, bucket);
            return FIRST;
        }
        return !ContentHash.isHash(first) || first == contentHash ? REPEAT : new Conflict(first);
    }

    private boolean stored(String key, long bucket) {
        return storedValue(key, bucket) != null;
    }

    private Long storedValue(String key, long bucket) {
        List<BloomFilter> f = filters.get(bucket);
        if (f == null || !mightContain(f, key)) {
            return null;
        }
        return store.fetch(key, bucket);
    }

    private static boolean mightContain(List<BloomFilter> f, String key) {
        for (BloomFilter b : f) {
            if (b.mightContain(key)) {
                return true;
            }
        }
        return false;
    }

    private void remember(String key, long bucket) {
        List<BloomFilter> f = filters.get(bucket);
        if (f == null) {
            f = new ArrayList<>(4);
            filters.put(bucket, f);
            if (bucket > newestBucket) {
                newestBucket = bucket;
                // one window beyond the store's retention, so that no filter goes while the store may still answer
                long oldest = newestBucket - 4 * windowMs;
                filters.keySet().removeIf(b -> b < oldest);
            }
        }
        if (f.isEmpty() || f.get(f.size() - 1).isFull()) {
            f.add(new BloomFilter(FIRST_FILTER_CAPACITY << Math.min(f.size(), 10)));
        }
        f.get(f.size() - 1).add(key);
    }

    /** Buckets that have a filter (for tests). */
    int filteredBuckets() {
        return filters.size();
    }
}
