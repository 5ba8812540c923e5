package io.auditkeeper.archiver.archive;

import io.auditkeeper.archiver.metrics.ConsumerLag;
import io.auditkeeper.archiver.s3.ArchivedObject;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.evidence.proof.ArchivedEvents;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Archives one topic exactly once: records are gathered per partition into batches (closed by size, count or age),
 * each batch becomes one Object Lock object and one signed manifest entry chained to the partition's previous one.
 * Before a batch is written its intent (offsets and key) is committed as offset metadata at the batch's first offset,
 * so a writer that crashes between the PUT and the entry is followed by one that finds the object, records it, and
 * resumes after it: no offset is archived twice, and none is skipped.
 *
 * <p><b>Fencing.</b> Several archivers share a partition's chain through their consumer group, and only the partition's
 * current owner may extend it. Kafka decides, S3 follows: a signed entry is first committed, whole, as the offset
 * metadata after its batch ({@value #ENTRY}), and only then written to S3. The commit carries the member's group
 * generation, so an archiver that lost the partition (frozen past its session, cut off, kicked for a slow poll) has its
 * commit refused ({@code CommitFailedException}) and never writes the entry: its object, if it got that far, stays in
 * the bucket unreferenced, an explained leftover for {@code verify}. The chain in S3 therefore holds only entries Kafka
 * accepted, in order; a new owner takes the chain's head from the committed entry (writing it to S3 if its predecessor
 * died before doing so) and never from a zombie. See docs/archiver.md, "Several archivers".
 *
 * <p>When S3 (or the offset commit) fails, the partition's batch is dropped, the partition is paused, and after a
 * backoff (doubling from {@link #FIRST_BACKOFF} up to {@link #MAX_BACKOFF}) it is resumed the same way as after a
 * crash: from the committed offset and its recorded intent. The loop keeps polling meanwhile, so the consumer stays
 * in its group, and the other partitions, and the indexer in its own group, go on.
 *
 * <p><b>Turns.</b> Kafka takes the partitions away from a consumer that does not poll again within
 * {@code max.poll.interval.ms}. Each store step (a batch written, a partition resumed) has a bound, every S3 and Kafka
 * call in it having a timeout; with {@link #limitTurnTo} the loop starts no further step once the turn's budget since
 * the last poll is spent (the first step of a turn always runs), so a turn with many partitions due on a slow or
 * stalled S3 still ends in time. What did not fit waits for the next turn: a partition to resume stays paused, a full
 * or old batch stays open, and the records polled after a full batch are read again.
 */
public final class ArchiveWriterLoop implements AutoCloseable {
    /**
     * Batching and location settings: the objects go under {@code directory} (see {@link ArchiveLayout}), and each record
     * becomes the line {@code line} makes of it.
     */
    public record Settings(String topic, String prefix, long maxBatchBytes, int maxBatchEvents, Duration maxBatchAge,
                           Duration pollTimeout, String directory, RecordLine line) {
        /** The events: each record's value as it is, under {@value ArchiveLayout#EVENTS}. */
        public Settings(String topic, String prefix, long maxBatchBytes, int maxBatchEvents, Duration maxBatchAge,
                        Duration pollTimeout) {
            this(topic, prefix, maxBatchBytes, maxBatchEvents, maxBatchAge, pollTimeout, ArchiveLayout.EVENTS, RecordLine.VALUE);
        }
    }

    /** What one record's line of the archive object holds (without the line break). */
    public interface RecordLine {
        RecordLine VALUE = r -> r.value() == null ? new byte[0] : r.value();

        byte[] of(ConsumerRecord<byte[], byte[]> record);
    }

    /** A test seam: called after an object is written and before its manifest entry and offset commit. */
    interface AfterObjectWritten {
        void accept(ArchiveBatch batch);
    }

    static final String INTENT = "archive-intent:";
    static final String ENTRY = "archive-entry:";
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** The longest wait for Kafka to acknowledge a published manifest entry (part of a step's bound, ArchiverConfig). */
    public static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveWriterLoop.class);

    /** A partition waiting for its store: when to try again, and the wait after that if it fails. */
    private record Blocked(long retryAtNanos, Duration nextBackoff) {
    }

    private final Consumer<byte[], byte[]> consumer;
    private final ObjectLockArchiveWriter writer;
    private final S3ManifestStore manifests;
    private final ManifestSigner signer;
    private final Settings settings;
    private final Map<TopicPartition, ArchiveBatch> batches = new HashMap<>();
    private final Map<TopicPartition, ManifestEntry> heads = new HashMap<>();
    private final Map<TopicPartition, Long> starts = new HashMap<>();
    private final Map<TopicPartition, Blocked> blocked = new HashMap<>();
    private final ArchiveListener listener;
    private AfterObjectWritten afterObjectWritten = b -> { };
    private Duration turnBudget;
    private int compressionLevel = ArchiveBatch.DEFAULT_COMPRESSION_LEVEL;
    private long polledAtNanos = System.nanoTime();
    private int stepsSincePoll;
    private Producer<byte[], byte[]> entryProducer;
    private volatile long entriesPublished;
    private String entryTopic;
    private long offsetsLost;
    private long archivedRecords;
    private long storeFailures;
    private long fencedWrites;

    public ArchiveWriterLoop(Consumer<byte[], byte[]> consumer, ObjectLockArchiveWriter writer, S3ManifestStore manifests,
                             ManifestSigner signer, Settings settings) {
        this(consumer, writer, manifests, signer, settings, ArchiveListener.NONE);
    }

    public ArchiveWriterLoop(Consumer<byte[], byte[]> consumer, ObjectLockArchiveWriter writer, S3ManifestStore manifests,
                             ManifestSigner signer, Settings settings, ArchiveListener listener) {
        this.listener = listener;
        this.consumer = consumer;
        this.writer = writer;
        this.manifests = manifests;
        this.signer = signer;
        this.settings = settings;
    }

    /**
     * Publishes every manifest entry, once it is in S3, to {@code topic} (keyed by topic-partition), for the indexer's
     * {@code audit-archive} index. Entries are published before the offset commit and the head again at every resume,
     * so none is missing after a crash; a repeat overwrites (its document id is derived from its offsets).
     */
    public void publishEntriesTo(Producer<byte[], byte[]> producer, String topic) {
        this.entryProducer = producer;
        this.entryTopic = topic;
    }

    /**
     * Starts no store step once {@code budget} has passed since the last poll began (see "Turns" above): the poll
     * interval less the longest step, so that a step started in time also ends before the group gives up on this
     * consumer.
     */
    public void limitTurnTo(Duration budget) {
        this.turnBudget = budget;
    }

    /**
     * gzips each object at deflate {@code level} (1-9, {@code archive.compression-level}). Safe to change at any time:
     * an object already under a batch's key with the same lines at another level is adopted, not refused
     * ({@link ObjectLockArchiveWriter#put}).
     */
    public void compressAt(int level) {
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("gzip level " + level + " is not between 1 and 9");
        }
        this.compressionLevel = level;
    }

    /** Whether a store step may start now; counts it if so. */
    private boolean mayStartStep() {
        if (turnBudget != null && stepsSincePoll > 0 && System.nanoTime() - polledAtNanos >= turnBudget.toNanos()) {
            return false;
        }
        stepsSincePoll++;
        return true;
    }

    /** A partition to resume (newly assigned, or past the log's start) that this turn has no time left for. */
    private void postpone(TopicPartition tp) {
        consumer.pause(Set.of(tp));
        placeUntilResumed(tp);
        blocked.put(tp, new Blocked(System.nanoTime(), FIRST_BACKOFF));
        LOG.atInfo().addKeyValue("partition", tp.toString())
                .log("archive partition resumes in the next poll turn: this one has no time left before max.poll.interval.ms");
    }

    /**
     * Gives a partition that waits, paused, for {@link #resume} some position until then (resume seeks it where it
     * belongs): a newly assigned one never archived has no committed offset, and with {@code auto.offset.reset=none}
     * the next poll would fail the whole writer with {@code NoOffsetForPartitionException}, paused or not.
     */
    private void placeUntilResumed(TopicPartition tp) {
        consumer.seekToBeginning(Set.of(tp));
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
                    blocked.remove(tp);
                });
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                for (TopicPartition tp : partitions) {
                    if (!mayStartStep()) {
                        postpone(tp);
                        continue;
                    }
                    try {
                        resume(Set.of(tp));
                    } catch (SdkException | RetriableException e) {
                        block(tp, e, FIRST_BACKOFF);
                        placeUntilResumed(tp);
                    } catch (CommitFailedException | RebalanceInProgressException | FencedInstanceIdException e) {
                        fenced(tp, e);
                        placeUntilResumed(tp);
                    }
                }
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

    /** The first offset not yet in S3, for the lag: the start of an open batch, or of a partition waiting for S3. */
    private OptionalLong unfinished(TopicPartition tp) {
        ArchiveBatch b = batches.get(tp);
        return b == null || b.isEmpty() ? OptionalLong.empty() : OptionalLong.of(b.firstOffset());
    }

    private void pollAndFlush() {
        retryBlocked();
        ConsumerRecords<byte[], byte[]> polled;
        polledAtNanos = System.nanoTime();
        stepsSincePoll = 0;
        try {
            polled = consumer.poll(settings.pollTimeout());
        } catch (OffsetOutOfRangeException e) {
            // the next records to archive were deleted by the topic's retention while this writer was behind
            for (TopicPartition tp : e.partitions()) {
                batches.remove(tp);
                if (!mayStartStep()) {
                    postpone(tp);
                    continue;
                }
                try {
                    resume(Set.of(tp));
                } catch (SdkException | RetriableException x) {
                    block(tp, x, FIRST_BACKOFF);
                }
            }
            return;
        }
        Set<TopicPartition> held = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : polled) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (blocked.containsKey(tp) || held.contains(tp)) {
                continue;
            }
            ArchiveBatch open = batches.get(tp);
            if (open != null && full(open)) {
                // a full batch no turn had time for yet: it goes first, or this record and the ones after it wait
                if (!mayStartStep()) {
                    consumer.seek(tp, r.offset());
                    held.add(tp);
                    continue;
                }
                flush(tp);
                if (blocked.containsKey(tp)) {
                    continue;
                }
            }
            ArchiveBatch b = batches.computeIfAbsent(tp, k -> new ArchiveBatch(k.topic(), k.partition(), starts.getOrDefault(k, -1L)));
            b.add(r.offset(), r.timestamp(), settings.line().of(r));
            if (full(b) && mayStartStep()) {
                flush(tp);
            }
        }
        for (TopicPartition tp : List.copyOf(batches.keySet())) {
            ArchiveBatch b = batches.get(tp);
            if (b != null && !b.isEmpty() && (full(b) || b.ageNanos() >= settings.maxBatchAge().toNanos())) {
                if (!mayStartStep()) {
                    return;
                }
                flush(tp);
            }
        }
    }

    private boolean full(ArchiveBatch b) {
        return b.count() >= settings.maxBatchEvents() || b.bytes() >= settings.maxBatchBytes();
    }

    public long archivedRecords() {
        return archivedRecords;
    }

    /** Manifest entries published for the index since start (a chain's head again at every resume). */
    public long entriesPublished() {
        return entriesPublished;
    }

    /** Writes to S3 or offset commits that failed, each followed by a retry of its partition. */
    public long storeFailures() {
        return storeFailures;
    }

    /** Writes abandoned because the group had given the partition to another archiver (see {@link ArchiveWriterLoop}). */
    public long fencedWrites() {
        return fencedWrites;
    }

    /** Partitions waiting for S3 to answer again. */
    public Set<TopicPartition> blockedPartitions() {
        return Set.copyOf(blocked.keySet());
    }

    private void flush(TopicPartition tp) {
        ArchiveBatch b = batches.remove(tp);
        if (b == null || b.isEmpty()) {
            return;
        }
        try {
            write(tp, b);
        } catch (SdkException | RetriableException e) {
            block(tp, e, FIRST_BACKOFF);
        } catch (CommitFailedException | RebalanceInProgressException | FencedInstanceIdException e) {
            fenced(tp, e);
        }
    }

    /**
     * The group no longer lets this archiver commit for {@code tp}: it was given to another member (this one was frozen,
     * cut off, or too slow between polls), or a rebalance is under way. Nothing of the batch goes further; the partition
     * waits, as after a store failure, and resumes from what the group committed if it is still (or again) this one's.
     */
    private void fenced(TopicPartition tp, KafkaException cause) {
        fencedWrites++;
        listener.writeFenced();
        batches.remove(tp);
        heads.remove(tp);
        consumer.pause(Set.of(tp));
        blocked.put(tp, new Blocked(System.nanoTime() + FIRST_BACKOFF.toNanos(), FIRST_BACKOFF.multipliedBy(2)));
        LOG.atWarn().addKeyValue("partition", tp.toString()).addKeyValue("exception", cause.getClass().getName())
                .log("archive write fenced: the consumer group gave this partition to another archiver (or is"
                        + " rebalancing); the batch is dropped and no manifest entry is written. An object already PUT"
                        + " stays unreferenced (verify: UNREFERENCED_OBJECT). " + cause.getMessage());
    }

    private void block(TopicPartition tp, RuntimeException cause, Duration backoff) {
        storeFailures++;
        if (cause instanceof SdkException) {
            listener.s3WriteFailed();
        }
        batches.remove(tp);
        consumer.pause(Set.of(tp));
        blocked.put(tp, new Blocked(System.nanoTime() + backoff.toNanos(), min(backoff.multipliedBy(2), MAX_BACKOFF)));
        LOG.atWarn().addKeyValue("partition", tp.toString()).addKeyValue("exception", cause.getClass().getName())
                .addKeyValue("retry_in_ms", backoff.toMillis())
                .log("archive write failed; the partition is paused and will resume from its committed offset: " + cause.getMessage());
    }

    private void retryBlocked() {
        long now = System.nanoTime();
        for (Map.Entry<TopicPartition, Blocked> e : List.copyOf(blocked.entrySet())) {
            if (now - e.getValue().retryAtNanos() < 0) {
                continue;
            }
            if (!mayStartStep()) {
                return;
            }
            TopicPartition tp = e.getKey();
            try {
                resume(Set.of(tp));
                blocked.remove(tp);
                consumer.resume(Set.of(tp));
                LOG.atInfo().addKeyValue("partition", tp.toString()).log("archive writes resumed");
            } catch (SdkException | RetriableException x) {
                blocked.remove(tp);
                block(tp, x, e.getValue().nextBackoff());
            } catch (CommitFailedException | RebalanceInProgressException | FencedInstanceIdException x) {
                blocked.remove(tp);
                fenced(tp, x);
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void write(TopicPartition tp, ArchiveBatch b) {
        String key = new ArchiveLayout(settings.prefix()).object(settings.directory(), b.topic(), b.partition(), b.firstOffset(),
                b.lastOffset(), b.firstTime());
        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(b.firstOffset(), INTENT + key)));
        ArchivedObject o = writer.put(key, b.encode(compressionLevel), "application/gzip", metadata(b), b.lastTime());
        listener.objectWritten(b.count(), o.bytes());
        afterObjectWritten.accept(b);
        record(tp, b, o);
        starts.put(tp, b.lastOffset() + 1);
        archivedRecords += b.count();
    }

    /**
     * Signs the entry of an object, commits it (the fenced step: refused if the group gave {@code tp} to another
     * archiver), and only then writes it to S3 and publishes it.
     */
    private void record(TopicPartition tp, ArchiveBatch b, ArchivedObject o) {
        ManifestEntry previous = heads.get(tp);
        ManifestEntry entry = signer.sign(ManifestEntry.unsigned(tp.topic(), tp.partition(), b.firstOffset(),
                b.lastOffset(), b.count(), b.firstTime(), b.lastTime(), o.key(), o.versionId(), o.sha256(),
                previous == null ? ManifestEntry.GENESIS : previous.hash(), "COMPLIANCE", o.retainUntil(),
                b.merkleRoot()));
        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(b.lastOffset() + 1, ENTRY + entryJson(entry))));
        manifests.put(entry, b.lastTime());
        listener.manifestEntryWritten();
        heads.put(tp, entry);
        publish(entry);
    }

    /** The entry as one line of JSON without its line break: the manifest object's bytes, less the {@code \n}. */
    private static String entryJson(ManifestEntry entry) {
        byte[] line = ManifestCodec.write(List.of(entry));
        return new String(line, 0, line.length - 1, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The entry a committed offset carries as its metadata ({@value #ENTRY}), if it carries one. */
    static Optional<ManifestEntry> committedEntry(OffsetAndMetadata committed) {
        if (committed == null || committed.metadata() == null || !committed.metadata().startsWith(ENTRY)) {
            return Optional.empty();
        }
        List<ManifestEntry> entries = ManifestCodec.read(committed.metadata().substring(ENTRY.length())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(entries.size() - 1));
    }

    private void publish(ManifestEntry entry) {
        if (entryProducer == null) {
            return;
        }
        byte[] json = entryJson(entry).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] key = (entry.topic() + "-" + entry.partition()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            entryProducer.send(new ProducerRecord<>(entryTopic, key, json)).get(PUBLISH_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            entriesPublished++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new org.apache.kafka.common.errors.TimeoutException("manifest entry not acknowledged by Kafka", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RetriableException r) {
                throw r;
            }
            throw new org.apache.kafka.common.KafkaException("manifest entry not published: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Where each newly assigned partition resumes: after its last manifest entry, completing a write a crash cut short.
     * When the topic's retention has deleted records that were never archived, the partition resumes at its first
     * remaining record, and the loss is told (error log, {@link ArchiveListener#offsetsLost}) instead of hidden: the next
     * entry starts there, so the chain shows the gap and verification reports it as {@code OFFSET_GAP}.
     */
    private void resume(Set<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions);
        Map<TopicPartition, Long> logStarts = consumer.beginningOffsets(partitions);
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            Optional<ManifestEntry> head = headOf(tp, c);
            head.ifPresent(h -> heads.put(tp, h));
            head.ifPresent(this::publish);
            long next = c == null ? 0 : c.offset();
            if (c != null && c.metadata() != null && c.metadata().startsWith(INTENT)) {
                next = completeInterruptedWrite(tp, c.metadata().substring(INTENT.length()), next);
            }
            if (head.isPresent() && head.get().lastOffset() + 1 > next) {
                next = head.get().lastOffset() + 1;
            }
            long logStart = logStarts.getOrDefault(tp, 0L);
            boolean neverArchived = c == null && head.isEmpty();
            if (next < logStart) {
                if (!neverArchived) {
                    lost(tp, next, logStart - 1);
                }
                next = logStart;
            }
            consumer.seek(tp, next);
            // A partition never archived starts at its first record (older offsets may have been deleted).
            starts.put(tp, neverArchived ? -1L : next);
        }
    }

    /**
     * The head a partition's chain goes on from: the entry the group last committed, written to S3 here if the archiver
     * that committed it died before it could (the same bytes under the same key, so a late write of that archiver adds
     * nothing); else, while the committed offset carries an intent or no entry (an archive written before entries were
     * committed, or offsets expired), the last entry in S3, which holds only entries the group accepted. That one is
     * looked for from a batch or two before the committed offset (the end of the log when nothing is committed) on,
     * where the chain ends unless something is amiss: one listing, not the partition's whole history, and the same
     * head either way ({@link S3ManifestStore#last(String, int, long, long)}). Two batches' worth of offsets, since a
     * transactional topic's commit markers take offsets too.
     */
    private Optional<ManifestEntry> headOf(TopicPartition tp, OffsetAndMetadata committed) {
        Optional<ManifestEntry> entry = committedEntry(committed);
        if (entry.isPresent()) {
            manifests.put(entry.get(), Instant.parse(entry.get().lastEventTime()));
            return entry;
        }
        long next = committed != null ? committed.offset()
                : consumer.endOffsets(Set.of(tp)).getOrDefault(tp, 0L);
        return manifests.last(tp.topic(), tp.partition(), next, 2L * settings.maxBatchEvents());
    }

    private void lost(TopicPartition tp, long first, long last) {
        offsetsLost += last - first + 1;
        listener.offsetsLost(tp, first, last);
        LOG.atError().addKeyValue("partition", tp.toString()).addKeyValue("first_offset", first)
                .addKeyValue("last_offset", last).addKeyValue("offsets", last - first + 1)
                .log("offsets " + first + "-" + last + " of " + tp + " were deleted by the topic's retention before they"
                        + " were archived: they are not in the archive. The manifest chain shows the gap (verify reports"
                        + " OFFSET_GAP); archiving goes on from offset " + (last + 1) + ". Keep the archiver within the"
                        + " topic's retention.ms");
    }

    /** Offsets deleted by the topic's retention before they were archived, since start (see {@link #resume}). */
    public long offsetsLost() {
        return offsetsLost;
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
            ArchivedObject o = new ArchivedObject(key, object.get().versionId(), m.get(ArchiveLayout.SHA256_METADATA),
                    object.get().contentLength(), object.get().objectLockRetainUntilDate());
            record(tp, rebuilt(tp, o, first, m), o);
            return last + 1;
        }
        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(head.lastOffset() + 1, ENTRY + entryJson(head))));
        return head.lastOffset() + 1;
    }

    /**
     * The batch an interrupted write had put, rebuilt from the object's own bytes (not its metadata), so that the entry
     * about to be signed and locked says what the object holds: its count and Merkle root are the lines'. Refused when
     * the bytes are not the SHA-256 the object was written with.
     */
    private ArchiveBatch rebuilt(TopicPartition tp, ArchivedObject o, long first, Map<String, String> metadata) {
        byte[] content = writer.content(o.key(), o.versionId());
        if (!ManifestEntry.sha256Hex(content).equals(o.sha256())) {
            throw new IllegalStateException("archive object " + o.key() + " version " + o.versionId()
                    + " does not have the SHA-256 it was written with; it is not recorded");
        }
        List<byte[]> lines;
        try {
            lines = ArchivedEvents.lines(content);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("archive object " + o.key() + " is not gzip; it is not recorded", e);
        }
        ArchiveBatch batch = new ArchiveBatch(tp.topic(), tp.partition(), first);
        long firstTime = Instant.parse(metadata.get("auditkeeper-first-time")).toEpochMilli();
        long lastTime = Instant.parse(metadata.get("auditkeeper-last-time")).toEpochMilli();
        for (int i = 0; i < lines.size(); i++) {
            batch.add(i == lines.size() - 1 ? Long.parseLong(metadata.get("auditkeeper-last-offset")) : first + i,
                    i == 0 ? firstTime : lastTime, lines.get(i));
        }
        return batch;
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
