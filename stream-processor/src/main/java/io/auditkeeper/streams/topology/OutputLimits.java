package io.auditkeeper.streams.topology;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The largest record each output topic takes, so that the processor sends a record that would be refused to the
 * dead-letter topic instead of writing it. Why before the write: under exactly-once, a record the producer or a broker
 * refuses puts the transaction in an abortable error whatever the production exception handler answers, so the whole
 * transaction (the dead letter the handler adds included) is aborted, the stream thread fails, and its replacement
 * processes the same record again, until retention deletes it. Checked before the write, the record never enters the
 * transaction.
 *
 * <p>A topic's limit starts at the producer's {@code max.request.size}, is lowered at start to the topic's
 * {@code max.message.bytes} as the broker reports it, and is lowered at run time by the
 * {@link DeadLetterProductionExceptionHandler} below the size of any record a broker still refused (compression, a
 * limit changed after start): that transaction is lost, and the record, processed again, is caught here. The size is
 * an upper bound of the record uncompressed, as the producer estimates it; compression can only make the batch
 * smaller, and a record under {@code batch.size} shares a batch no larger than that. Thread-safe: shared by the stream
 * threads and the handler.
 */
public final class OutputLimits {
    /** What a record batch with one record adds to its key, value and headers, at most (v2 format). */
    static final int RECORD_OVERHEAD = 61 + 32;
    private static final int HEADER_OVERHEAD = 10;

    private final long defaultLimit;
    private final Map<String, Long> limits = new ConcurrentHashMap<>();

    public OutputLimits(long defaultLimit) {
        this.defaultLimit = defaultLimit;
    }

    /** The largest record, in bytes as {@link #size} counts them, that {@code topic} takes. */
    public long limit(String topic) {
        return limits.getOrDefault(topic, defaultLimit);
    }

    /** Lowers the limit of {@code topic} to {@code bytes} (never raises it). */
    public void lower(String topic, long bytes) {
        limits.merge(topic, Math.min(bytes, defaultLimit), Math::min);
    }

    public boolean fits(String topic, long size) {
        return size <= limit(topic);
    }

    /** An upper bound of the record's size in a batch of its own, uncompressed. */
    public static long size(byte[] key, byte[] value, Headers headers) {
        long size = RECORD_OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        if (headers != null) {
            for (Header h : headers) {
                size += HEADER_OVERHEAD + h.key().length() * 3L + (h.value() == null ? 0 : h.value().length);
            }
        }
        return size;
    }
}
