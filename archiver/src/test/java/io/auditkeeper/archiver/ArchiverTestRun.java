package io.auditkeeper.archiver;

import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.evidence.manifest.VerificationReport;
import io.auditkeeper.evidence.store.S3ObjectStore;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
 * One archiver on the local stack under fresh names (topic, bucket, index names, consumer groups), with helpers to
 * feed it normalized events and to check what reached S3 and OpenSearch.
 */
final class ArchiverTestRun {
    static final int PARTITIONS = 2;
    static final Duration PATIENCE = Duration.ofSeconds(120);

    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String topic = "run-" + id;
    final String bucket = "run-" + id;
    final String prefix = "run-" + id;
    final String alertsIndex = prefix + "-alerts";
    final String archiveIndex = prefix + "-archive";
    final Path dir;
    final LocalStack stack;
    final String openSearchUrl;
    final String s3Endpoint;
    /** Topics are created by the first start; a test may start the archiver again on the same ones. */
    private boolean topicsCreated;

    ArchiverTestRun(Path dir, LocalStack stack, String openSearchUrl, String s3Endpoint) {
        this.dir = dir;
        this.stack = stack;
        this.openSearchUrl = openSearchUrl;
        this.s3Endpoint = s3Endpoint;
    }

    ArchiverService start() throws Exception {
        return start(Map.of());
    }

    /** With some settings of the config replaced or added. */
    ArchiverService start(Map<String, Object> overrides) throws Exception {
        if (!topicsCreated) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
                Topics.createAndAwaitLeaders(admin, new NewTopic(topic, PARTITIONS, (short) 1),
                        new NewTopic(topic + ".dlq", 1, (short) 1), new NewTopic(topic + ".alerts", 1, (short) 1));
            }
            topicsCreated = true;
        }
        Path key = dir.resolve("signing.pem");
        if (!java.nio.file.Files.exists(key)) {
            ManifestSigner.generate(key, dir.resolve("signing.pub.pem"));
        }
        Map<String, Object> s = new HashMap<>();
        s.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        s.put("topics.events.name", topic);
        s.put("topics.dlq.name", topic + ".dlq");
        s.put("archive.group-id", "archive-" + id);
        s.put("index.group-id", "index-" + id);
        s.put("dead-letters.group-id", "dead-letters-" + id);
        s.put("s3.bucket", bucket);
        s.put("s3.endpoint", s3Endpoint);
        s.put("s3.region", stack.s3().region());
        s.put("s3.path-style", "true");
        s.put("s3.access-key", stack.s3().accessKey());
        s.put("s3.secret-key", stack.s3().secretKey());
        s.put("opensearch.url", openSearchUrl);
        s.put("opensearch.replicas", "0");
        s.put("opensearch.retention-days", "0");
        s.put("opensearch.index-prefix", prefix);
        s.put("opensearch.alerts-index", alertsIndex);
        s.put("opensearch.archive-index", archiveIndex);
        s.put("topics.alerts.name", topic + ".alerts");
        s.put("topics.archive.name", topic + ".archive");
        s.put("batch.max-events", "40");
        s.put("batch.max-age-ms", "500");
        s.put("manifest.signing-key-file", key.toString());
        s.putAll(overrides);
        return new ArchiverService(ArchiverConfig.of(s)).start();
    }

    /** Waits until {@code value} reaches {@code expected}, for at most two minutes. */
    static void awaitAtLeast(String what, LongSupplier value, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (value.getAsLong() < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": " + value.getAsLong() + " of " + expected + " after " + PATIENCE);
            }
            Thread.sleep(200);
        }
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

    /** Normalized events searchable in OpenSearch (0 while the alias does not exist yet). */
    long indexed(LocalStack stack) {
        return count(prefix);
    }

    /** Documents searchable in an index or alias, after a refresh; 0 while it does not exist. */
    long count(String index) {
        try {
            String body = search(index, "{\"size\":0,\"track_total_hits\":true}");
            Matcher m = Pattern.compile("\"total\"\\s*:\\s*\\{\\s*\"value\"\\s*:\\s*(\\d+)").matcher(body);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    /** The raw JSON answer of a search, after a refresh. */
    String search(String index, String query) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = stack.openSearchUrl();
        http.send(HttpRequest.newBuilder(URI.create(base + "/" + index + "/_refresh"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        return http.send(HttpRequest.newBuilder(URI.create(base + "/" + index + "/_search"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(query)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** One alert as the stream-processor writes it. */
    void sendAlert(String alertId, String actor, List<String> auditIds) {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
                "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            String ids = String.join("\",\"", auditIds);
            String alert = "{\"schemaVersion\":1,\"alertId\":\"" + alertId + "\",\"type\":\"secret-enumeration\",\"severity\":\"high\","
                    + "\"cluster\":\"run\",\"actor\":\"" + actor + "\",\"windowStart\":\"2026-11-27T10:00:00Z\","
                    + "\"windowEnd\":\"2026-11-27T10:10:00Z\",\"count\":" + auditIds.size() + ",\"threshold\":3,"
                    + "\"auditIDs\":[\"" + ids + "\"],\"namespaces\":[\"phi-records\"],\"description\":\"many secrets read\"}";
            p.send(new ProducerRecord<>(topic + ".alerts", actor.getBytes(StandardCharsets.UTF_8), alert.getBytes(StandardCharsets.UTF_8)));
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
