package io.auditkeeper.archiver.archive;

import io.auditkeeper.archiver.manifest.ManifestEntry;
import io.auditkeeper.archiver.metrics.ConsumerLag;
import io.auditkeeper.archiver.manifest.ManifestSigner;
import io.auditkeeper.archiver.s3.ArchiveKeys;
import io.auditkeeper.archiver.s3.ArchivedObject;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Archives one topic exactly once: records are gathered per partition into batches (closed by size, count or age),
 * each batch becomes one Object Lock object and one signed manifest entry chained to the partition's previous one, and
 * only then is the offset committed. Before a batch is written its intent (offsets and key) is committed as offset
 * metadata at the batch's first offset, so a writer that crashes between the PUT and the commit is followed by one
 * that finds the object, records it in the manifest if that step was lost, and resumes after it: no offset is archived
 * twice, and none is skipped.
 */
public final class ArchiveWriterLoop implements AutoCloseable {
    /** Batching and location settings. */
    public record Settings(String topic, String prefix, long maxBatchBytes, int maxBatchEvents, Duration maxBatchAge,
                           Duration pollTimeout) {
    }

    /** A test seam: called after an object is written and before its manifest entry and offset commit. */
    interface AfterObjectWritten {
        void accept(ArchiveBatch batch);
    }

    static final String INTENT = "archive-intent:";

    private final Consumer<byte[], byte[]> consumer;
    private final ObjectLockArchiveWriter writer;
    private final S3ManifestStore manifests;
    private final ManifestSigner signer;
    private final Settings settings;
    private final Map<TopicPartition, ArchiveBatch> batches = new HashMap<>();
    private final Map<TopicPartition, ManifestEntry> heads = new HashMap<>();
    private final Map<TopicPartition, Long> starts = new HashMap<>();
    private final ArchiveListener listener;
    private AfterObjectWritten afterObjectWritten = b -> { };
    private long archivedRecords;

    public ArchiveWriterLoop(Consumer<byte[], byte[]> consumer, ObjectLockArchiveWriter writer, S3ManifestStore manifests,
                             ManifestSigner signer, Settings settings) {
        this(consumer, writer, manifests, signer, settings, ArchiveListener.NONE);
    }

    public ArchiveWriterLoop(Consumer<byte[], byte[]> consumer, ObjectLockArchiveWriter writer, S3ManifestStore manifests,
                             ManifestSigner signer, Settings settings, ArchiveListener listener) {
        this.consumer = consumer;
        this.writer = writer;
        this.manifests = manifests;
        this.signer = signer;
        this.settings = settings;
        this.listener = listener;
    }

    void afterObjectWritten(AfterObjectWritten hook) {
        this.afterObjectWritten = hook;
    }

