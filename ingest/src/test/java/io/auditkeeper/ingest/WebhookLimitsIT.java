package io.auditkeeper.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.MetricsScrape;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.AuditTopics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;

import static io.auditkeeper.ingest.IngestHarness.gzip;
import static io.auditkeeper.ingest.IngestHarness.header;
import static io.auditkeeper.ingest.IngestHarness.post;
import static io.auditkeeper.ingest.IngestHarness.readCluster;
import static io.auditkeeper.ingest.IngestHarness.uniqueCluster;
import static io.auditkeeper.ingest.IngestHarness.uri;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each limit at its edge: the last value handled the plain way and the first one past it, with the status a client
 * sees and what Kafka holds. Past the per-event and per-round limits nothing is refused; past the body cap the batch
 * is refused (413) and its loss recorded in the dead-letter topic.
 */
@ExtendWith(LocalStackExtension.class)
class WebhookLimitsIT {
    private static final int MAX_BODY = 64 * 1024;
    private static final int MAX_EVENTS = 5;
    private static final int MAX_EVENT = 16 * 1024;
    private static final int MAX_IN_FLIGHT = 100_000;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static String bootstrap;
    private static DevPki pki;
    private static IngestService service;
    private static HttpClient apiserver;

    @BeforeAll
    static void start(LocalStack stack) throws Exception {
        bootstrap = stack.kafkaBootstrap();
        pki = DevPki.create(IngestHarness.target("pki-limits"));
        Map<String, Object> settings = IngestHarness.settings(pki, bootstrap);
        settings.put("limits.max-body-bytes", Integer.toString(MAX_BODY));
        settings.put("limits.max-event-bytes", Integer.toString(MAX_EVENT));
        settings.put("limits.max-events-per-batch", Integer.toString(MAX_EVENTS));
        settings.put("limits.read-timeout-ms", "3000");
        settings.put("limits.max-in-flight-bytes", Integer.toString(MAX_IN_FLIGHT));
        service = IngestHarness.start(settings);
        apiserver = IngestHarness.client(pki.clientSslContext(pki.clientCert(), pki.clientKey()));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void shouldAcceptABodyOfExactlyTheLimitAndRecordOneByteMoreInTheDeadLetterTopicWith413() throws Exception {
        String cluster = uniqueCluster("body-cap");
        byte[] over = paddedBatch(MAX_BODY + 1);

        HttpResponse<String> atLimit = post(apiserver, uri(service, cluster), paddedBatch(MAX_BODY));
        HttpResponse<String> refused = post(apiserver, uri(service, cluster), over);

        assertThat(atLimit.statusCode()).isEqualTo(200);
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.headers().firstValue("Retry-After")).as("a batch over the cap never fits: no resend").isEmpty();
        assertThat(MAPPER.readTree(refused.body()).get("error").asText()).isEqualTo("body-too-large");
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).hasSize(1);
        assertBatchTooLarge(cluster, MAX_BODY + 1, sha256(over), "identity", false);
    }

    @Test
    void shouldRecordAChunkedBodyThatCrossesTheLimitAsItStreamsByItsWholeSizeAndHash() throws Exception {
        String cluster = uniqueCluster("body-chunked");
        byte[] over = paddedBatch(3 * MAX_BODY);
        HttpRequest chunked = HttpRequest.newBuilder(uri(service, cluster)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(over))).build();

        HttpResponse<String> refused = apiserver.send(chunked, HttpResponse.BodyHandlers.ofString());

        assertThat(refused.statusCode()).isEqualTo(413);
        assertBatchTooLarge(cluster, over.length, sha256(over), "identity", false);
    }

    @Test
    void shouldApplyTheBodyLimitAfterDecompressionSoAGzipBombStops() throws Exception {
        String cluster = uniqueCluster("body-gzip");
        byte[] bomb = gzip(paddedBatch(10 * 1024 * 1024));
        assertThat(bomb.length).isLessThan(MAX_BODY / 4);

        HttpResponse<String> r = post(apiserver, uri(service, cluster), bomb, Map.of("Content-Encoding", "gzip"));
        HttpResponse<String> atLimit = post(apiserver, uri(service, cluster), gzip(paddedBatch(MAX_BODY)),
                Map.of("Content-Encoding", "gzip"));

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(atLimit.statusCode()).isEqualTo(200);
        assertBatchTooLarge(cluster, bomb.length, sha256(bomb), "gzip", true);
    }

    @Test
    void shouldAcceptExactlyTheMostEventsPerRoundAndAcceptOneMoreInTwoRounds() throws Exception {
        String cluster = uniqueCluster("rounds");
        HttpResponse<String> atLimit = post(apiserver, uri(service, cluster), events("at", MAX_EVENTS));
        HttpResponse<String> over = post(apiserver, uri(service, cluster), events("over", MAX_EVENTS + 1));
        HttpResponse<String> many = post(apiserver, uri(service, cluster), events("many", 4 * MAX_EVENTS + 3));

        assertThat(atLimit.statusCode()).isEqualTo(200);
        assertThat(over.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(over.body()).get("accepted").asInt()).isEqualTo(MAX_EVENTS + 1);
        assertThat(many.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(many.body()).get("accepted").asInt()).isEqualTo(4 * MAX_EVENTS + 3);
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .hasSize(6 * MAX_EVENTS + 4).doesNotHaveDuplicates();
    }

    @Test
    void shouldForwardAnEventOfExactlyTheEventLimitAndDeadLetterOneByteMoreByItsSummary() throws Exception {
        String cluster = uniqueCluster("event-cap");
        byte[] atLimit = paddedEvent("event-at", MAX_EVENT);
        byte[] over = paddedEvent("event-over", MAX_EVENT + 1);
        byte[] small = ("{\"auditID\":\"event-small\",\"stage\":\"ResponseComplete\"}").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> r = post(apiserver, uri(service, cluster), Corpus.eventList(List.of(atLimit, over, small)));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(r.body())).isEqualTo(MAPPER.readTree("{\"accepted\":2,\"rejected\":1}"));
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).extracting(rec -> new String(rec.key(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("event-at", "event-small");
        assertThat(readCluster(bootstrap, AuditTopics.DEAD_LETTER, cluster)).singleElement().satisfies(rec -> {
            assertThat(header(rec, AuditHeaders.DLQ_REASON)).isEqualTo("event-too-large");
            assertThat(new String(rec.key(), StandardCharsets.UTF_8)).isEqualTo("event-over");
            JsonNode summary = MAPPER.readTree(rec.value());
            assertThat(summary.get("bytes").asInt()).isEqualTo(MAX_EVENT + 1);
            assertThat(summary.get("sha256").asText()).isEqualTo(sha256(over));
            assertThat(summary.get("event").get("auditID").asText()).isEqualTo("event-over");
            assertThat(summary.get("omitted")).extracting(JsonNode::asText).contains("requestObject");
            assertThat(rec.value().length).isLessThan(1024);
        });
    }

    @Test
    void shouldAnswer408WithRetryAfterWhenTheBodyDoesNotArriveInTimeSoThatTheApiserverResends() throws Exception {
        try (SSLSocket s = stalledUpload(1000, 10)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String status = in.readLine();
            List<String> headers = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                headers.add(line.toLowerCase());
            }
            assertThat(status).startsWith("HTTP/1.1 408");
            assertThat(headers).contains("retry-after: 1");
        }
    }

    @Test
    void shouldAnswer429AtOnceWhenTheInFlightBudgetIsSpent() throws Exception {
        try (SSLSocket holder = stalledUpload(60_000, 10)) {
            waitForInFlightBytes(v -> v >= 60_000, "in-flight bytes at least 60000");

            HttpResponse<String> r = post(apiserver, uri(service, "limits"), paddedBatch(60_000));

            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).contains("1");
        }
        // The server notices the holder's disconnect asynchronously; once its bytes are released there is room again.
        waitForInFlightBytes(v -> v == 0, "in-flight bytes back to 0");
        HttpResponse<String> after = post(apiserver, uri(service, "limits"), paddedBatch(60_000));
        assertThat(after.statusCode()).isEqualTo(200);
    }

    /** A client that sends the headers and a few bytes of a body, then nothing. */
    private static SSLSocket stalledUpload(int contentLength, int sent) throws Exception {
        SSLSocket s = (SSLSocket) pki.clientSslContext(pki.clientCert(), pki.clientKey()).getSocketFactory()
                .createSocket("localhost", service.webhookUri().getPort());
        s.setSoTimeout(20_000);
        s.startHandshake();
        OutputStream out = s.getOutputStream();
        out.write(("POST /audit/limits HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(paddedBatch(contentLength), 0, sent);
        out.flush();
        return s;
    }

    /** Scrapes /metrics every 200 ms ({@link MetricsScrape#await}), for up to 20 s, until the in-flight gauge fits. */
    private static void waitForInFlightBytes(java.util.function.DoublePredicate condition, String what) throws Exception {
        String gauge = "auditkeeper_ingest_inflight_bytes";
        java.util.function.Predicate<MetricsScrape> fits = m -> m.count(gauge) == 1 && condition.test(m.value(gauge));
        MetricsScrape last = MetricsScrape.await(service.adminPort(), Duration.ofSeconds(20), fits);
        if (!fits.test(last)) {
            throw new AssertionError("timed out waiting for " + what + "; last scrape: " + last.lines(gauge));
        }
    }

    /** A valid one-event EventList of exactly {@code size} bytes (padded with JSON whitespace). */
    static byte[] paddedBatch(int size) {
        byte[] core = AuditWebhookIT.oneEvent("pad-" + size, "ResponseComplete");
        byte[] out = Arrays.copyOf(core, size);
        Arrays.fill(out, core.length, size, (byte) ' ');
        return out;
    }

    private static byte[] events(String prefix, int n) {
        List<byte[]> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(("{\"auditID\":\"" + prefix + "-" + i + "\",\"stage\":\"ResponseComplete\"}").getBytes(StandardCharsets.UTF_8));
        }
        return Corpus.eventList(items);
    }

    /** An event of exactly {@code size} bytes, its bulk in {@code requestObject}. */
    static byte[] paddedEvent(String auditId, int size) {
        String head = "{\"auditID\":\"" + auditId + "\",\"stage\":\"ResponseComplete\",\"verb\":\"create\",\"requestObject\":{\"data\":\"";
        String tail = "\"}}";
        return (head + "x".repeat(size - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }

    /** The one batch-too-large record of the cluster: sizes and hash of the body, never its content. */
    private static void assertBatchTooLarge(String cluster, long wireBytes, String sha256, String encoding, boolean decoded) {
        assertThat(readCluster(bootstrap, AuditTopics.DEAD_LETTER, cluster)).singleElement().satisfies(rec -> {
            assertThat(header(rec, AuditHeaders.DLQ_REASON)).isEqualTo("batch-too-large");
            assertThat(header(rec, AuditHeaders.DLQ_SOURCE)).isEqualTo("ingest");
            assertThat(header(rec, AuditHeaders.CLIENT)).isEqualTo("mtls:" + DevPki.CLIENT_SUBJECT);
            assertThat(rec.key()).isNull();
            JsonNode summary = MAPPER.readTree(rec.value());
            assertThat(summary.get("wireBytes").asLong()).isEqualTo(wireBytes);
            assertThat(summary.get("complete").asBoolean()).isTrue();
            assertThat(summary.get("sha256").asText()).isEqualTo(sha256);
            assertThat(summary.get("contentEncoding").asText()).isEqualTo(encoding);
            assertThat(summary.get("decodedOverLimit").asBoolean()).isEqualTo(decoded);
            assertThat(summary.get("limit").asLong()).isEqualTo(MAX_BODY);
        });
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
