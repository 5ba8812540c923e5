package io.auditkeeper.archiver.metrics;

import io.auditkeeper.archiver.archive.ArchiveListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * The archive stage's counters and lag, so an operator sees it keep up (or fall behind while S3 is down): records
 * archived, objects and bytes written, manifest entries and digests written, S3 write failures, offsets lost to the
 * topic's retention before they were archived, and the lag of the archive consumer group; one set for the events and
 * one for the dead-letter topic.
 */
public final class ArchiveMetrics implements ArchiveListener {
    private final Counter records;
    private final Counter objects;
    private final Counter bytes;
    private final Counter manifestEntries;
    private final Counter digests;
    private final Counter failures;
    private final Counter lost;
    private final Counter fenced;
    private final LagGauges lag;

    /** The events' archive: {@code auditkeeper_archiver_*}, lag under stage {@code archive}. */
    public ArchiveMetrics(MeterRegistry registry, String group) {
        this(registry, "auditkeeper.archiver", "archive", group, "Records", true);
    }

    /**
     * The dead-letter topic's archive: {@code auditkeeper_archiver_dead_letters_*}, lag under stage
     * {@code dead-letter-archive}, apart from the events' so that an events archive that stalls is not hidden by dead
     * letters that still flow. S3 write failures are one counter for both (the same store fails for both).
     */
    public static ArchiveMetrics deadLetters(MeterRegistry registry, String group) {
        return new ArchiveMetrics(registry, "auditkeeper.archiver.dead.letters", "dead-letter-archive", group,
                "Dead-letter records", false);
    }

    private ArchiveMetrics(MeterRegistry registry, String stem, String stage, String group, String what, boolean digests) {
        records = Counter.builder(stem + ".records.archived")
                .description(what + " written to the archive, in Object Lock objects with a manifest entry").register(registry);
        objects = Counter.builder(stem + ".objects.written")
                .description("Archive objects (gzip NDJSON batches) written").register(registry);
        bytes = Counter.builder(stem + ".bytes.written")
                .description("Bytes of archive objects written, as stored (gzip)").register(registry);
        manifestEntries = Counter.builder(stem + ".manifest.entries")
                .description("Signed manifest entries written").register(registry);
        this.digests = digests ? Counter.builder("auditkeeper.archiver.digests.written")
                .description("Signed digests of the manifest heads written").register(registry) : null;
        failures = Counter.builder("auditkeeper.archiver.s3.write.failures")
                .description("Writes to S3 (object, manifest entry or digest) that failed").register(registry);
        lost = Counter.builder(stem + ".offsets.lost")
                .description("Offsets deleted by the topic's retention before they were archived (records lost to the"
                        + " archive, or transaction markers among them); anything above 0 is a gap in the record")
                .register(registry);
        fenced = Counter.builder(stem + ".writes.fenced")
                .description("Batches abandoned because the consumer group had given their partition to another"
                        + " archiver; its object, if already written, is left unreferenced").register(registry);
        lag = new LagGauges(registry, stage, group);
    }

    @Override
    public void objectWritten(int count, long size) {
        records.increment(count);
        objects.increment();
        bytes.increment(size);
    }

    @Override
    public void manifestEntryWritten() {
        manifestEntries.increment();
    }

    @Override
    public void digestWritten() {
        if (digests != null) {
            digests.increment();
        }
    }

    @Override
    public void offsetsLost(TopicPartition partition, long first, long last) {
        lost.increment(last - first + 1);
    }

    @Override
    public void writeFenced() {
        fenced.increment();
    }

    @Override
    public void s3WriteFailed() {
        failures.increment();
    }

    @Override
    public void lag(Map<TopicPartition, Long> lagByPartition) {
        lag.update(lagByPartition);
    }

    /** Before a scrape: the latest lag into the per-partition gauges. */
    public void refresh() {
        lag.refresh();
    }
}
