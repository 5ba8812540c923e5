package io.auditkeeper.streams.normalize;

import io.auditkeeper.model.NormalizedEvent;

/**
 * What the raw record's headers and position say about an event: where it came from and when ingest got it.
 * {@code receivedAtMillis} is that time as epoch milliseconds (ingest's clock), or {@link #UNKNOWN} when the record
 * does not say.
 */
public record RawRecordContext(String cluster, String receivedAt, String client, NormalizedEvent.Source source,
                               long receivedAtMillis) {
    public static final long UNKNOWN = Long.MIN_VALUE;

    /** A context whose receive time is read from {@code receivedAt} (unknown if absent or unreadable). */
    public RawRecordContext(String cluster, String receivedAt, String client, NormalizedEvent.Source source) {
        this(cluster, receivedAt, client, source, Timestamps.epochMillis(receivedAt));
    }
}
