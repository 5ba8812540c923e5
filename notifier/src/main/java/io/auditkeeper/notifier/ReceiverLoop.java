package io.auditkeeper.notifier;

import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.DeadLetterReason;
import io.auditkeeper.model.DeadLetterSource;
import io.auditkeeper.notifier.config.AlertSource;
import io.auditkeeper.notifier.config.NotifierConfig;
import io.auditkeeper.notifier.config.ReceiverConfig;
import io.auditkeeper.notifier.deliver.Backoff;
import io.auditkeeper.notifier.deliver.DeliveryOutcome;
import io.auditkeeper.notifier.deliver.Notification;
import io.auditkeeper.notifier.deliver.NotificationReader;
import io.auditkeeper.notifier.deliver.Payload;
import io.auditkeeper.notifier.deliver.PayloadFormatter;
import io.auditkeeper.notifier.deliver.Sender;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One receiver's worker: its own consumer group, reads the topics of its sources (read_committed), and takes each
 * record in turn to an end, delivered (2xx) or dead-lettered (the dead-letter write acknowledged), and commits its
 * offset synchronously only then. So a restart or a rebalance sends again at most the record in hand, with the same
 * dedupe key, and a receiver that is down holds up only itself.
 *
 * <p>While it waits out a backoff it keeps polling its group with every partition paused, so a long backoff never
 * costs it its membership (and never duplicates deliveries through a rebalance); records a poll returns meanwhile
 * (newly assigned partitions) are sought back and read in turn.
 */
