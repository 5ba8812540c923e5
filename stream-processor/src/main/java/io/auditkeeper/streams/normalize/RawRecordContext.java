package io.auditkeeper.streams.normalize;

import io.auditkeeper.model.NormalizedEvent;

/** What the raw record's headers and position say about an event: where it came from and when ingest got it. */
public record RawRecordContext(String cluster, String receivedAt, String client, NormalizedEvent.Source source) {
}
