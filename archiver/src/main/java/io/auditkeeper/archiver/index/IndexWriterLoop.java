package io.auditkeeper.archiver.index;

import io.auditkeeper.archiver.metrics.ConsumerLag;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.DeadLetterReason;
import io.auditkeeper.model.DeadLetterSource;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Indexes a topic of normalized events into OpenSearch, independently of the archive (its own consumer group, so an
 * outage of one store never stops the other). Offsets are committed only after OpenSearch has taken every document of
 * the poll, or the refused ones are safe in the dead-letter topic with OpenSearch's reason; a poll that cannot be
 * indexed is read again after a pause. Document ids are deterministic, so reading again never duplicates. The index
 * templates are put before the first documents are indexed, as part of indexing them, so that the consumer already
 * reads (and its lag is known) while OpenSearch is still unreachable.
 */
public final class IndexWriterLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndexWriterLoop.class);

    private final Consumer<byte[], byte[]> consumer;
    private final OpenSearchIndexer indexer;
    private final Producer<byte[], byte[]> deadLetters;
    private final Map<String, DocumentKind> topics;
    private final String deadLetterTopic;
    private final Duration pause;
    private final IndexListener listener;
    private volatile boolean templatesInPlace;
    private volatile long indexed;
    private final Map<String, Long> indexedByTopic = new java.util.concurrent.ConcurrentHashMap<>();

    /** Indexes the normalized events of {@code topic}. */
    public IndexWriterLoop(Consumer<byte[], byte[]> consumer, OpenSearchIndexer indexer, Producer<byte[], byte[]> deadLetters,
                           String topic, String deadLetterTopic, Duration pauseAfterFailure) {
        this(consumer, indexer, deadLetters, Map.of(topic, indexer.events()), deadLetterTopic, pauseAfterFailure,
                IndexListener.NONE);
    }

    /** Indexes each topic as its kind of document (events, alerts, archive entries). */
    public IndexWriterLoop(Consumer<byte[], byte[]> consumer, OpenSearchIndexer indexer, Producer<byte[], byte[]> deadLetters,
                           Map<String, DocumentKind> topics, String deadLetterTopic, Duration pauseAfterFailure,
                           IndexListener listener) {
        this.listener = listener;
        this.consumer = consumer;
        this.indexer = indexer;
        this.deadLetters = deadLetters;
        this.topics = Map.copyOf(topics);
        this.deadLetterTopic = deadLetterTopic;
        this.pause = pauseAfterFailure;
    }

    /** Makes sure the index template of every kind is in place. */
    public void ensureTemplates() throws IOException {
        for (DocumentKind kind : new java.util.LinkedHashSet<>(topics.values())) {
            indexer.ensureTemplate(kind);
        }
    }

    public void subscribe() {
        consumer.subscribe(List.copyOf(topics.keySet()));
    }

    /** Documents indexed since start, of every topic. */
    public long indexed() {
        return indexed;
    }

    /** Documents of one topic indexed since start. */
    public long indexed(String topic) {
        return indexedByTopic.getOrDefault(topic, 0L);
    }

    /** Whether the index templates have been put (OpenSearch answered at least once). */
    public boolean templatesInPlace() {
        return templatesInPlace;
    }

    /** One poll: index what arrived (or read it again after a pause), then report the lag. */
    public void runOnce() throws InterruptedException {
        try {
            pollAndIndex();
        } finally {
            listener.lag(ConsumerLag.of(consumer, tp -> OptionalLong.empty()));
        }
    }

    private void pollAndIndex() throws InterruptedException {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        if (records.isEmpty()) {
            return;
        }
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byTopic = new HashMap<>();
        records.forEach(r -> byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(r));
        int docs = records.count();
        Map<String, OpenSearchIndexer.BulkResult> results = new HashMap<>();
        try {
            if (!templatesInPlace) {
                ensureTemplates();
                templatesInPlace = true;
            }
            for (Map.Entry<String, List<ConsumerRecord<byte[], byte[]>>> e : byTopic.entrySet()) {
                List<ConsumerRecord<byte[], byte[]>> list = e.getValue();
                List<OpenSearchIndexer.Doc> batch = new ArrayList<>(list.size());
                DocumentKind kind = topics.get(e.getKey());
                boolean events = kind == indexer.events();
                for (ConsumerRecord<byte[], byte[]> r : list) {
                    byte[] value = r.value() == null ? new byte[0] : r.value();
                    batch.add(events ? new OpenSearchIndexer.Doc(value, r.topic(), r.partition(), r.offset())
                            : new OpenSearchIndexer.Doc(value));
                }
                OpenSearchIndexer.BulkResult result = indexer.index(batch, kind);
                deadLetter(list, result.rejected());
                results.put(e.getKey(), result);
            }
            if (!commit(records)) {
                return;
            }
            // counted once committed: a poll read again after a failure is not counted twice
            results.forEach((topic, result) -> {
                indexed += result.indexed();
                indexedByTopic.merge(topic, (long) result.indexed(), Long::sum);
                listener.indexed(topic, result.indexed());
                listener.rejected(topic, result.rejected().size());
            });
        } catch (IOException | ExecutionException e) {
            listener.bulkFailed();
            LOG.atWarn().addKeyValue("exception", e.getClass().getName()).addKeyValue("documents", docs)
                    .log("OpenSearch did not take the batch; it will be read again");
            rewind(records);
            Thread.sleep(pause.toMillis());
        }
    }

    /**
     * Commits what a poll indexed; false when the group no longer lets this member commit (it was frozen or cut off
     * past its session, or is rejoining). Nothing is lost then: the documents are in OpenSearch under ids derived from
     * the events, and whoever holds the partitions now reads them again from the last commit and overwrites them with
     * the same content. The consumer rejoins on its next poll.
     */
    private boolean commit(ConsumerRecords<byte[], byte[]> records) {
        try {
            consumer.commitSync(nextOffsets(records));
            return true;
        } catch (CommitFailedException | RebalanceInProgressException | FencedInstanceIdException e) {
            listener.commitFenced();
            LOG.atWarn().addKeyValue("exception", e.getClass().getName()).addKeyValue("documents", records.count())
                    .log("index commit fenced: the consumer group moved these partitions (this archiver was frozen or"
                            + " cut off past its session, or is rejoining); whoever holds them indexes the documents again,"
                            + " under the same ids");
            return false;
        }
    }

    private void deadLetter(List<ConsumerRecord<byte[], byte[]>> records, List<OpenSearchIndexer.Rejected> rejected)
            throws ExecutionException, InterruptedException {
        List<Future<?>> sent = new ArrayList<>();
        for (OpenSearchIndexer.Rejected x : rejected) {
            ConsumerRecord<byte[], byte[]> r = records.get(x.position());
            RecordHeaders h = new RecordHeaders(r.headers().toArray());
            AuditHeaders.put(h, AuditHeaders.DLQ_REASON, DeadLetterReason.INDEX_REJECTED.code());
            AuditHeaders.put(h, AuditHeaders.DLQ_DETAIL, x.errorType() + ": " + x.reason());
            AuditHeaders.put(h, AuditHeaders.DLQ_SOURCE, DeadLetterSource.ARCHIVER.code());
            sent.add(deadLetters.send(new ProducerRecord<>(deadLetterTopic, null, r.key(), r.value(), h)));
        }
        for (Future<?> f : sent) {
            f.get();
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
            out.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        return out;
    }

    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
        }
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
