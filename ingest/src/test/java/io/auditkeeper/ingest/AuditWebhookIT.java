package io.auditkeeper.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.OperationsDoc;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.AuditTopics;
import io.auditkeeper.tls.PemFiles;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.auditkeeper.ingest.IngestHarness.admin;
import static io.auditkeeper.ingest.IngestHarness.get;
import static io.auditkeeper.ingest.IngestHarness.gzip;
import static io.auditkeeper.ingest.IngestHarness.header;
import static io.auditkeeper.ingest.IngestHarness.post;
import static io.auditkeeper.ingest.IngestHarness.readCluster;
import static io.auditkeeper.ingest.IngestHarness.uniqueCluster;
import static io.auditkeeper.ingest.IngestHarness.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The webhook as an apiserver uses it: mutual TLS, real corpus batches, and the records they become in Kafka. */
@ExtendWith(LocalStackExtension.class)
class AuditWebhookIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static String bootstrap;
    private static DevPki pki;
    private static IngestService service;
    private static HttpClient apiserver;

    @BeforeAll
    static void start(LocalStack stack) throws Exception {
        bootstrap = stack.kafkaBootstrap();
        pki = DevPki.create(IngestHarness.target("pki-webhook"));
        service = IngestHarness.start(IngestHarness.settings(pki, bootstrap));
        apiserver = IngestHarness.client(pki.clientSslContext(pki.clientCert(), pki.clientKey()));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void shouldWriteEveryCorpusEventToAuditRawByteForByteWithKeyAndHeaders() throws Exception {
        String cluster = uniqueCluster("corpus");
        List<JsonNode> expected = new ArrayList<>();
        List<byte[]> expectedBytes = new ArrayList<>(Corpus.events());
        Instant before = Instant.now().minusSeconds(1);
        for (Path batch : Corpus.batches()) {
            byte[] body = Corpus.read(batch);
            HttpResponse<String> r = post(apiserver, uri(service, cluster), body);
            JsonNode items = MAPPER.readTree(body).get("items");
            assertThat(r.statusCode()).as(batch.toString()).isEqualTo(200);
            assertThat(MAPPER.readTree(r.body())).isEqualTo(MAPPER.readTree("{\"accepted\":" + items.size() + ",\"rejected\":0}"));
            for (JsonNode item : items) {
                expected.add(item);
            }
        }
        HttpResponse<String> lines = post(apiserver, uri(service, cluster), Corpus.eventList(expectedBytes));
        assertThat(lines.statusCode()).isEqualTo(200);

        List<ConsumerRecord<byte[], byte[]>> records = readCluster(bootstrap, AuditTopics.RAW, cluster);

        assertThat(records).hasSize(expected.size() + expectedBytes.size());
        Map<JsonNode, Integer> receivedEvents = new HashMap<>();
        Set<ByteBuffer> receivedBytes = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            JsonNode event = MAPPER.readTree(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(event.get("auditID").asText());
            assertThat(header(r, AuditHeaders.CLIENT)).isEqualTo("mtls:" + DevPki.CLIENT_SUBJECT);
            assertThat(header(r, AuditHeaders.SOURCE)).isEqualTo(AuditHeaders.SOURCE_WEBHOOK);
            assertThat(header(r, AuditHeaders.FORMAT)).isEqualTo(AuditHeaders.FORMAT_K8S_EVENT);
            assertThat(Instant.parse(header(r, AuditHeaders.RECEIVED_AT))).isBetween(before, Instant.now());
            receivedEvents.merge(event, 1, Integer::sum);
            receivedBytes.add(ByteBuffer.wrap(r.value()));
        }
        Map<JsonNode, Integer> expectedEvents = new HashMap<>();
        for (JsonNode e : concat(expected, expectedBytes)) {
            expectedEvents.merge(e, 1, Integer::sum);
        }
        assertThat(receivedEvents).isEqualTo(expectedEvents);
        // The ndjson lines went in as raw bytes; each one comes out byte for byte.
        List<byte[]> missing = expectedBytes.stream().filter(line -> !receivedBytes.contains(ByteBuffer.wrap(line))).toList();
        assertThat(missing).isEmpty();
    }

    @Test
    void shouldRecordTheDefaultClusterForBatchesPostedToAudit() throws Exception {
        String id = "default-" + System.nanoTime();
        HttpResponse<String> r = post(apiserver, uri(service, null), oneEvent(id, "ResponseComplete"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(readCluster(bootstrap, AuditTopics.RAW, "default"))
                .anySatisfy(rec -> assertThat(new String(rec.key(), StandardCharsets.UTF_8)).isEqualTo(id));
    }

    @Test
    void shouldAcceptAGzipBody() throws Exception {
        String cluster = uniqueCluster("gzip");
        byte[] body = Corpus.read(Corpus.batches().get(0));

        HttpResponse<String> r = post(apiserver, uri(service, cluster), gzip(body), Map.of("Content-Encoding", "gzip"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).hasSize(MAPPER.readTree(body).get("items").size());
    }

    @Test
    void shouldAnswer400AndKeepTheBodyInTheDeadLetterTopicWhenTheBodyIsNotJson() throws Exception {
        String cluster = uniqueCluster("malformed");
        byte[] body = "{\"kind\":\"EventList\",\"items\":[{\"auditID\":\"x\",".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> r = post(apiserver, uri(service, cluster), body);

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = MAPPER.readTree(r.body());
        assertThat(error.get("error").asText()).isEqualTo("malformed-json");
        assertThat(error.get("message").asText()).startsWith("the body is not valid JSON");
        List<ConsumerRecord<byte[], byte[]>> dlq = readCluster(bootstrap, AuditTopics.DEAD_LETTER, cluster);
        assertThat(dlq).hasSize(1);
        assertThat(dlq.get(0).value()).isEqualTo(body);
        assertThat(header(dlq.get(0), AuditHeaders.DLQ_REASON)).isEqualTo("malformed-json");
        assertThat(header(dlq.get(0), AuditHeaders.DLQ_SOURCE)).isEqualTo("ingest");
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).isEmpty();
    }

    @Test
    void shouldAnswer400AndKeepTheBodyWhenJsonIsNotAnEventList() throws Exception {
        String cluster = uniqueCluster("notalist");
        byte[] body = "{\"kind\":\"PodList\",\"items\":[]}".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> r = post(apiserver, uri(service, cluster), body);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(r.body()).get("error").asText()).isEqualTo("not-an-event-list");
        assertThat(readCluster(bootstrap, AuditTopics.DEAD_LETTER, cluster)).singleElement()
                .satisfies(rec -> assertThat(rec.value()).isEqualTo(body));
    }

    @Test
    void shouldAnswer400AndKeepTheBytesWhenGzipIsCorrupt() throws Exception {
        String cluster = uniqueCluster("badgzip");
        byte[] good = gzip(Corpus.read(Corpus.batches().get(0)));
        byte[] corrupt = Arrays.copyOf(good, good.length / 2);

        HttpResponse<String> r = post(apiserver, uri(service, cluster), corrupt, Map.of("Content-Encoding", "gzip"));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(r.body()).get("error").asText()).isEqualTo("bad-content-encoding");
        List<ConsumerRecord<byte[], byte[]>> dlq = readCluster(bootstrap, AuditTopics.DEAD_LETTER, cluster);
        assertThat(dlq).singleElement().satisfies(rec -> {
            assertThat(rec.value()).isEqualTo(corrupt);
            assertThat(header(rec, AuditHeaders.DLQ_REASON)).isEqualTo("bad-content-encoding");
        });
    }

    @Test
    void shouldSendABadEventToTheDeadLetterTopicAndAcceptTheRestOfTheBatch() throws Exception {
        String cluster = uniqueCluster("mixed");
        List<byte[]> events = new ArrayList<>(Corpus.events().subList(0, 10));
        byte[] noAuditId = "{\"kind\":\"Event\",\"stage\":\"ResponseComplete\",\"verb\":\"get\"}".getBytes(StandardCharsets.UTF_8);
        byte[] noStage = "{\"kind\":\"Event\",\"auditID\":\"no-stage-1\",\"verb\":\"get\"}".getBytes(StandardCharsets.UTF_8);
        events.add(3, noAuditId);
        events.add(7, noStage);
        events.add("\"not an event\"".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> r = post(apiserver, uri(service, cluster), Corpus.eventList(events));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(r.body())).isEqualTo(MAPPER.readTree("{\"accepted\":10,\"rejected\":3}"));
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).hasSize(10);
        List<ConsumerRecord<byte[], byte[]>> dlq = readCluster(bootstrap, AuditTopics.DEAD_LETTER, cluster);
        assertThat(dlq).extracting(rec -> header(rec, AuditHeaders.DLQ_REASON))
                .containsExactlyInAnyOrder("missing-audit-id", "missing-stage", "not-an-object");
        assertThat(dlq).extracting(ConsumerRecord::value).anySatisfy(v -> assertThat(v).isEqualTo(noAuditId))
                .anySatisfy(v -> assertThat(v).isEqualTo(noStage));
        assertThat(dlq).filteredOn(rec -> "missing-stage".equals(header(rec, AuditHeaders.DLQ_REASON)))
                .singleElement().satisfies(rec -> assertThat(new String(rec.key(), StandardCharsets.UTF_8)).isEqualTo("no-stage-1"));
    }

    @Test
    void shouldRefuseAClientWithoutACertificate() {
        HttpClient anonymous = IngestHarness.client(pki.trustOnlySslContext());

        assertThatThrownBy(() -> post(anonymous, uri(service, "nocert"), oneEvent("nocert-1", "ResponseComplete")))
                .isInstanceOf(IOException.class);
    }

    @Test
    void shouldRefuseACertificateFromAnotherCa() {
        DevPki other = DevPki.createUntrusted(IngestHarness.target("pki-other"));
        SSLContext ctx = pki.clientSslContext(other.clientCert(), other.clientKey());
        HttpClient impostor = IngestHarness.client(ctx);

        assertThatThrownBy(() -> post(impostor, uri(service, "impostor"), oneEvent("impostor-1", "ResponseComplete")))
                .isInstanceOf(IOException.class);
    }

    @Test
    void shouldRefuseATls11ClientHello() throws Exception {
        try (Socket s = new Socket("127.0.0.1", service.webhookUri().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(TlsClientHello.tls11());
            out.flush();
            InputStream in = s.getInputStream();
            int contentType = in.read();
            // 21 = alert; a server that accepted TLS 1.1 would answer 22 (handshake: ServerHello).
            assertThat(contentType).isIn(21, -1);
            if (contentType == 21) {
                byte[] rest = new DataInputStream(in).readNBytes(6);
                assertThat(rest[5]).as("alert description").isEqualTo((byte) 70); // protocol_version
            }
        }
    }

    @Test
    void shouldAcceptTls12AndTls13Clients() throws Exception {
        for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
            SSLParameters params = new SSLParameters();
            params.setProtocols(new String[]{protocol});
            HttpClient c = HttpClient.newBuilder().sslContext(pki.clientSslContext(pki.clientCert(), pki.clientKey()))
                    .sslParameters(params).version(HttpClient.Version.HTTP_1_1).build();
            assertThat(post(c, uri(service, "tls"), oneEvent("tls-" + protocol, "ResponseComplete")).statusCode())
                    .as(protocol).isEqualTo(200);
        }
    }

    @Test
    void shouldAnswerClearErrorsForWrongPathsMethodsAndMediaTypes() throws Exception {
        URI base = uri(service, null);
        assertThat(post(apiserver, base.resolve("/events"), oneEvent("p", "x")).statusCode()).isEqualTo(404);
        assertThat(post(apiserver, base.resolve("/audit/a/b"), oneEvent("p", "x")).statusCode()).isEqualTo(404);
        HttpResponse<String> bad = post(apiserver, base.resolve("/audit/Bad_Name!"), oneEvent("p", "x"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(bad.body()).get("error").asText()).isEqualTo("bad-cluster-name");
        HttpResponse<String> get = apiserver.send(java.net.http.HttpRequest.newBuilder(base).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");
        assertThat(post(apiserver, base, oneEvent("p", "x"), Map.of("Content-Type", "text/plain")).statusCode()).isEqualTo(415);
        assertThat(post(apiserver, base, oneEvent("p", "x"), Map.of("Content-Encoding", "br")).statusCode()).isEqualTo(415);
    }

    @Test
    void shouldServeHealthReadinessAndMetricsOnTheAdminPort() throws Exception {
        post(apiserver, uri(service, "metrics"), oneEvent("metrics-1", "ResponseComplete"));
        // an item without an auditID goes to the dead-letter topic: the rejected counter appears with its first use
        assertThat(post(apiserver, uri(service, "metrics"), Corpus.eventList(List.of(
                "{\"stage\":\"ResponseComplete\",\"verb\":\"get\"}".getBytes(StandardCharsets.UTF_8)))).statusCode())
                .isEqualTo(200);

        assertThat(get(admin(service, "/healthz")).statusCode()).isEqualTo(200);
        assertThat(get(admin(service, "/readyz")).statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get(admin(service, "/metrics"));
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("auditkeeper_ingest_requests_total{status=\"200\"}")
                .contains("auditkeeper_ingest_events_accepted_total")
                .contains("auditkeeper_ingest_received_bytes_total{encoding=\"wire\"}")
                .contains("auditkeeper_ingest_ack_latency_seconds_bucket")
                .contains("auditkeeper_ingest_inflight_bytes")
                .contains("kafka_producer_record_send_total")
                .contains("auditkeeper_ingest_events_rejected_total{reason=\"missing-audit-id\"}");
        assertThat(sample(metrics.body(), "auditkeeper_ingest_tls_certificate_expiry_timestamp_seconds{certificate=\"server\"}"))
                .isEqualTo(PemFiles.certificates(pki.serverCert()).get(0).getNotAfter().toInstant().getEpochSecond());
        assertThat(sample(metrics.body(), "auditkeeper_ingest_tls_certificate_expiry_timestamp_seconds{certificate=\"client-ca\"}"))
                .isEqualTo(PemFiles.certificates(pki.caCert()).get(0).getNotAfter().toInstant().getEpochSecond());
        Files.writeString(IngestHarness.target("ingest-metrics.txt"), metrics.body());
        assertThat(OperationsDoc.missingFrom("ingest", metrics.body()))
                .as("metrics docs/operations.md lists for ingest but /metrics does not serve").isEmpty();
    }

    @Test
    void shouldAcceptManyConcurrentPostersAndLoseNothing() throws Exception {
        String cluster = uniqueCluster("concurrent");
        List<byte[]> events = Corpus.events();
        int posters = 8;
        int batchesEach = 10;
        ExecutorService pool = Executors.newFixedThreadPool(posters);
        List<Future<Integer>> sent = new ArrayList<>();
        SecureRandom random = new SecureRandom();
        for (int p = 0; p < posters; p++) {
            int seed = random.nextInt(events.size());
            sent.add(pool.submit(() -> {
                int count = 0;
                for (int b = 0; b < batchesEach; b++) {
                    int from = (seed + b * 37) % (events.size() - 50);
                    List<byte[]> batch = events.subList(from, from + 50);
                    HttpResponse<String> r = post(apiserver, uri(service, cluster), Corpus.eventList(batch));
                    assertThat(r.statusCode()).isEqualTo(200);
                    count += batch.size();
                }
                return count;
            }));
        }
        int total = 0;
        for (Future<Integer> f : sent) {
            total += f.get();
        }
        pool.shutdown();

        assertThat(total).isEqualTo(posters * batchesEach * 50);
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).hasSize(total);
    }

    /** The value of the sample {@code series} (name and labels exactly as scraped) as a whole number. */
    private static long sample(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> (long) Double.parseDouble(l.substring(series.length() + 1).strip()))
                .orElseThrow(() -> new AssertionError(series + " not on /metrics"));
    }

    static byte[] oneEvent(String auditId, String stage) {
        return ("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[{\"kind\":\"Event\","
                + "\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"" + auditId + "\",\"stage\":\""
                + stage + "\",\"requestURI\":\"/api/v1/namespaces/default/pods\",\"verb\":\"list\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static List<JsonNode> concat(List<JsonNode> a, List<byte[]> b) throws IOException {
        List<JsonNode> out = new ArrayList<>(a);
        for (byte[] x : b) {
            out.add(MAPPER.readTree(x));
        }
        return out;
    }
}
