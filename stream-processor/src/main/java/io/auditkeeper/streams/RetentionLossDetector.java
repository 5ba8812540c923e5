package io.auditkeeper.streams;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells when records of {@code audit.raw} were deleted by its retention before the stream-processor read them,
 * instead of letting Kafka Streams skip them quietly. Kafka Streams runs its main consumer with
 * {@code auto.offset.reset=none} and resets a partition itself when the offset it would fetch next is out of range: it
 * catches the consumer's {@link OffsetOutOfRangeException} (which names that offset) and seeks to the beginning
 * ({@code auto.offset.reset=earliest}, the default) or the end. The main consumers this supplier makes remember the
 * offset out of range and, when Streams seeks, ask for the partition's new first (or last) offset: the offsets
 * between were never processed. They are logged as an error with the partition and offsets, and counted in
 * {@code auditkeeper.streams.offsets.lost}, as the archiver does for {@code audit.events}.
 *
 * <p>Why the consumer and not a periodic comparison of committed offsets with log starts: Streams resets and commits
 * within a second of noticing, so a comparison every so often would miss most losses; here each one is seen, with its
 * exact offsets. Offsets counted include any transaction markers among the deleted records (ingest writes none).
 */
final class RetentionLossDetector implements KafkaClientSupplier {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionLossDetector.class);

    /** Where a loss is told. */
    interface Listener {
        void lost(TopicPartition partition, long first, long last);
    }

    private final String topic;
    private final Listener listener;
    private final AtomicLong lost = new AtomicLong();

    RetentionLossDetector(String topic, Listener listener) {
        this.topic = topic;
        this.listener = listener;
    }

    /** Offsets of the watched topic lost since start. */
    long offsetsLost() {
        return lost.get();
    }

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return Admin.create(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return new WatchingConsumer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private void lost(TopicPartition tp, long first, long last, String resetTo) {
        if (!tp.topic().equals(topic)) {
            LOG.atWarn().addKeyValue("partition", tp.toString()).addKeyValue("first_offset", first)
                    .addKeyValue("last_offset", last).log("offsets of an internal topic were out of range; reset to " + resetTo);
            return;
        }
        lost.addAndGet(last - first + 1);
        listener.lost(tp, first, last);
        LOG.atError().addKeyValue("partition", tp.toString()).addKeyValue("first_offset", first)
                .addKeyValue("last_offset", last).addKeyValue("offsets", last - first + 1)
                .log("offsets " + first + "-" + last + " of " + tp + " were " + ("earliest".equals(resetTo)
                        ? "deleted by the topic's retention" : "skipped by auto.offset.reset=latest")
                        + " before they were processed: they are not in audit.events, nor in the archive. Processing goes"
                        + " on from offset " + (last + 1) + ". Keep the stream-processor within the topic's retention.ms");
    }

    /** A main consumer that remembers offsets out of range until Streams resets them. Single-threaded, as any consumer. */
    private final class WatchingConsumer extends KafkaConsumer<byte[], byte[]> {
        private final Map<TopicPartition, Long> outOfRange = new HashMap<>();

        WatchingConsumer(Map<String, Object> config) {
            super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            try {
                return super.poll(timeout);
            } catch (OffsetOutOfRangeException e) {
                outOfRange.putAll(e.offsetOutOfRangePartitions());
                throw e;
            }
        }

        @Override
        public void seekToBeginning(Collection<TopicPartition> partitions) {
            super.seekToBeginning(partitions);
            List<TopicPartition> reset = pending(partitions);
            if (!reset.isEmpty()) {
                Map<TopicPartition, Long> starts = beginningOffsets(reset);
                for (TopicPartition tp : reset) {
                    long from = outOfRange.remove(tp);
                    Long start = starts.get(tp);
                    if (start != null && start > from) {
                        lost(tp, from, start - 1, "earliest");
                    }
                }
            }
        }

        @Override
        public void seekToEnd(Collection<TopicPartition> partitions) {
            super.seekToEnd(partitions);
            List<TopicPartition> reset = pending(partitions);
            if (!reset.isEmpty()) {
                Map<TopicPartition, Long> ends = endOffsets(reset);
                for (TopicPartition tp : reset) {
                    long from = outOfRange.remove(tp);
                    Long end = ends.get(tp);
                    if (end != null && end > from) {
                        lost(tp, from, end - 1, "latest");
                    }
                }
            }
        }

        private List<TopicPartition> pending(Collection<TopicPartition> partitions) {
            List<TopicPartition> out = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                if (outOfRange.containsKey(tp)) {
                    out.add(tp);
                }
            }
            return out;
        }
    }
}
