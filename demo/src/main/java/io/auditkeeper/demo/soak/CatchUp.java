package io.auditkeeper.demo.soak;

import io.auditkeeper.model.AuditTopics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether the pipeline has caught up with a moment: every stage's consumer group has committed past the last record its
 * input held then (the stream-processor on {@code audit.raw}, the archive writer and the indexer on
 * {@code audit.events}). "Past the last record", not "at the log end": {@code audit.events} is written in
 * transactions, and a group that has consumed everything commits the offset after the last record, which is the
 * commit marker's, one short of the end.
 */
public final class CatchUp implements AutoCloseable {
    /** A group on a topic, and the offsets it must reach. */
    public record Target(String group, String topic, Map<TopicPartition, Long> offsets) {
    }

    private final String bootstrap;
    private final Admin admin;

    public CatchUp(String bootstrap) {
        this.bootstrap = bootstrap;
        this.admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 10_000,
                "default.api.timeout.ms", 15_000));
    }

    /**
     * What each stage has to reach to have taken in everything its input holds now, read exactly: the last committed
     * record of every partition is looked up by reading back from its end. Takes a few seconds; for the end of a run.
     */
    public List<Target> exactlyNow() {
        return targets(afterLastRecords(AuditTopics.RAW), afterLastRecords(AuditTopics.EVENTS));
    }

    /**
     * The same from the log's offsets alone, in milliseconds, for timing a recovery while traffic flows:
     * {@code audit.raw} is written without transactions, so its end is after its last record; {@code audit.events}
     * only in transactions, so the offset before its last stable offset is a transaction marker (or the end of an open
     * transaction's predecessor), and a group that has taken in every committed record has committed that far.
     */
    public List<Target> now() {
        Map<TopicPartition, Long> raw = stableEnds(AuditTopics.RAW, 0);
        Map<TopicPartition, Long> events = stableEnds(AuditTopics.EVENTS, 1);
        return targets(raw, events);
    }

    private static List<Target> targets(Map<TopicPartition, Long> raw, Map<TopicPartition, Long> events) {
        return List.of(new Target(Fleet.APPLICATION_ID, AuditTopics.RAW, raw),
                new Target(Fleet.ARCHIVE_GROUP, AuditTopics.EVENTS, events),
                new Target(Fleet.INDEX_GROUP, AuditTopics.EVENTS, events));
    }

    private Map<TopicPartition, Long> stableEnds(String topic, long markers) {
        try {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic)
                    .partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> out = new HashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(15, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, Math.max(0, info.offset() - markers)));
            return out;
        } catch (Exception e) {
            return afterLastRecords(topic); // the slow way round, when the broker is not answering Admin calls yet
        }
    }

    /** Waits until every target is reached; when that was, or empty if not within {@code patience}. */
    public Optional<Instant> await(List<Target> targets, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            if (targets.stream().allMatch(this::reached)) {
                return Optional.of(Instant.now());
            }
            Thread.sleep(250);
        }
        return Optional.empty();
    }

    private boolean reached(Target t) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(Map.of(t.group(),
                    new ListConsumerGroupOffsetsSpec().topicPartitions(t.offsets().keySet())))
                    .partitionsToOffsetAndMetadata(t.group()).get(15, TimeUnit.SECONDS);
            return t.offsets().entrySet().stream().allMatch(e -> {
                OffsetAndMetadata c = committed.get(e.getKey());
                return e.getValue() == 0 || c != null && c.offset() >= e.getValue();
            });
        } catch (Exception e) {
            return false; // the broker is down or the group is rebalancing: not caught up yet
        }
    }

    /** For each partition of a topic, the offset after its last committed record (0 for an empty partition). */
    Map<TopicPartition, Long> afterLastRecords(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "isolation.level", "read_committed", "enable.auto.commit", false, "max.poll.records", 500),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            int partitions = c.partitionsFor(topic, Duration.ofSeconds(30)).size();
            Map<TopicPartition, Long> after = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                after.put(tp, afterLastRecord(c, tp));
            }
            return after;
        }
    }

    /**
     * Reads back from the end (under read_committed, the last stable offset) in growing windows until a record is
     * found: after a killed transaction the last offsets may be aborted records and markers only.
     */
    private static long afterLastRecord(KafkaConsumer<byte[], byte[]> c, TopicPartition tp) {
        c.assign(List.of(tp));
        long end = c.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
        for (long window = 64; ; window *= 16) {
            long from = Math.max(0, end - window);
            c.seek(tp, from);
            long last = -1;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end) {
                        last = Math.max(last, r.offset());
                    }
                }
            }
            if (last >= 0 || from == 0) {
                return last + 1;
            }
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
