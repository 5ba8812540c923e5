package io.auditkeeper.archiver.archive;

import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * One digest writer at a time, whatever the number of archivers, and a digest chain that cannot fork. The archivers
 * share a consumer group of their own on the one-partition archive topic: whoever the group gives that partition
 * writes the digests, and when it dies or is frozen past its session the group gives it to another (failover). As for
 * manifest entries, Kafka decides and S3 follows: each signed digest is committed, whole (gzip, base64), as the group's
 * offset metadata ({@value #DIGEST}) before it is written to S3, so a frozen writer that wakes has its commit refused
 * and writes nothing, and a new writer chains onto the committed digest (writing it to S3 first if the writer before
 * died between the commit and the PUT). The records of the archive topic are never read: the partition stays paused.
 */
public final class DigestSchedule implements AutoCloseable {
    static final String DIGEST = "archive-digest-gz:";
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Logger LOG = LoggerFactory.getLogger(DigestSchedule.class);

    private final Consumer<byte[], byte[]> consumer;
    private final DigestWriter writer;
    private final List<String> topics;
    private final Duration interval;
    private final ArchiveListener listener;
    private final Clock clock;
    private final TopicPartition lead;
    private long fenced;
    private String knownInS3;
    /**
     * The latest digest in S3 while the group has none committed, read once per assignment (null: not read): with the
     * digest partition held and nothing committed, no other archiver can write one.
     */
    private Optional<Digest> latestInS3;
    private final Instant startedAt;

    /**
     * @param consumer a consumer of its own group (never committing by itself), on {@code archiveTopic}
     * @param topics   the archived topics whose chains' heads each digest records
     */
    public DigestSchedule(Consumer<byte[], byte[]> consumer, String archiveTopic, DigestWriter writer, List<String> topics,
                          Duration interval, ArchiveListener listener, Clock clock) {
        this.consumer = consumer;
        this.writer = writer;
        this.topics = List.copyOf(topics);
        this.interval = interval;
        this.listener = listener;
        this.clock = clock;
        this.lead = new TopicPartition(archiveTopic, 0);
        this.startedAt = clock.instant();
    }

    public void subscribe() {
        consumer.subscribe(List.of(lead.topic()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                latestInS3 = null;
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                latestInS3 = null;
                consumer.pause(partitions);
                if (partitions.contains(lead)) {
                    LOG.atInfo().addKeyValue("partition", lead.toString()).log("this archiver writes the digests now");
                }
            }
        });
    }

    /**
     * One turn: stays in the group (a poll, which returns nothing), and when this archiver holds the digest partition
     * and the last digest (or, before the first, this schedule's start) is {@code interval} old, writes the next one.
     * Returns the digest written, if any.
     */
    public Optional<Digest> runOnce() {
        consumer.poll(POLL);
        if (!consumer.assignment().contains(lead)) {
            return Optional.empty();
        }
        try {
            OffsetAndMetadata committed = consumer.committed(Set.of(lead)).get(lead);
            Optional<Digest> previous = decode(committed);
            if (previous.isPresent() && !previous.get().hash().equals(knownInS3)) {
                writer.put(previous.get());
                knownInS3 = previous.get().hash();
            }
            Instant now = clock.instant();
            if (previous.isEmpty()) {
                if (latestInS3 == null) {
                    latestInS3 = writer.latest(now);
                }
                previous = latestInS3;
            }
            Instant last = previous.map(d -> Instant.parse(d.createdAt())).orElse(startedAt);
            if (last.plus(interval).isAfter(now)) {
                return Optional.empty();
            }
            Digest next = writer.next(topics, now, previous);
            consumer.commitSync(Map.of(lead, new OffsetAndMetadata(committed == null ? 0 : committed.offset(), encode(next))));
            writer.put(next);
            knownInS3 = next.hash();
            latestInS3 = null;
            listener.digestWritten();
            return Optional.of(next);
        } catch (CommitFailedException | RebalanceInProgressException | FencedInstanceIdException e) {
            fenced++;
            LOG.atWarn().addKeyValue("exception", e.getClass().getName())
                    .log("digest not written: the group gave the digest partition to another archiver (or is"
                            + " rebalancing), which writes the digests now. " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Digests this archiver was about to write when the group had given the digest partition to another. */
    public long fenced() {
        return fenced;
    }

    static String encode(Digest digest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(ManifestCodec.writeDigest(digest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return DIGEST + Base64.getEncoder().encodeToString(out.toByteArray());
    }

    static Optional<Digest> decode(OffsetAndMetadata committed) {
        if (committed == null || committed.metadata() == null || !committed.metadata().startsWith(DIGEST)) {
            return Optional.empty();
        }
        byte[] gz = Base64.getDecoder().decode(committed.metadata().substring(DIGEST.length()));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return Optional.of(ManifestCodec.readDigest(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
