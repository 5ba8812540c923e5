package io.auditkeeper.archiver;

import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.archiver.archive.S3ObjectStore;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.manifest.ManifestEntry;
import io.auditkeeper.archiver.manifest.ManifestSigner;
import io.auditkeeper.archiver.manifest.ManifestVerifier;
import io.auditkeeper.archiver.manifest.VerificationReport;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.TcpProxy;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two sinks progress independently: with OpenSearch unreachable the archive keeps up and the index catches up
 * when it returns; with S3 unreachable the index keeps up and the archive catches up, every offset archived once.
 * The outage is a real one at the network level ({@link TcpProxy}), against the real Ceph and OpenSearch.
 */
@ExtendWith(LocalStackExtension.class)
class StoreOutageIT {
    private static final int PARTITIONS = 2;
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void shouldKeepArchivingAndThenCatchUpTheIndexWhenOpenSearchIsDown(LocalStack stack) throws Exception {
        URI os = URI.create(stack.openSearchUrl());
        try (TcpProxy proxy = TcpProxy.start(os.getHost(), os.getPort())) {
            Run run = new Run(stack, "http://127.0.0.1:" + proxy.port(), stack.s3().endpoint().toString());
            try (ArchiverService archiver = run.start()) {
                run.send(0, 100);
                awaitAtLeast("archived", archiver::archivedRecords, 100);
                awaitAtLeast("indexed", archiver::indexedDocuments, 100);

                proxy.cut();
                run.send(100, 300);
                awaitAtLeast("archived while OpenSearch is down", archiver::archivedRecords, 300);
                assertThat(run.indexed(stack)).as("documents in OpenSearch while it was unreachable").isEqualTo(100);

                proxy.restore();
                awaitAtLeast("indexed after OpenSearch returned", () -> run.indexed(stack), 300);
                assertThat(run.indexed(stack)).isEqualTo(300);
            }
            run.assertArchivedOnce(stack, 300);
        }
    }

    @Test
    void shouldKeepIndexingAndThenCatchUpTheArchiveWhenS3IsDown(LocalStack stack) throws Exception {
        URI s3 = stack.s3().endpoint();
        try (TcpProxy proxy = TcpProxy.start(s3.getHost(), s3.getPort())) {
            Run run = new Run(stack, stack.openSearchUrl(), "http://127.0.0.1:" + proxy.port());
            try (ArchiverService archiver = run.start()) {
                run.send(0, 100);
                awaitAtLeast("archived", archiver::archivedRecords, 100);
                awaitAtLeast("indexed", () -> run.indexed(stack), 100);

                proxy.cut();
                run.send(100, 300);
                awaitAtLeast("indexed while S3 is down", () -> run.indexed(stack), 300);
                assertThat(archiver.archivedRecords()).as("records archived while S3 was unreachable").isEqualTo(100);
                assertThat(archiver.isHealthy()).as("the archive writer waits for S3, it does not stop").isTrue();

                proxy.restore();
                awaitAtLeast("archived after S3 returned", archiver::archivedRecords, 300);
            }
            run.assertArchivedOnce(stack, 300);
        }
    }

