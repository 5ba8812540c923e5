package io.auditkeeper.archiver.metrics;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * A consumer's lag from its own view, without asking the broker: the end of each assigned partition it learnt from its
 * last fetch (the last stable offset under {@code read_committed}) minus the first offset the writer has not finished.
 * It needs neither the store nor a call to the broker, so it keeps being reported while a store is down and the
 * writer keeps reading the same records again. Must be called on the consumer's thread.
 */
public final class ConsumerLag {
    private ConsumerLag() {
    }

    /**
     * @param unfinished for a partition, the first offset read but not yet done with (a batch not yet written), if
     *                   any; the lag then counts from there instead of from the consumer's position
     */
    public static Map<TopicPartition, Long> of(Consumer<?, ?> consumer, Function<TopicPartition, OptionalLong> unfinished) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong behindPosition = consumer.currentLag(tp);
            if (behindPosition.isEmpty()) {
                continue;
            }
            long lag = behindPosition.getAsLong();
            OptionalLong from = unfinished.apply(tp);
            if (from.isPresent()) {
                // currentLag is known, so the position is too: position() returns at once.
                lag += Math.max(0, consumer.position(tp) - from.getAsLong());
            }
            out.put(tp, Math.max(0, lag));
        }
        return out;
    }
}