    public void subscribe() {
        consumer.subscribe(List.of(settings.topic()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                partitions.forEach(tp -> {
                    batches.remove(tp);
                    heads.remove(tp);
                    starts.remove(tp);
                });
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                resume(Set.copyOf(partitions));
            }
        });
    }

    /** One poll: add what arrived, write the batches that are full or old enough, report the lag. */
    public void runOnce() {
        try {
            pollAndFlush();
        } finally {
            listener.lag(ConsumerLag.of(consumer, this::unfinished));
        }
    }

    private OptionalLong unfinished(TopicPartition tp) {
        ArchiveBatch b = batches.get(tp);
        return b == null || b.isEmpty() ? OptionalLong.empty() : OptionalLong.of(b.firstOffset());
    }

    private void pollAndFlush() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(settings.pollTimeout())) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            ArchiveBatch b = batches.computeIfAbsent(tp, k -> new ArchiveBatch(k.topic(), k.partition(), starts.getOrDefault(k, -1L)));
            b.add(r.offset(), r.timestamp(), r.value() == null ? new byte[0] : r.value());
            if (b.count() >= settings.maxBatchEvents() || b.bytes() >= settings.maxBatchBytes()) {
                flush(tp);
            }
        }
        for (TopicPartition tp : List.copyOf(batches.keySet())) {
            ArchiveBatch b = batches.get(tp);
            if (b != null && !b.isEmpty() && b.ageNanos() >= settings.maxBatchAge().toNanos()) {
                flush(tp);
            }
        }
    }

    public long archivedRecords() {
        return archivedRecords;
    }

    private void flush(TopicPartition tp) {
        ArchiveBatch b = batches.remove(tp);
        if (b == null || b.isEmpty()) {
            return;
        }
        String key = ArchiveKeys.events(settings.prefix(), b.topic(), b.partition(), b.firstOffset(), b.lastOffset(), b.firstTime());
        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(b.firstOffset(), INTENT + key)));
        ArchivedObject o;
        try {
            o = writer.put(key, b.encode(), "application/gzip", metadata(b), b.lastTime());
        } catch (SdkException e) {
            listener.s3WriteFailed();
            throw e;
        }
        listener.objectWritten(b.count(), o.bytes());
        afterObjectWritten.accept(b);
        record(tp, b.firstOffset(), b.lastOffset(), b.count(), b.firstTime(), b.lastTime(), o);
        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(b.lastOffset() + 1, "")));
        starts.put(tp, b.lastOffset() + 1);
        archivedRecords += b.count();
    }

    private void record(TopicPartition tp, long first, long last, int count, Instant firstTime, Instant lastTime, ArchivedObject o) {
        ManifestEntry previous = heads.get(tp);
        ManifestEntry entry = signer.sign(ManifestEntry.unsigned(tp.topic(), tp.partition(), first, last, count,
                firstTime, lastTime, o.key(), o.versionId(), o.sha256(),
                previous == null ? ManifestEntry.GENESIS : previous.hash(), "COMPLIANCE", o.retainUntil()));
        try {
            manifests.put(entry, lastTime);
        } catch (SdkException e) {
            listener.s3WriteFailed();
            throw e;
        }
        listener.manifestEntryWritten();
        heads.put(tp, entry);
    }

    /** Where each newly assigned partition resumes: after its last manifest entry, completing a write a crash cut short. */
    private void resume(Set<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions);
        for (TopicPartition tp : partitions) {
            Optional<ManifestEntry> head = manifests.last(tp.topic(), tp.partition());
            head.ifPresent(h -> heads.put(tp, h));
            OffsetAndMetadata c = committed.get(tp);
            long next = c == null ? 0 : c.offset();
            if (c != null && c.metadata() != null && c.metadata().startsWith(INTENT)) {
                next = completeInterruptedWrite(tp, c.metadata().substring(INTENT.length()), next);
            }
            if (head.isPresent() && head.get().lastOffset() + 1 > next) {
                next = head.get().lastOffset() + 1;
            }
            consumer.seek(tp, next);
            // A partition never archived starts at its first record (older offsets may have been deleted).
            starts.put(tp, c == null && head.isEmpty() ? -1L : next);
        }
    }

    /** The object of an interrupted write: if it exists, record it (unless the manifest has it) and skip past it. */
    private long completeInterruptedWrite(TopicPartition tp, String key, long firstOffset) {
        Optional<HeadObjectResponse> object = writer.head(key);
        if (object.isEmpty()) {
            return firstOffset;
        }
        Map<String, String> m = object.get().metadata();
        long first = Long.parseLong(m.get("auditkeeper-first-offset"));
        long last = Long.parseLong(m.get("auditkeeper-last-offset"));
        ManifestEntry head = heads.get(tp);
        if (head == null || head.lastOffset() < last) {
            ArchivedObject o = new ArchivedObject(key, object.get().versionId(), m.get(ObjectLockArchiveWriter.META_SHA256),
                    object.get().contentLength(), object.get().objectLockRetainUntilDate());
            record(tp, first, last, Integer.parseInt(m.get("auditkeeper-count")), Instant.parse(m.get("auditkeeper-first-time")),
                    Instant.parse(m.get("auditkeeper-last-time")), o);
        }
        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(last + 1, "")));
        return last + 1;
    }

    private static Map<String, String> metadata(ArchiveBatch b) {
        return Map.of("auditkeeper-topic", b.topic(), "auditkeeper-partition", Integer.toString(b.partition()),
                "auditkeeper-first-offset", Long.toString(b.firstOffset()), "auditkeeper-last-offset", Long.toString(b.lastOffset()),
                "auditkeeper-count", Integer.toString(b.count()), "auditkeeper-first-time", b.firstTime().toString(),
                "auditkeeper-last-time", b.lastTime().toString());
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
