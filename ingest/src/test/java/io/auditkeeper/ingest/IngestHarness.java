package io.auditkeeper.ingest;

import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.ingest.kafka.KafkaClientSettings;
import io.auditkeeper.kafka.TopicBootstrap;
import org.apache.kafka.clients.admin.Admin;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.TopicSnapshot;
import io.auditkeeper.model.AuditHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;

/** Starts ingest services for tests the way {@code IngestMain} does, and talks to them as an apiserver would. */
public final class IngestHarness {
    private IngestHarness() {
    }

    /** A config for a test service: HTTPS with the dev PKI, mTLS, free ports, the given Kafka. */
    public static Map<String, Object> settings(DevPki pki, String bootstrap) {
        Map<String, Object> m = new HashMap<>();
        m.put("kafka.bootstrap-servers", bootstrap);
        m.put("listen.host", "127.0.0.1");
        m.put("listen.port", "0");
        m.put("admin.host", "127.0.0.1");
        m.put("admin.port", "0");
        m.put("tls.cert-file", pki.serverCert().toString());
        m.put("tls.key-file", pki.serverKey().toString());
        m.put("auth.client-ca-file", pki.caCert().toString());
        m.put("topics.raw.partitions", "3");
        m.put("readiness.check-interval-ms", "200");
        m.put("shutdown.grace-period-ms", "5000");
        return m;
    }

    /**
     * Starts a service as {@code IngestMain} would. The topics it would create are created first as a service with the
     * default limits would create them, so that a test with smaller limits never leaves topics on the shared broker
     * too small for the tests after it (whose topic check would then refuse to start, depending on their order).
     */
    public static IngestService start(Map<String, Object> settings) throws Exception {
        IngestConfig config = IngestConfig.of(settings);
        if (config.createTopics()) {
            Map<String, Object> defaults = new HashMap<>(settings);
            defaults.keySet().removeIf(k -> k.startsWith("limits."));
            IngestConfig widest = IngestConfig.of(defaults);
            try (Admin admin = Admin.create(KafkaClientSettings.admin(widest))) {
                TopicBootstrap.ensureTopics(admin, List.of(widest.rawTopic(), widest.deadLetterTopic()), true,
                        KafkaClientSettings.maxRecordBytes(widest), widest.topicCheck().minInsyncReplicas());
            }
        }
        return new IngestService(config).start();
    }

    public static HttpClient client(SSLContext ssl) {
        return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The webhook URL for a cluster, on the host name the server certificate names. */
    public static URI uri(IngestService service, String cluster) {
        URI base = service.webhookUri();
        return URI.create("https://localhost:" + base.getPort() + "/audit" + (cluster == null ? "" : "/" + cluster));
    }

    public static HttpResponse<String> post(HttpClient client, URI uri, byte[] body) throws IOException, InterruptedException {
        return post(client, uri, body, Map.of());
    }

    public static HttpResponse<String> post(HttpClient client, URI uri, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::setHeader);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public static URI admin(IngestService service, String path) {
        return URI.create("http://127.0.0.1:" + service.adminPort() + path);
    }

    public static String uniqueCluster(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static byte[] gzip(byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(body);
        }
        return out.toByteArray();
    }

    /** Every record of a topic at this moment, from the beginning, read_committed. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        return TopicSnapshot.read(bootstrap, topic);
    }

    /** The records of a topic whose cluster header is {@code cluster}, in offset order per partition. */
    public static List<ConsumerRecord<byte[], byte[]>> readCluster(String bootstrap, String topic, String cluster) {
        Predicate<ConsumerRecord<byte[], byte[]>> mine = r -> AuditHeaders.get(r.headers(), AuditHeaders.CLUSTER)
                .filter(cluster::equals).isPresent();
        return readAll(bootstrap, topic).stream().filter(mine).toList();
    }

    public static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return AuditHeaders.get(r.headers(), name).orElse(null);
    }

    public static Path target(String name) {
        return Path.of("target", name);
    }
}
