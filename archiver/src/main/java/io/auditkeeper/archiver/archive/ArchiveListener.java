package io.auditkeeper.archiver.archive;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * What the archive writer reports as it works, so that metrics can be kept without the writer knowing about them. Called
 * on the writer's thread; implementations must be quick and must not throw.
 */
public interface ArchiveListener {
    /** Does nothing. */
    ArchiveListener NONE = new ArchiveListener() { };

    /** A batch is in the archive as one object of {@code bytes} (gzip, as stored) holding {@code records} records. */
    default void objectWritten(int records, long bytes) {
    }

    /** A signed manifest entry is in the archive. */
    default void manifestEntryWritten() {
    }

    /** A signed digest is in the archive. */
    default void digestWritten() {
    }

    /**
     * Offsets {@code first}..{@code last} of {@code partition} were deleted by the topic's retention before they were
     * archived (records lost to the archive, or transaction markers among them).
     */
    default void offsetsLost(TopicPartition partition, long first, long last) {
    }

    /** A batch was abandoned because the consumer group had given its partition to another archiver. */
    default void writeFenced() {
    }

    /** A write to S3 (object, manifest entry or digest) failed. */
    default void s3WriteFailed() {
    }

    /**
     * The records of each assigned partition not yet in the archive, as the consumer sees the partition's end (its
     * last stable offset) minus the first offset not archived; partitions whose end it does not know yet are absent.
     */
    default void lag(Map<TopicPartition, Long> lagByPartition) {
    }
}
