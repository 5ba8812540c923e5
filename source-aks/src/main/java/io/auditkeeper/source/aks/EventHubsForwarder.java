package io.auditkeeper.source.aks;

import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.DeadLetterReason;
import io.auditkeeper.model.DeadLetterSource;
import io.auditkeeper.source.aks.config.AksSourceConfig;
import io.auditkeeper.source.aks.config.AksSourceConfig.Delivery;
import io.auditkeeper.source.aks.envelope.ResourceLogMessage;
import io.auditkeeper.source.aks.envelope.ResourceLogParser;
import io.auditkeeper.source.aks.kafka.OutputLimits;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The source's one worker: polls the event hub, writes each audit Event of each message to the raw topic (and what it
 * cannot use to the dead-letter topic), and only then moves the hub offsets on. With {@code at-least-once} the offsets
 * are committed to the hub's group after every write of the batch is acknowledged, so a crash before that commit
 * writes the batch again, byte for byte and with the same headers (every header value derives from the hub record),
 * for the stream-processor's dedupe to drop. With {@code exactly-once} (hub and output on one cluster) the offsets go
 * in the producer's transaction. Either way a failed write rewinds to the last committed offsets and reads again, so
 * nothing is skipped.
 */
final class EventHubsForwarder implements Runnable {
    /** {@link AuditHeaders#SOURCE} of this source. */
    static final String SOURCE = "aks-event-hubs";

    private static final Logger LOG = LoggerFactory.getLogger(EventHubsForwarder.class);

    private final AksSourceConfig config;
    private final Consumer<byte[], byte[]> consumer;
    private final Supplier<Producer<byte[], byte[]>> producers;
    private final ResourceLogParser parser;
    private final SourceMetrics metrics;
    private final OutputLimits limits;
    private final boolean transactional;
    private final String client;
    private Producer<byte[], byte[]> producer;
    private volatile boolean stopping;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile String failure;

    EventHubsForwarder(AksSourceConfig config, Consumer<byte[], byte[]> consumer,
                       Supplier<Producer<byte[], byte[]>> producers, OutputLimits limits, SourceMetrics metrics) {
        this.config = config;
        this.consumer = consumer;
        this.producers = producers;
        this.parser = new ResourceLogParser(config.categories(), config.clusters());
        this.metrics = metrics;
        this.limits = limits;
        this.transactional = config.delivery() == Delivery.EXACTLY_ONCE;
        this.client = config.client();
    }

    @Override
    public void run() {
        try {
            producer = newProducer();
            consumer.subscribe(List.of(config.eventHub()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    LOG.atInfo().addKeyValue("partitions", partitions.toString()).log("hub partitions revoked");
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    LOG.atInfo().addKeyValue("partitions", partitions.toString()).log("hub partitions assigned");
                }
            });
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(config.pollTimeout());
                lastPollNanos = System.nanoTime();
                if (records.isEmpty()) {
                    continue;
                }
                if (forward(records)) {
                    failure = null;
                } else {
                    rewind();
                    Thread.sleep(config.retryBackoff().toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e.getClass().getName();
            LOG.atError().addKeyValue("exception", e.getClass().getName()).log("the source stopped: " + e.getMessage());
        } finally {
            closeQuietly(consumer);
            closeQuietly(producer);
        }
    }

    /** Asks the worker to stop after the batch in hand; {@link #run()} returns within a poll's wait after it. */
    void stop() {
        stopping = true;
    }

    /** Why the source is not doing its work, or empty. */
    Optional<String> notReadyReason() {
        if (failure != null) {
            return Optional.of("writing to Kafka failed (" + failure + "); reading again from the last committed offsets");
        }
        long sincePoll = (System.nanoTime() - lastPollNanos) / 1_000_000;
        long allowed = Math.max(30_000, 3 * config.pollTimeout().toMillis());
        return sincePoll > allowed ? Optional.of("no poll of the event hub for " + sincePoll + " ms") : Optional.empty();
    }

    /** Writes the batch and moves the offsets on; false when a write failed and the batch must be read again. */
    private boolean forward(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try {
            if (transactional) {
                producer.beginTransaction();
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                send(r, acks);
                next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            }
            metrics.messages(records.count());
            if (transactional) {
                producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
                producer.commitTransaction();
            } else {
                producer.flush();
                for (Future<RecordMetadata> ack : acks) {
                    ack.get();
                }
                consumer.commitSync(next);
            }
            metrics.committed();
            return true;
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            failed(e);
            closeQuietly(producer);
            producer = newProducer();
            return false;
        } catch (ExecutionException e) {
            failed(e.getCause());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        } catch (KafkaException e) {
            failed(e);
            if (transactional) {
                try {
                    producer.abortTransaction();
                } catch (KafkaException abortFailed) {
                    closeQuietly(producer);
                    producer = newProducer();
                }
            }
            return false;
        }
    }

    private void send(ConsumerRecord<byte[], byte[]> r, List<Future<RecordMetadata>> acks) {
        ResourceLogMessage message = parser.parse(r.value());
        String receivedAt = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(r.timestamp()).truncatedTo(ChronoUnit.MILLIS));
        String origin = r.topic() + "/" + r.partition() + "/" + r.offset();
        int written = 0;
        for (ResourceLogMessage.AuditRecord e : message.events()) {
            RecordHeaders h = headers(receivedAt);
            AuditHeaders.put(h, AuditHeaders.CLUSTER, e.cluster());
            byte[] key = e.auditID().getBytes(StandardCharsets.UTF_8);
            long size = OutputLimits.size(key, e.event(), h);
            if (size > limits.rawBytes()) {
                tooLarge(r, acks, origin, h, key, e.event(), size, "record " + e.index() + ": the Event " + e.auditID()
                        + " (" + size + " bytes) is larger than " + config.rawTopic() + " takes (" + limits.rawBytes() + " bytes)");
                continue;
            }
            acks.add(producer.send(new ProducerRecord<>(config.rawTopic(), null, r.timestamp(), key, e.event(), h)));
            written++;
        }
        metrics.events(written);
        for (ResourceLogMessage.Rejected rejected : message.rejected()) {
            RecordHeaders h = headers(receivedAt);
            String detail = rejected.detail() + " (event hub message " + origin + ")";
            deadLetterHeaders(h, rejected.reason(), detail, origin);
            long size = OutputLimits.size(null, rejected.content(), h);
            if (size > limits.deadLetterBytes()) {
                tooLarge(r, acks, origin, headers(receivedAt), null, rejected.content(), size, detail + "; "
                        + rejected.reason().code() + ", and larger (" + size + " bytes) than " + config.deadLetterTopic() + " takes");
                continue;
            }
            acks.add(producer.send(new ProducerRecord<>(config.deadLetterTopic(), null, r.timestamp(), null,
                    rejected.content(), h)));
            deadLettered(rejected.reason(), origin, rejected.index());
        }
        message.skippedCategories().forEach(metrics::skipped);
    }

