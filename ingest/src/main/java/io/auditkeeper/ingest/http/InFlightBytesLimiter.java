package io.auditkeeper.ingest.http;

import java.util.HashMap;
import java.util.Map;

/**
 * Bounds the bytes of request bodies held at once, from the first byte read until Kafka has acknowledged the batch:
 * in all, and per client credential. Bytes are charged as they arrive (as the buffers holding them grow), never from a
 * declared {@code Content-Length}, so a client that announces a large body and sends it slowly holds only what it has
 * sent. A client's share keeps one broken or hostile credential from holding the whole budget while the others get
 * 429. A request that would go over either bound is refused at once (429, which the apiserver resends) instead of
 * letting memory grow until the JVM fails.
 */
public final class InFlightBytesLimiter {
    private final long max;
    private final long maxPerClient;
    private long used;
    private final Map<String, Long> usedByClient = new HashMap<>();

    /** @param maxPerClient what one client may hold; {@code min(max, maxPerClient)} applies */
    public InFlightBytesLimiter(long max, long maxPerClient) {
        this.max = max;
        this.maxPerClient = Math.min(max, maxPerClient);
    }

    public synchronized long used() {
        return used;
    }

    /** Bytes {@code client} holds now. */
    public synchronized long usedBy(String client) {
        return usedByClient.getOrDefault(client, 0L);
    }

    public long max() {
        return max;
    }

    public long maxPerClient() {
        return maxPerClient;
    }

    /** An empty reservation for one request of {@code client}, charged as its body arrives. */
    public Reservation open(String client) {
        return new Reservation(client);
    }

    private synchronized boolean take(String client, long bytes) {
        long mine = usedByClient.getOrDefault(client, 0L);
        if (used + bytes > max || mine + bytes > maxPerClient) {
            return false;
        }
        used += bytes;
        usedByClient.put(client, mine + bytes);
        return true;
    }

    private synchronized void give(String client, long bytes) {
        used -= bytes;
        long mine = usedByClient.getOrDefault(client, 0L) - bytes;
        if (mine <= 0) {
            usedByClient.remove(client);
        } else {
            usedByClient.put(client, mine);
        }
    }

    private synchronized boolean clientShareSpent(String client, long bytes) {
        return usedByClient.getOrDefault(client, 0L) + bytes > maxPerClient;
    }

    /** Bytes held by one request; grows as the body is read and decompressed, released once. */
    public final class Reservation implements AutoCloseable {
        private final String client;
        private long held;
        private boolean closed;

        private Reservation(String client) {
            this.client = client;
        }

        /** Adds {@code bytes}; false (nothing added) if that would go over the total or the client's share. */
        public synchronized boolean grow(long bytes) {
            if (closed || bytes < 0) {
                return false;
            }
            if (!take(client, bytes)) {
                return false;
            }
            held += bytes;
            return true;
        }

        /** Adds {@code bytes}, or fails with the 429 that names the bound it would cross. */
        public void charge(long bytes) throws WebhookException {
            if (!grow(bytes)) {
                throw clientShareSpent(client, bytes)
                        ? new WebhookException(429, "overloaded", "this client holds its share of in-flight bytes"
                                + " (limits.max-in-flight-bytes-per-client); retry later", 1)
                        : new WebhookException(429, "overloaded",
                                "too many bytes in flight (limits.max-in-flight-bytes); retry later", 1);
            }
        }

        public synchronized long held() {
            return held;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                give(client, held);
                held = 0;
            }
        }
    }
}
