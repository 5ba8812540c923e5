package io.auditkeeper.archiver;

import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.MetricsScrape;
import io.auditkeeper.localstack.OperationsDoc;
import io.auditkeeper.localstack.S3Endpoint;
import io.auditkeeper.localstack.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The archiver on the real broker, Ceph and OpenSearch, read from outside as Prometheus and a probe would: its admin
 * port counts what each stage wrote and shows each consumer group's lag, which drops to zero once everything is
 * written, and stays visible while OpenSearch is down.
 */
@ExtendWith(LocalStackExtension.class)
class ArchiverAdminIT {
    private static final int EVENTS = 600;
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldCountWhatEachStageWroteAndReportZeroLagWhenEverythingIsWritten(LocalStack stack) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String topic = "admin-it-" + id;
        createAndFill(stack.kafkaBootstrap(), topic);
        // an alert OpenSearch cannot take (not JSON): refused for good, to the dead-letter topic, counted by topic
        String alerts = "topic=\"" + topic + ".alerts\"";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic + ".alerts", 1, (short) 1), new NewTopic(topic + ".dlq", 1, (short) 1));
        }
        send(stack.kafkaBootstrap(), topic + ".alerts", "{not an alert");
        try (ArchiverService archiver = new ArchiverService(config(stack, id, topic, stack.openSearchUrl())).start()) {
            int port = archiver.adminPort();
            String events = "topic=\"" + topic + "\"";
            MetricsScrape m = MetricsScrape.await(port, PATIENCE, x -> x.value("auditkeeper_archiver_records_archived_total") == EVENTS
                    && x.value("auditkeeper_archiver_documents_indexed_total", events) == EVENTS
                    && x.value("auditkeeper_archiver_documents_rejected_total", alerts) == 1
                    && x.value("auditkeeper_archiver_consumer_group_lag", "stage=\"archive\"") == 0
                    && x.value("auditkeeper_archiver_consumer_group_lag", "stage=\"index\"") == 0
                    && x.count("auditkeeper_archiver_consumer_partition_lag", "stage=\"archive\"", events) == 3
                    && x.count("auditkeeper_archiver_consumer_partition_lag", "stage=\"index\"", events) == 3
                    && x.value("auditkeeper_archiver_digests_written_total") >= 1
                    // the refused alert, from the dead-letter topic into the dead-letter archive, its entry indexed
                    && x.value("auditkeeper_archiver_dead_letters_records_archived_total") == 1
                    && x.value("auditkeeper_archiver_consumer_group_lag", "stage=\"dead-letter-archive\"") == 0
                    && x.sum("auditkeeper_archiver_documents_indexed_total", "topic=\"" + topic + ".archive\"")
                    == x.value("auditkeeper_archiver_objects_written_total")
                    + x.value("auditkeeper_archiver_dead_letters_objects_written_total"));

            assertThat(m.value("auditkeeper_archiver_records_archived_total")).isEqualTo(EVENTS);
            assertThat(m.value("auditkeeper_archiver_documents_indexed_total", events)).isEqualTo(EVENTS);
            assertThat(m.sum("auditkeeper_archiver_documents_indexed_total", "topic=\"" + topic + ".archive\""))
                    .as("one archive entry per object of either archive")
                    .isEqualTo(m.value("auditkeeper_archiver_objects_written_total")
                            + m.value("auditkeeper_archiver_dead_letters_objects_written_total"));
            assertThat(m.value("auditkeeper_archiver_dead_letters_objects_written_total")).isEqualTo(1);
            assertThat(m.value("auditkeeper_archiver_dead_letters_manifest_entries_total")).isEqualTo(1);
            assertThat(m.value("auditkeeper_archiver_objects_written_total")).isPositive();
            assertThat(m.value("auditkeeper_archiver_manifest_entries_total"))
                    .isEqualTo(m.value("auditkeeper_archiver_objects_written_total"));
            assertThat(m.value("auditkeeper_archiver_bytes_written_total")).isPositive();
            assertThat(m.value("auditkeeper_archiver_digests_written_total")).isPositive();
            assertThat(m.value("auditkeeper_archiver_s3_write_failures_total")).isZero();
            assertThat(m.sum("auditkeeper_archiver_documents_rejected_total", events)).isZero();
            assertThat(m.value("auditkeeper_archiver_documents_rejected_total", alerts)).isEqualTo(1);
            assertThat(m.value("auditkeeper_archiver_bulk_failures_total")).isZero();
            assertThat(m.lines("auditkeeper_archiver_consumer_partition_lag", "stage=\"archive\""))
                    .allSatisfy(l -> assertThat(l).contains("topic=\"" + topic + "\"").endsWith(" 0.0"));
            assertThat(m.lines("auditkeeper_archiver_consumer_group_lag", "stage=\"index\""))
                    .singleElement().asString().contains("group=\"index-" + id + "\"");

            HttpResponse<String> ready = get(port, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready\n");
            assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
            Files.writeString(Path.of("target", "archiver-metrics.txt"), m.text());
            assertThat(OperationsDoc.missingFrom("archiver", m.text()))
                    .as("metrics docs/operations.md lists for the archiver but /metrics does not serve").isEmpty();
        }
    }

    @Test
    void shouldShowTheIndexLagWhileOpenSearchIsDown(LocalStack stack) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String topic = "admin-down-" + id;
        createAndFill(stack.kafkaBootstrap(), topic);
        String nobody;
        try (ServerSocket s = new ServerSocket(0)) {
            nobody = "http://127.0.0.1:" + s.getLocalPort();
        }
        try (ArchiverService archiver = new ArchiverService(config(stack, id, topic, nobody)).start()) {
            int port = archiver.adminPort();
            String events = "topic=\"" + topic + "\"";
            MetricsScrape m = MetricsScrape.await(port, PATIENCE, x -> x.value("auditkeeper_archiver_records_archived_total") == EVENTS
                    && x.value("auditkeeper_archiver_consumer_group_lag", "stage=\"archive\"") == 0
                    && x.sum("auditkeeper_archiver_consumer_partition_lag", "stage=\"index\"", events) == EVENTS
                    && x.value("auditkeeper_archiver_bulk_failures_total") >= 1);

            assertThat(m.sum("auditkeeper_archiver_documents_indexed_total")).isZero();
            assertThat(m.sum("auditkeeper_archiver_consumer_partition_lag", "stage=\"index\"", events)).isEqualTo(EVENTS);
            assertThat(m.value("auditkeeper_archiver_consumer_group_lag", "stage=\"index\""))
                    .as("the events, and any archive entries not indexed either").isGreaterThanOrEqualTo(EVENTS);
            assertThat(m.value("auditkeeper_archiver_bulk_failures_total")).isPositive();
            assertThat(get(port, "/readyz").statusCode()).as("the index writer is running; it retries").isEqualTo(200);
        }
    }

    private ArchiverConfig config(LocalStack stack, String id, String topic, String openSearchUrl) throws Exception {
        Path key = dir.resolve("signing.pem");
        ManifestSigner.generate(key, dir.resolve("signing.pub.pem"));
        S3Endpoint s3 = stack.s3();
        Map<String, Object> c = new HashMap<>();
        c.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        c.put("topics.events.name", topic);
        c.put("topics.dlq.name", topic + ".dlq");
        c.put("topics.alerts.name", topic + ".alerts");
        c.put("topics.archive.name", topic + ".archive");
        c.put("opensearch.alerts-index", "admin-it-" + id + "-alerts");
        c.put("opensearch.archive-index", "admin-it-" + id + "-archive");
        c.put("archive.group-id", "archive-" + id);
        c.put("index.group-id", "index-" + id);
        c.put("dead-letters.group-id", "dead-letters-" + id);
        c.put("s3.bucket", "admin-" + id);
        c.put("s3.endpoint", s3.endpoint().toString());
        c.put("s3.region", s3.region());
        c.put("s3.path-style", "true");
        c.put("s3.access-key", s3.accessKey());
        c.put("s3.secret-key", s3.secretKey());
        c.put("batch.max-events", "100");
        c.put("batch.max-age-ms", "500");
        c.put("digest.interval-ms", "1000");
        c.put("opensearch.url", openSearchUrl);
        c.put("opensearch.replicas", "0");
        c.put("opensearch.retention-days", "0");
        c.put("opensearch.index-prefix", "admin-it-" + id);
        c.put("manifest.signing-key-file", key.toString());
        c.put("admin.host", "127.0.0.1");
        c.put("admin.port", "0");
        return ArchiverConfig.of(c);
    }

    /**
     * Creates the topic, waits until the broker leads each of its partitions ({@link Topics}), and writes the events,
     * checking each write: a lost write would show only minutes later, as a wrong lag.
     */
    private static void createAndFill(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic, 3, (short) 1));
        }
        Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
        List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
        // one request in flight: a produce refused as NOT_LEADER_OR_FOLLOWER by a partition created a moment ago, retried
        // after later batches went in, left the idempotent producer looping on OUT_OF_ORDER_SEQUENCE_NUMBER (seen once
        // in CI); in order, a retry is always the next sequence
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "max.in.flight.requests.per.connection", 1), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < EVENTS; i++) {
                String auditId = UUID.randomUUID().toString();
                String ts = t0.plusMillis(i).toString();
                String event = "{\"schemaVersion\":1,\"cluster\":\"it\",\"auditID\":\"" + auditId + "\",\"stage\":\"ResponseComplete\","
                        + "\"level\":\"Metadata\",\"timestamp\":\"" + ts + "\",\"stageTimestamp\":\"" + ts + "\",\"verb\":\"get\","
                        + "\"actor\":\"system:serviceaccount:phi-records:reader\",\"objectRef\":{\"resource\":\"pods\","
                        + "\"namespace\":\"phi-records\",\"name\":\"db-" + i + "\"},\"decision\":\"allow\",\"receivedAt\":\"" + ts + "\"}";
                sent.add(p.send(new ProducerRecord<>(topic, i % 3, auditId.getBytes(StandardCharsets.UTF_8),
                        event.getBytes(StandardCharsets.UTF_8))));
            }
            for (java.util.concurrent.Future<?> f : sent) {
                f.get();
            }
        }
    }

    private static void send(String bootstrap, String topic, String value) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