    /** A record no broker retry would take: its size and SHA-256 to the dead-letter topic, never its content. */
    private void tooLarge(ConsumerRecord<byte[], byte[]> r, List<Future<RecordMetadata>> acks, String origin,
                          RecordHeaders h, byte[] key, byte[] value, long size, String detail) {
        deadLetterHeaders(h, DeadLetterReason.RECORD_TOO_LARGE, detail, origin);
        AuditHeaders.put(h, AuditHeaders.DLQ_SIZE, Long.toString(size));
        AuditHeaders.put(h, AuditHeaders.DLQ_SHA256, sha256(value));
        acks.add(producer.send(new ProducerRecord<>(config.deadLetterTopic(), null, r.timestamp(), key, null, h)));
        deadLettered(DeadLetterReason.RECORD_TOO_LARGE, origin, -1);
    }

    private static void deadLetterHeaders(RecordHeaders h, DeadLetterReason reason, String detail, String origin) {
        AuditHeaders.put(h, AuditHeaders.DLQ_REASON, reason.code());
        AuditHeaders.put(h, AuditHeaders.DLQ_DETAIL, detail);
        AuditHeaders.put(h, AuditHeaders.DLQ_SOURCE, DeadLetterSource.SOURCE_AKS.code());
        AuditHeaders.put(h, AuditHeaders.DLQ_ORIGIN, origin);
    }

    private void deadLettered(DeadLetterReason reason, String origin, int index) {
        metrics.deadLetter(reason.code());
        LOG.atWarn().addKeyValue("reason", reason.code()).addKeyValue("origin", origin)
                .addKeyValue("record", index).log("record to the dead-letter topic");
    }

    private static String sha256(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private RecordHeaders headers(String receivedAt) {
        RecordHeaders h = new RecordHeaders();
        AuditHeaders.put(h, AuditHeaders.RECEIVED_AT, receivedAt);
        AuditHeaders.put(h, AuditHeaders.CLIENT, client);
        AuditHeaders.put(h, AuditHeaders.SOURCE, SOURCE);
        AuditHeaders.put(h, AuditHeaders.FORMAT, AuditHeaders.FORMAT_K8S_EVENT);
        return h;
    }

    /** Seeks every assigned partition back to its last committed offset (or the start), to read the batch again. */
    private void rewind() {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata o = committed.get(tp);
            if (o == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, o);
            }
        }
        metrics.rewound();
    }

    private void failed(Throwable e) {
        failure = e.getClass().getName();
        LOG.atWarn().addKeyValue("exception", e.getClass().getName())
                .log("writing a batch failed, reading it again from the last committed offsets: " + e.getMessage());
    }

    private Producer<byte[], byte[]> newProducer() {
        Producer<byte[], byte[]> p = producers.get();
        if (transactional) {
            p.initTransactions();
        }
        return p;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("exception", e.getClass().getName()).log("closing a Kafka client failed");
        }
    }
}
