package io.auditkeeper.archiver.archive;

import io.auditkeeper.archiver.s3.ArchiveBucketBootstrap;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.S3Endpoint;
import io.auditkeeper.localstack.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On the real broker and Ceph, a partition with more history than one listing page holds: the archiver takes it up
 * from the head the chain really ends with, without listing the history, and the digest writer finds the latest digest
 * and each chain's head without reading what came before.
 */
@ExtendWith(LocalStackExtension.class)
class ChainHeadIT {
    /** More entries than a listing page (1,000 keys) holds, so that a listing of the whole chain takes two. */
    private static final int ENTRIES = 1_010;

    @TempDir
    Path keys;

    @Test
    void shouldResumeALongChainAfterAnInterruptedWriteFromItsHeadWithOneListing(LocalStack stack) throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String topic = "chain-head-" + UUID.randomUUID().toString().substring(0, 8);
        TopicPartition tp = new TopicPartition(topic, 0);
        List<String> requests = new CopyOnWriteArrayList<>();
        S3Client s3 = countingClient(stack.s3(), requests);
        String bucket = "chainhead-" + UUID.randomUUID().toString().substring(0, 8);
        ArchiveBucketBootstrap.ensure(s3, bucket, 6, true);
        ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, bucket, 6, ObjectLockArchiveWriter.Encryption.none());
        S3ManifestStore manifests = new S3ManifestStore(s3, bucket, "", writer);
        ManifestSigner signer = signer("resume");
        List<ManifestEntry> chain = writeChain(manifests, signer, topic, 0, ENTRIES, 10);
        ManifestEntry head = chain.get(chain.size() - 1);
        long next = head.lastOffset() + 1;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic, 1, (short) 1));
        }
        produce(bootstrap, topic, next + 5);
        String group = "archiver-" + topic;
        // an archiver committed its next batch's intent and died before the PUT reached S3
        String intended = new ArchiveLayout("").events(topic, 0, next, next + 4, Instant.now());
        try (KafkaConsumer<byte[], byte[]> died = consumer(bootstrap, group)) {
            died.assign(Set.of(tp));
            died.commitSync(Map.of(tp, new OffsetAndMetadata(next, ArchiveWriterLoop.INTENT + intended)));
        }

        requests.clear();
        ArchiveWriterLoop loop = new ArchiveWriterLoop(consumer(bootstrap, group), writer, manifests, signer,
                new ArchiveWriterLoop.Settings(topic, "", 1 << 20, 5, Duration.ofSeconds(1), Duration.ofMillis(100)));
        loop.subscribe();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (loop.archivedRecords() < 5) {
            assertThat(System.nanoTime()).as("archived %d of 5 in time", loop.archivedRecords()).isLessThan(deadline);
            loop.runOnce();
        }
        loop.close();

        assertThat(requests.stream().filter(r -> r.equals("ListObjectsV2")))
                .as("taking the partition up lists where its chain ends, not its %d entries", ENTRIES).hasSize(1);
        List<ManifestEntry> after = manifests.all(topic, 0);
        assertThat(after).hasSize(ENTRIES + 1);
        ManifestEntry added = after.get(ENTRIES);
        assertThat(added.previousHash()).as("the new entry chains onto the head").isEqualTo(head.hash());
        assertThat(added.firstOffset()).isEqualTo(next);
        assertThat(added.lastOffset()).isEqualTo(next + 4);
        s3.close();
    }

    @Test
    void shouldFindTheSameHeadWhereverTheLookupStarts(LocalStack stack) throws Exception {
        S3Client s3 = stack.s3().client();
        String bucket = "chainguess-" + UUID.randomUUID().toString().substring(0, 8);
        ArchiveBucketBootstrap.ensure(s3, bucket, 6, true);
        ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, bucket, 6, ObjectLockArchiveWriter.Encryption.none());
        S3ManifestStore manifests = new S3ManifestStore(s3, bucket, "", writer);
        List<ManifestEntry> chain = writeChain(manifests, signer("guess"), "t", 3, 40, 700);
        ManifestEntry head = chain.get(chain.size() - 1);

        for (long next : new long[] {0, 1, 50, head.firstOffset(), head.lastOffset(), head.lastOffset() + 1,
                head.lastOffset() + 1_000_000, Long.MAX_VALUE}) {
            for (long back : new long[] {0, 3, 2_000, Long.MAX_VALUE}) {
                assertThat(manifests.last("t", 3, next, back)).as("from %d, %d back", next, back).contains(head);
            }
        }
        assertThat(manifests.last("t", 3)).contains(head);
        assertThat(manifests.last("t", 4, 500, 10)).as("a partition without a chain").isEmpty();
        s3.close();
    }

    @Test
    void shouldWriteTheNextDigestFromTheLatestOneAndEachChainsHeadWithoutReadingTheirHistory(LocalStack stack)
            throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        S3Client s3 = countingClient(stack.s3(), requests);
        String bucket = "digestlatest-" + UUID.randomUUID().toString().substring(0, 8);
        ArchiveBucketBootstrap.ensure(s3, bucket, 6, true);
        ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, bucket, 6, ObjectLockArchiveWriter.Encryption.none());
        S3ManifestStore manifests = new S3ManifestStore(s3, bucket, "", writer);
        ManifestSigner signer = signer("digest");
        DigestWriter digests = new DigestWriter(s3, bucket, "", writer, manifests, signer);
        List<ManifestEntry> chain = writeChain(manifests, signer, "t", 0, ENTRIES, 1);
        Instant now = Instant.parse("2026-06-01T12:00:00Z");
        // a year of digests, sparse: the latest is two hours old
        Optional<Digest> previous = Optional.empty();
        for (Instant at : List.of(now.minus(Duration.ofDays(400)), now.minus(Duration.ofDays(9)),
                now.minus(Duration.ofDays(2)), now.minus(Duration.ofHours(2)))) {
            Digest d = digests.next(List.of("t"), at, previous);
            digests.put(d);
            previous = Optional.of(d);
        }
        List<ManifestEntry> more = writeChain(manifests, signer, "t", 0, 3, 1, chain.get(chain.size() - 1));

        requests.clear();
        Digest written = digests.write(List.of("t"), now);

        assertThat(written.previousDigestHash()).as("chained onto the latest digest").isEqualTo(previous.get().hash());
        assertThat(written.heads()).containsExactly(Digest.PartitionHead.of(more.get(more.size() - 1)));
        assertThat(requests.stream().filter(r -> r.equals("GetObject")))
                .as("one digest and one manifest entry read, of years of digests and %d entries", ENTRIES).hasSize(2);
        assertThat(requests.stream().filter(r -> r.equals("ListObjectsV2")).count())
                .as("a few listings: digests from now back, the partitions, the chain from the last digest's head")
                .isLessThanOrEqualTo(4);
        assertThat(digests.latest(now.plusSeconds(1))).contains(written);
        s3.close();
    }

    /** A chain of {@code count} signed entries of {@code span} offsets each, from offset 0, written in parallel. */
    private static List<ManifestEntry> writeChain(S3ManifestStore manifests, ManifestSigner signer, String topic,
                                                  int partition, int count, int span) throws Exception {
        return writeChain(manifests, signer, topic, partition, count, span, null);
    }

    /** As above, going on from {@code after} (null: from the genesis). */
    private static List<ManifestEntry> writeChain(S3ManifestStore manifests, ManifestSigner signer, String topic,
                                                  int partition, int count, int span, ManifestEntry after)
            throws Exception {
        List<ManifestEntry> chain = new ArrayList<>();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        ManifestEntry previous = after;
        long first = after == null ? 0 : after.lastOffset() + 1;
        for (int i = 0; i < count; i++) {
            Instant at = t0.plusSeconds(first);
            ManifestEntry e = signer.sign(ManifestEntry.unsigned(topic, partition, first, first + span - 1, span, at, at,
                    new ArchiveLayout("").events(topic, partition, first, first + span - 1, at), "v1",
                    "0".repeat(64), previous == null ? ManifestEntry.GENESIS : previous.hash(), "COMPLIANCE",
                    at.plus(Duration.ofDays(6 * 366)), "ab".repeat(32)));
            chain.add(e);
            previous = e;
            first += span;
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (ManifestEntry e : chain) {
                puts.add(pool.submit(() -> manifests.put(e, Instant.parse(e.lastEventTime()))));
            }
            for (Future<?> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return chain;
    }

    private ManifestSigner signer(String name) throws Exception {
        ManifestSigner.generate(keys.resolve(name + ".pem"), keys.resolve(name + ".pub.pem"));
        return ManifestSigner.fromPemFile(keys.resolve(name + ".pem"));
    }

    /** A client of the local Ceph that writes down the name of each operation it sends ("ListObjectsV2", ...). */
    private static S3Client countingClient(S3Endpoint endpoint, List<String> requests) {
        return S3Client.builder()
                .region(Region.of(endpoint.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(endpoint.accessKey(), endpoint.secretKey())))
                .forcePathStyle(endpoint.pathStyle())
                .endpointOverride(endpoint.endpoint())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        requests.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
                    }
                }))
                .build();
    }

    private static void produce(String bootstrap, String topic, long records) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "linger.ms", 20), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < records; i++) {
                p.send(new ProducerRecord<>(topic, 0, null, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group) {
        return new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "group.id", group, "enable.auto.commit", false,
                "isolation.level", "read_committed", "auto.offset.reset", "none"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
