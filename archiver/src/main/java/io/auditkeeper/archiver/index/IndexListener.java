package io.auditkeeper.archiver.index;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * What the indexer reports as it works, so that metrics can be kept without the indexer knowing about them. Called on
 * the indexer's thread; implementations must be quick and must not throw.
 */
public interface IndexListener {
    /** Does nothing. */
    IndexListener NONE = new IndexListener() { };

    /** OpenSearch took {@code documents} documents read from {@code topic} (created or overwritten). */
    default void indexed(String topic, int documents) {
    }

    /** OpenSearch refused {@code documents} documents of {@code topic} for good; they are in the dead-letter topic. */
    default void rejected(String topic, int documents) {
    }

    /** A poll's documents could not be indexed (OpenSearch unreachable, or failing after the retries); read again. */
    default void bulkFailed() {
    }

    /** A poll's documents were indexed but their offsets could not be committed: the group had moved the partitions. */
    default void commitFenced() {
    }

    /** The records of each assigned partition not yet indexed, as the consumer sees them (end minus position). */
    default void lag(Map<TopicPartition, Long> lagByPartition) {
    }
}
