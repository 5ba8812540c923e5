package io.auditkeeper.streams;

import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.MetricsScrape;
import io.auditkeeper.localstack.OperationsDoc;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream-processor's admin port on the real broker, read as Prometheus and a probe would: the counters of what it
 * processed, dropped, rejected, flagged and alerted on, Kafka Streams' own metrics, and every metric that
 * docs/operations.md lists for the stream-processor (the alert rules in deploy/prometheus use only those).
 */
@ExtendWith(LocalStackExtension.class)
class StreamProcessorAdminIT {
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldServeEveryDocumentedMetricAndReadinessOnTheAdminPort(LocalStack stack) throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String suffix = Long.toString(System.nanoTime());
        String raw = "admin-raw-" + suffix;
        Map<String, Object> settings = new HashMap<>(Map.of(
                "kafka.bootstrap-servers", bootstrap,
                "application.id", "admin-it-" + suffix,
                "topics.raw.name", raw,
                "topics.events.name", "admin-events-" + suffix,
                "topics.phi-access.name", "admin-phi-" + suffix,
                "topics.alerts.name", "admin-alerts-" + suffix,
                "topics.dlq.name", "admin-dlq-" + suffix,
                "phi.namespaces", "phi-*",
                "admin.host", "127.0.0.1",
                "admin.port", "0"));
        settings.put("kafka.streams.commit.interval.ms", "200");
        settings.put("streams.state-dir", Files.createDirectories(Path.of("target", "state-admin-" + suffix)).toAbsolutePath().toString());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(raw, 2, (short) 1));
        }
        Instant now = Instant.now();
        String get = event("admin-get-" + suffix, "ResponseComplete", "get", "default", "pods", null, now);
        String exec = event("admin-exec-" + suffix, "ResponseStarted", "create", "phi-records", "pods", "exec", now);
        produce(bootstrap, raw, List.of(get, get, "{not json", exec));

        try (StreamProcessorService service = new StreamProcessorService(StreamProcessorConfig.of(settings)).start()) {
            int port = service.adminPort();
            MetricsScrape m = MetricsScrape.await(port, PATIENCE, x -> x.value("auditkeeper_streams_events_processed_total") == 2
                    && x.value("auditkeeper_streams_events_duplicates_total") == 1
                    && x.value("auditkeeper_streams_events_rejected_total", "reason=\"unparseable-event\"") == 1
                    && x.value("auditkeeper_streams_phi_access_total") == 1
                    && x.value("auditkeeper_streams_alerts_total", "type=\"new-exec\"") == 1);
            Files.writeString(Path.of("target", "stream-processor-metrics.txt"), m.text());

            assertThat(m.value("auditkeeper_streams_events_processed_total")).isEqualTo(2);
            assertThat(m.value("auditkeeper_streams_events_duplicates_total")).isEqualTo(1);
            assertThat(m.value("auditkeeper_streams_events_rejected_total", "reason=\"unparseable-event\"")).isEqualTo(1);
            assertThat(m.value("auditkeeper_streams_phi_access_total")).isEqualTo(1);
            assertThat(m.value("auditkeeper_streams_alerts_total", "type=\"new-exec\"")).isEqualTo(1);
            assertThat(OperationsDoc.missingFrom("stream-processor", m.text()))
                    .as("metrics docs/operations.md lists for the stream-processor but /metrics does not serve").isEmpty();

            HttpResponse<String> ready = get(port, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready\n");
            assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
        }
    }

    private static String event(String auditId, String stage, String verb, String namespace, String resource,
                                String subresource, Instant at) {
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"" + auditId
                + "\",\"stage\":\"" + stage + "\",\"requestURI\":\"/api/v1/namespaces/" + namespace + "/" + resource
                + "/db-0" + (subresource == null ? "" : "/" + subresource) + "\",\"verb\":\"" + verb
                + "\",\"user\":{\"username\":\"alice@example.com\"},\"sourceIPs\":[\"10.0.0.1\"],"
                + "\"objectRef\":{\"resource\":\"" + resource + "\",\"namespace\":\"" + namespace + "\",\"name\":\"db-0\","
                + (subresource == null ? "" : "\"subresource\":\"" + subresource + "\",") + "\"apiVersion\":\"v1\"},"
                + "\"responseStatus\":{\"metadata\":{},\"code\":" + ("ResponseStarted".equals(stage) ? 101 : 200) + "},"
                + "\"requestReceivedTimestamp\":\"" + at + "\",\"stageTimestamp\":\"" + at + "\"}";
    }

    private static void produce(String bootstrap, String topic, List<String> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String v : values) {
                RecordHeaders h = new RecordHeaders();
                AuditHeaders.put(h, AuditHeaders.CLUSTER, "admin-it");
                // one key for all, so the duplicate follows its original on the same partition
                p.send(new ProducerRecord<>(topic, null, "k".getBytes(StandardCharsets.UTF_8),
                        v.getBytes(StandardCharsets.UTF_8), h)).get();
            }
        }
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
