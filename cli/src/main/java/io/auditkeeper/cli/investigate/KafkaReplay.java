package io.auditkeeper.cli.investigate;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the records of a topic whose timestamps fall in a period, on every partition, and hands the wanted ones to a
 * sink. It is bounded on both sides so that it always ends: each partition starts at the offset {@code offsetsForTimes}
 * gives for the start and stops at the first record at or after the end time, or at the partition's end offset as it
 * was when the replay started (with {@code read_committed}, the last stable offset), whichever comes first. Records
 * written later, or an open transaction, cannot keep it running.
 *
 * <p>Record timestamps are the producer's (the stream-processor's) unless the topic uses LogAppendTime; a record
 * before the start that comes after the start offset (a late producer clock) is skipped.
 */
public final class KafkaReplay {
    /** Receives each wanted record in partition order. */
    public interface Sink {
        void accept(ConsumerRecord<byte[], byte[]> record) throws Exception;
    }

    /** Told of the replay's advance, about once a second. */
    public interface Progress {
        void update(long read, long emitted, int partitionsLeft, int partitions);
    }

    /** How much was read and how much passed the filter. */
    public record Result(long read, long emitted, int partitions) {
    }

    /** The topic does not exist (or the consumer may not see it). */
    public static final class UnknownTopicException extends RuntimeException {
        UnknownTopicException(String topic) {
            super("topic " + topic + " does not exist or is not visible to this client");
        }
    }

    private final Consumer<byte[], byte[]> consumer;
    private final Duration timeout;

    public KafkaReplay(Consumer<byte[], byte[]> consumer, Duration timeout) {
        this.consumer = consumer;
        this.timeout = timeout;
    }

    public Result run(String topic, TimeWindow window, EventFilter filter, Sink sink, Progress progress) throws Exception {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new UnknownTopicException(topic);
        }
        List<TopicPartition> partitions = new ArrayList<>();
        infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        long fromMs = window.from().toEpochMilli();
        long toMs = window.to().equals(Instant.MAX) ? Long.MAX_VALUE : window.to().toEpochMilli();

        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, fromMs));
        Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query, timeout);

        consumer.assign(partitions);
        Set<TopicPartition> active = new HashSet<>();
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp start = starts.get(tp);
            long end = ends.getOrDefault(tp, 0L);
            if (start != null && start.offset() < end) {
                consumer.seek(tp, start.offset());
                active.add(tp);
            }
        }
        List<TopicPartition> idle = new ArrayList<>(partitions);
        idle.removeAll(active);
        consumer.pause(idle);

        long read = 0;
        long emitted = 0;
        long lastProgress = System.nanoTime();
        while (!active.isEmpty()) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
            for (ConsumerRecord<byte[], byte[]> r : records) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (!active.contains(tp)) {
                    continue;
                }
                if (r.offset() >= ends.get(tp) || r.timestamp() >= toMs) {
                    done(tp, active);
                    continue;
                }
                read++;
                if (r.timestamp() >= fromMs && filter.matches(r.value())) {
                    sink.accept(r);
                    emitted++;
                }
            }
            for (TopicPartition tp : new ArrayList<>(active)) {
                if (consumer.position(tp, timeout) >= ends.get(tp)) {
                    done(tp, active);
                }
            }
            if (progress != null && System.nanoTime() - lastProgress > 1_000_000_000L) {
                progress.update(read, emitted, active.size(), partitions.size());
                lastProgress = System.nanoTime();
            }
        }
        if (progress != null) {
            progress.update(read, emitted, 0, partitions.size());
        }
        return new Result(read, emitted, partitions.size());
    }

    private void done(TopicPartition tp, Set<TopicPartition> active) {
        if (active.remove(tp)) {
            consumer.pause(List.of(tp));
        }
    }
}
