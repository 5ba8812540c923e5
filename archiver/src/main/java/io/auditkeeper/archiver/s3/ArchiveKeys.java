package io.auditkeeper.archiver.s3;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Object keys of the archive, deterministic from what a batch holds, so that a retried write lands on the same key:
 * {@code <prefix>/events/yyyy/MM/dd/HH/<topic>_<partition>_<firstOffset>-<lastOffset>.ndjson.gz} (no {@code +}, which some S3 servers mis-sign), the hour being that
 * of the batch's first record (UTC). A time range is a prefix listing; offsets are zero-padded so names sort.
 */
public final class ArchiveKeys {
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);

    private ArchiveKeys() {
    }

    public static String events(String prefix, String topic, int partition, long firstOffset, long lastOffset, Instant firstRecordTime) {
        return (prefix == null || prefix.isEmpty() ? "" : prefix + "/") + "events/" + HOUR.format(firstRecordTime) + "/"
                + topic + "_" + String.format("%04d", partition) + "_" + String.format("%020d", firstOffset) + "-"
                + String.format("%020d", lastOffset) + ".ndjson.gz";
    }
}