    private static void awaitAtLeast(String what, LongSupplier value, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (value.getAsLong() < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": " + value.getAsLong() + " of " + expected + " after " + PATIENCE);
            }
            Thread.sleep(200);
        }
    }

    /** One archiver on fresh names: topic, bucket, index prefix, consumer groups. */
    private final class Run {
        final String id = UUID.randomUUID().toString().substring(0, 8);
        final String topic = "outage-" + id;
        final String bucket = "outage-" + id;
        final String prefix = "outage-" + id;
        final LocalStack stack;
        final String openSearchUrl;
        final String s3Endpoint;

        Run(LocalStack stack, String openSearchUrl, String s3Endpoint) {
            this.stack = stack;
            this.openSearchUrl = openSearchUrl;
            this.s3Endpoint = s3Endpoint;
        }

        ArchiverService start() throws Exception {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
                admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1), new NewTopic(topic + ".dlq", 1, (short) 1)))
                        .all().get();
            }
            Path key = dir.resolve("signing.pem");
            ManifestSigner.generate(key, dir.resolve("signing.pub.pem"));
            Map<String, Object> s = new HashMap<>();
            s.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
            s.put("topics.events.name", topic);
            s.put("topics.dlq.name", topic + ".dlq");
            s.put("archive.group-id", "archive-" + id);
            s.put("index.group-id", "index-" + id);
            s.put("s3.bucket", bucket);
            s.put("s3.endpoint", s3Endpoint);
            s.put("s3.region", stack.s3().region());
            s.put("s3.path-style", "true");
            s.put("s3.access-key", stack.s3().accessKey());
            s.put("s3.secret-key", stack.s3().secretKey());
            s.put("opensearch.url", openSearchUrl);
            s.put("opensearch.replicas", "0");
            s.put("opensearch.index-prefix", prefix);
            s.put("batch.max-events", "40");
            s.put("batch.max-age-ms", "500");
            s.put("manifest.signing-key-file", key.toString());
            return new ArchiverService(ArchiverConfig.of(s)).start();
        }

        void send(int from, int to) {
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
                    "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = from; i < to; i++) {
                    String auditId = id + "-" + i;
                    String doc = "{\"schemaVersion\":1,\"cluster\":\"outage\",\"auditID\":\"" + auditId + "\",\"stage\":\"ResponseComplete\","
                            + "\"level\":\"Metadata\",\"timestamp\":\"2026-11-27T10:00:00.000000Z\",\"verb\":\"get\",\"actor\":\"n" + i + "\","
                            + "\"event\":{\"auditID\":\"" + auditId + "\"}}";
                    p.send(new ProducerRecord<>(topic, i % PARTITIONS, auditId.getBytes(StandardCharsets.UTF_8),
                            doc.getBytes(StandardCharsets.UTF_8)));
                }
            }
        }

        long indexed(LocalStack stack) {
            try {
                HttpClient http = HttpClient.newHttpClient();
                String base = stack.openSearchUrl();
                http.send(HttpRequest.newBuilder(URI.create(base + "/" + prefix + "/_refresh"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
                String body = http.send(HttpRequest.newBuilder(URI.create(base + "/" + prefix + "/_count")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = Pattern.compile("\"count\"\\s*:\\s*(\\d+)").matcher(body);
                return m.find() ? Long.parseLong(m.group(1)) : 0;
            } catch (Exception e) {
                return 0;
            }
        }

        /** Every offset of every partition in exactly one object, every chain verifying. */
        void assertArchivedOnce(LocalStack stack, int total) throws Exception {
            S3Client s3 = stack.s3().client();
            ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, bucket, 6, ObjectLockArchiveWriter.Encryption.none());
            S3ManifestStore manifests = new S3ManifestStore(s3, bucket, "", writer);
            ManifestVerifier verifier = ManifestVerifier.fromPublicKeyPemFile(dir.resolve("signing.pub.pem"));
            Set<String> auditIds = new HashSet<>();
            int lines = 0;
            int chained = 0;
            for (int part = 0; part < PARTITIONS; part++) {
                List<ManifestEntry> chain = manifests.all(topic, part);
                chained += chain.size();
                VerificationReport report = verifier.verifyPartition(chain, new S3ObjectStore(s3, bucket), Instant.now(),
                        Duration.ofDays(6 * 365 + 1));
                assertThat(report.problems()).as("partition %d", part).isEmpty();
                assertThat(report.firstOffset()).isZero();
                assertThat(report.lastOffset()).isEqualTo(total / PARTITIONS - 1);
                for (ManifestEntry e : chain) {
                    byte[] gz = s3.getObjectAsBytes(b -> b.bucket(bucket).key(e.key()).versionId(e.versionId())).asByteArray();
                    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()) {
                            lines++;
                            Matcher m = Pattern.compile("\"auditID\":\"([^\"]+)\"").matcher(line);
                            assertThat(m.find()).isTrue();
                            auditIds.add(m.group(1));
                        }
                    }
                }
            }
            List<String> objects = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("events/")).contents().forEach(o -> objects.add(o.key()));
            assertThat(objects).as("every object is in a manifest chain: none overlaps another").hasSize(chained);
            assertThat(lines).as("archived lines").isEqualTo(total);
            assertThat(auditIds).as("distinct events archived").hasSize(total);
        }
    }
}
