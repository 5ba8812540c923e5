package io.auditkeeper.demo.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The committed offsets of the pipeline's consumer groups, sampled every 200 ms from the moment it starts, so that
 * when a stage took in its last record can be found afterwards, once the offsets it had to reach are known exactly
 * (finding them takes seconds: the end of a transactional topic is a run of markers of unknown length).
 */
final class CommitTimeline implements AutoCloseable {
    private record Sample(long nanos, Map<String, Map<TopicPartition, Long>> committed) {
    }

    private static final long PERIOD_MS = 200;
    private final Admin admin;
    private final List<String> groups;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Thread sampler;
    private volatile boolean running = true;

    CommitTimeline(String bootstrap, List<String> groups) {
        this.admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 10_000,
                "default.api.timeout.ms", 15_000));
        this.groups = List.copyOf(groups);
        this.sampler = new Thread(this::sample, "e2e-commits");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        while (running) {
            Map<String, Map<TopicPartition, Long>> now = new HashMap<>();
            for (String group : groups) {
                try {
                    Map<TopicPartition, OffsetAndMetadata> c = admin.listConsumerGroupOffsets(
                            Map.of(group, new ListConsumerGroupOffsetsSpec())).partitionsToOffsetAndMetadata(group)
                            .get(15, TimeUnit.SECONDS);
                    Map<TopicPartition, Long> offsets = new HashMap<>();
                    c.forEach((tp, o) -> offsets.put(tp, o == null ? -1 : o.offset()));
                    now.put(group, offsets);
                } catch (Exception e) {
                    now.put(group, Map.of());
                }
            }
            samples.add(new Sample(System.nanoTime(), now));
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * The time (nanoTime) of the first sample in which {@code group} had committed at least {@code targets} on every
     * partition, waiting for it up to {@code patience}; empty if it did not happen in time.
     */
    OptionalLong firstReached(String group, Map<TopicPartition, Long> targets, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        int next = 0;
        while (true) {
            for (; next < samples.size(); next++) {
                Sample s = samples.get(next);
                Map<TopicPartition, Long> c = s.committed().getOrDefault(group, Map.of());
                if (targets.entrySet().stream().allMatch(t -> t.getValue() == 0 || c.getOrDefault(t.getKey(), -1L) >= t.getValue())) {
                    return OptionalLong.of(s.nanos());
                }
            }
            if (System.nanoTime() > deadline) {
                return OptionalLong.empty();
            }
            Thread.sleep(PERIOD_MS);
        }
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        admin.close(Duration.ofSeconds(5));
    }
}