final class ReceiverLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiverLoop.class);
    private static final long DLQ_ACK_TIMEOUT_MS = 30_000;

    private enum Result { DONE, ABANDONED }

    private final NotifierConfig config;
    private final ReceiverConfig receiver;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> deadLetters;
    private final Sender client;
    private final PayloadFormatter formatter;
    private final NotificationReader reader = new NotificationReader();
    private final Backoff backoff;
    private final NotifierMetrics metrics;
    private final Map<String, AlertSource> sources = new HashMap<>();
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
    private volatile boolean stopping;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile String failure;
    private boolean waiting;
    private int generation;

    ReceiverLoop(NotifierConfig config, ReceiverConfig receiver, Consumer<byte[], byte[]> consumer,
                 Producer<byte[], byte[]> deadLetters, Sender client, NotifierMetrics metrics) {
        this.config = config;
        this.receiver = receiver;
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.client = client;
        this.formatter = PayloadFormatter.of(receiver);
        this.backoff = new Backoff(receiver.retry(), () -> ThreadLocalRandom.current().nextDouble());
        this.metrics = metrics;
        receiver.sources().forEach(s -> sources.put(config.topic(s), s));
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.copyOf(sources.keySet()), new Listener());
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = poll(config.pollTimeout());
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(records.count());
                records.forEach(batch::add);
                int gen = generation;
                for (int i = 0; i < batch.size(); i++) {
                    ConsumerRecord<byte[], byte[]> r = batch.get(i);
                    if (stopping || gen != generation || handle(r) == Result.ABANDONED) {
                        rewind(batch.subList(i, batch.size()));
                        break;
                    }
                }
                commitUncommitted();
            }
        } catch (WakeupException e) {
            if (!stopping) {
                fail(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            try {
                if (!uncommitted.isEmpty()) {
                    consumer.commitSync(Map.copyOf(uncommitted));
                }
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("receiver", receiver.name()).addKeyValue("exception", e.getClass().getName())
                        .log("could not commit the last offsets on the way out; those records are read again at the next start");
            }
            try {
                consumer.close();
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("receiver", receiver.name()).log("closing the consumer failed");
            }
            if (client instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.atWarn().addKeyValue("receiver", receiver.name()).log("closing the HTTP client failed");
                }
            }
        }
    }

    /** Asks the worker to stop; a delivery in progress finishes its attempt, an uncommitted one is sent again after a restart. */
    void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /** Why this receiver's worker is not doing its work, or empty. */
    Optional<String> notReadyReason() {
        if (failure != null) {
            return Optional.of("receiver " + receiver.name() + " stopped (" + failure + ")");
        }
        long sincePoll = (System.nanoTime() - lastPollNanos) / 1_000_000;
        long allowed = Math.max(30_000, 3 * config.pollTimeout().toMillis()) + receiver.requestTimeout().toMillis() + DLQ_ACK_TIMEOUT_MS;
        return sincePoll > allowed ? Optional.of("receiver " + receiver.name() + " has not polled for " + sincePoll + " ms")
                : Optional.empty();
    }

    String name() {
        return receiver.name();
    }

    private Result handle(ConsumerRecord<byte[], byte[]> r) throws InterruptedException {
        AlertSource source = sources.get(r.topic());
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        Notification n;
        try {
            n = reader.read(source, r.value());
        } catch (NotificationReader.Unreadable e) {
            return deadLetter(r, null, OptionalInt.empty(), "unreadable",
                    "not a record the notifier can read (" + e.getMessage() + ")", 0);
        }
        Severity threshold = source == AlertSource.ALERTS ? receiver.minSeverity() : receiver.phiAccessMinSeverity();
        if (n.severity().isPresent() && !n.severity().get().atLeast(threshold)) {
            metrics.passedOver(receiver.name());
            uncommitted.put(tp, new OffsetAndMetadata(r.offset() + 1));
            return Result.DONE;
        }
        Payload payload = formatter.format(n);
        long start = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            if (stopping || !consumer.assignment().contains(tp)) {
                return Result.ABANDONED;
            }
            DeliveryOutcome outcome = client.send(payload);
            if (outcome instanceof DeliveryOutcome.Delivered d) {
                metrics.delivered(receiver.name(), Duration.ofNanos(System.nanoTime() - start));
                LOG.atInfo().addKeyValue("receiver", receiver.name()).addKeyValue("alert_id", n.id())
                        .addKeyValue("http_status", d.code()).addKeyValue("attempts", attempt)
                        .addKeyValue("origin", origin(r)).log("alert delivered");
                return commit(r);
            }
            if (outcome instanceof DeliveryOutcome.Permanent p) {
                return deadLetter(r, n.id(), p.status(), p.cause(), "refused for good: " + p.detail()
                        + " (attempt " + attempt + ", not retried)", attempt);
            }
            DeliveryOutcome.Retryable retry = (DeliveryOutcome.Retryable) outcome;
            if (!backoff.another(attempt)) {
                return deadLetter(r, n.id(), retry.status(), retry.cause(), "no delivery after " + attempt
                        + " attempts; the last: " + retry.detail(), attempt);
            }
            Duration wait = backoff.delay(attempt, retry.retryAfter());
            metrics.retried(receiver.name(), retry.cause());
            LOG.atWarn().addKeyValue("receiver", receiver.name()).addKeyValue("alert_id", n.id())
                    .addKeyValue("cause", retry.cause()).addKeyValue("attempt", attempt)
                    .addKeyValue("retry_in_ms", wait.toMillis()).log("delivery failed, will retry: " + retry.detail());
            if (!waitFor(wait, tp)) {
                return Result.ABANDONED;
            }
        }
    }

    private Result deadLetter(ConsumerRecord<byte[], byte[]> r, String alertId, OptionalInt status, String cause,
                              String detail, int attempts) throws InterruptedException {
        RecordHeaders h = new RecordHeaders();
        for (Header header : r.headers()) {
            h.add(header);
        }
        AuditHeaders.put(h, AuditHeaders.DLQ_REASON, DeadLetterReason.ALERT_UNDELIVERABLE.code());
        AuditHeaders.put(h, AuditHeaders.DLQ_DETAIL, "receiver " + receiver.name() + " (" + receiver.type().code() + "): "
                + (alertId == null ? "" : "alert " + alertId + ": ") + detail);
        AuditHeaders.put(h, AuditHeaders.DLQ_SOURCE, DeadLetterSource.NOTIFIER.code());
        AuditHeaders.put(h, AuditHeaders.DLQ_ORIGIN, origin(r));
        AuditHeaders.put(h, AuditHeaders.DLQ_RECEIVER, receiver.name());
        status.ifPresent(s -> AuditHeaders.put(h, AuditHeaders.DLQ_HTTP_STATUS, Integer.toString(s)));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(config.deadLetterTopic(), null,
                r.timestamp() >= 0 ? r.timestamp() : null, r.key(), r.value(), h);
        while (true) {
            try {
                deadLetters.send(record).get(DLQ_ACK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                break;
            } catch (ExecutionException | TimeoutException | KafkaException e) {
                metrics.deadLetterWriteFailed(receiver.name());
                LOG.atWarn().addKeyValue("receiver", receiver.name()).addKeyValue("exception", e.getClass().getName())
                        .log("writing a dead letter failed; trying again, the record stays uncommitted");
                if (!waitFor(receiver.retry().initialBackoff(), new TopicPartition(r.topic(), r.partition()))) {
                    return Result.ABANDONED;
                }
            }
        }
        metrics.deadLettered(receiver.name(), cause);
        LOG.atWarn().addKeyValue("receiver", receiver.name()).addKeyValue("alert_id", alertId == null ? "" : alertId)
                .addKeyValue("cause", cause).addKeyValue("http_status", status.isPresent() ? status.getAsInt() : 0)
                .addKeyValue("attempts", attempts).addKeyValue("origin", origin(r))
                .addKeyValue("dlq_topic", config.deadLetterTopic()).log("alert to the dead-letter topic: " + detail);
        return commit(r);
    }

    private Result commit(ConsumerRecord<byte[], byte[]> r) throws InterruptedException {
        uncommitted.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        return commitUncommitted() ? Result.DONE : Result.ABANDONED;
    }

    /** Commits what is done on the partitions still assigned; false when the group took them away first. */
    private boolean commitUncommitted() throws InterruptedException {
        while (true) {
            uncommitted.keySet().retainAll(consumer.assignment());
            if (uncommitted.isEmpty()) {
                return true;
            }
            try {
                consumer.commitSync(Map.copyOf(uncommitted));
                uncommitted.clear();
                return true;
            } catch (RebalanceInProgressException e) {
                // the next poll completes the rebalance; a revoked partition's offset is committed by the listener
                if (!waitFor(Duration.ofMillis(10), null)) {
                    return false;
                }
            } catch (CommitFailedException e) {
                LOG.atWarn().addKeyValue("receiver", receiver.name())
                        .log("the group moved on before the commit; the partition's new owner sends the record in hand again");
                uncommitted.clear();
                return false;
            } catch (RetriableException e) {
                LOG.atWarn().addKeyValue("receiver", receiver.name()).addKeyValue("exception", e.getClass().getName())
                        .log("commit failed, trying again");
                if (!waitFor(config.pollTimeout(), null)) {
                    return false;
                }
            }
        }
    }

    /**
     * Waits, polling with every partition paused so the group keeps this member; false when stopping, or when
     * {@code tp} (if given) is no longer assigned, so the record in hand is left to its partition's new owner.
     */
    private boolean waitFor(Duration d, TopicPartition tp) throws InterruptedException {
        long deadline = System.nanoTime() + d.toNanos();
        waiting = true;
        consumer.pause(consumer.assignment());
        try {
            do {
                long remaining = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
                ConsumerRecords<byte[], byte[]> records = poll(Duration.ofMillis(Math.min(remaining, config.pollTimeout().toMillis())));
                for (TopicPartition p : records.partitions()) {
                    consumer.seek(p, records.records(p).get(0).offset());
                }
                if (stopping || Thread.currentThread().isInterrupted()) {
                    return false;
                }
                if (tp != null && !consumer.assignment().contains(tp)) {
                    return false;
                }
            } while (System.nanoTime() < deadline);
            return true;
        } catch (WakeupException e) {
            return false;
        } finally {
            waiting = false;
            consumer.resume(consumer.paused());
        }
    }

    private ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
        lastPollNanos = System.nanoTime();
        return records;
    }

    /** Puts each still-assigned partition of {@code rest} back at its first record not done. */
    private void rewind(List<ConsumerRecord<byte[], byte[]>> rest) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : rest) {
            first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
        }
        Set<TopicPartition> assigned = consumer.assignment();
        first.forEach((tp, offset) -> {
            if (assigned.contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
    }

    private static String origin(ConsumerRecord<?, ?> r) {
        return r.topic() + "/" + r.partition() + "/" + r.offset();
    }

    private void fail(Exception e) {
        failure = e.getClass().getName();
        LOG.atError().addKeyValue("receiver", receiver.name()).addKeyValue("exception", e.getClass().getName())
                .log("the receiver's worker stopped: " + e.getMessage());
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            generation++;
            Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = uncommitted.remove(tp);
                if (o != null) {
                    done.put(tp, o);
                }
            }
            if (!done.isEmpty()) {
                try {
                    consumer.commitSync(done);
                } catch (RuntimeException e) {
                    LOG.atWarn().addKeyValue("receiver", receiver.name()).addKeyValue("exception", e.getClass().getName())
                            .log("could not commit before giving partitions up; their new owner may send one record again");
                }
            }
            LOG.atInfo().addKeyValue("receiver", receiver.name()).addKeyValue("partitions", partitions.toString())
                    .log("partitions revoked");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            generation++;
            uncommitted.keySet().removeAll(partitions);
            LOG.atWarn().addKeyValue("receiver", receiver.name()).addKeyValue("partitions", partitions.toString())
                    .log("partitions lost");
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (waiting) {
                consumer.pause(partitions);
            }
            LOG.atInfo().addKeyValue("receiver", receiver.name()).addKeyValue("partitions", partitions.toString())
                    .log("partitions assigned");
        }
    }
}
