package io.auditkeeper.archiver.s3;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Object keys of the archive, deterministic from what a batch holds, so that a retried write lands on the same key:
 * {@code <prefix>/<directory>/yyyy/MM/dd/HH/<topic>_<partition>_<firstOffset>-<lastOffset>.ndjson.gz} (no {@code +},
 * which some S3 servers mis-sign), the hour being that of the batch's first record (UTC). The directory is
 * {@value #EVENTS} for the events and {@value #DEAD_LETTERS} for the dead-letter topic, so that a listing of one never
 * mixes in the other. A time range is a prefix listing; offsets are zero-padded so names sort.
 */
public final class ArchiveKeys {
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);

    public static final String EVENTS = "events";
    public static final String DEAD_LETTERS = "dead-letters";

    private ArchiveKeys() {
    }

    public static String events(String prefix, String topic, int partition, long firstOffset, long lastOffset, Instant firstRecordTime) {
        return of(prefix, EVENTS, topic, partition, firstOffset, lastOffset, firstRecordTime);
    }

    public static String of(String prefix, String directory, String topic, int partition, long firstOffset, long lastOffset,
                            Instant firstRecordTime) {
        return (prefix == null || prefix.isEmpty() ? "" : prefix + "/") + directory + "/" + HOUR.format(firstRecordTime) + "/"
                + topic + "_" + String.format("%04d", partition) + "_" + String.format("%020d", firstOffset) + "-"
                + String.format("%020d", lastOffset) + ".ndjson.gz";
    }
}
