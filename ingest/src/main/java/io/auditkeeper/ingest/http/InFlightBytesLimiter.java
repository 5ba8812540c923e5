package io.auditkeeper.ingest.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the bytes of request bodies held at once, from the first byte read until Kafka has acknowledged the batch.
 * A request that would go over the bound is refused at once (429) instead of letting memory grow until the JVM
 * fails; the apiserver retries it later.
 */
public final class InFlightBytesLimiter {
    private final long max;
    private final AtomicLong used = new AtomicLong();

    public InFlightBytesLimiter(long max) {
        this.max = max;
    }

    public long used() {
        return used.get();
    }

    public long max() {
        return max;
    }

    /** A reservation of {@code bytes}, or null if that would exceed the bound. */
    public Reservation tryReserve(long bytes) {
        Reservation r = new Reservation();
        return r.grow(bytes) ? r : null;
    }

    /** Bytes held by one request; grows as the body is read and decompressed, released once. */
    public final class Reservation implements AutoCloseable {
        private long held;
        private boolean closed;

        public synchronized boolean grow(long bytes) {
            if (closed || bytes < 0) {
                return false;
            }
            while (true) {
                long now = used.get();
                if (now + bytes > max) {
                    return false;
                }
                if (used.compareAndSet(now, now + bytes)) {
                    held += bytes;
                    return true;
                }
            }
        }

        public synchronized long held() {
            return held;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                used.addAndGet(-held);
                held = 0;
            }
        }
    }
}
