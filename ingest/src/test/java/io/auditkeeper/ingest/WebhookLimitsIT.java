package io.auditkeeper.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.MetricsScrape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;

import static io.auditkeeper.ingest.IngestHarness.gzip;
import static io.auditkeeper.ingest.IngestHarness.post;
import static io.auditkeeper.ingest.IngestHarness.uri;
import static org.assertj.core.api.Assertions.assertThat;

/** Each limit at its edge: the last accepted value and the first refused one, with the status a client sees. */
@ExtendWith(LocalStackExtension.class)
class WebhookLimitsIT {
    private static final int MAX_BODY = 64 * 1024;
    private static final int MAX_EVENTS = 5;
    private static final int MAX_IN_FLIGHT = 100_000;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static DevPki pki;
    private static IngestService service;
    private static HttpClient apiserver;

    @BeforeAll
    static void start(LocalStack stack) throws Exception {
        pki = DevPki.create(IngestHarness.target("pki-limits"));
        Map<String, Object> settings = IngestHarness.settings(pki, stack.kafkaBootstrap());
        settings.put("limits.max-body-bytes", Integer.toString(MAX_BODY));
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
    void shouldAcceptABodyOfExactlyTheLimitAndRefuseOneByteMoreWith413() throws Exception {
        HttpResponse<String> atLimit = post(apiserver, uri(service, "limits"), paddedBatch(MAX_BODY));
        HttpResponse<String> over = post(apiserver, uri(service, "limits"), paddedBatch(MAX_BODY + 1));

        assertThat(atLimit.statusCode()).isEqualTo(200);
        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(MAPPER.readTree(over.body()).get("error").asText()).isEqualTo("body-too-large");
    }

    @Test
    void shouldApplyTheBodyLimitAfterDecompressionSoAGzipBombStops() throws Exception {
        byte[] bomb = gzip(paddedBatch(10 * 1024 * 1024));
        assertThat(bomb.length).isLessThan(MAX_BODY / 4);

        HttpResponse<String> r = post(apiserver, uri(service, "limits"), bomb, Map.of("Content-Encoding", "gzip"));
        HttpResponse<String> atLimit = post(apiserver, uri(service, "limits"), gzip(paddedBatch(MAX_BODY)),
                Map.of("Content-Encoding", "gzip"));

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(atLimit.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAcceptExactlyTheMostEventsPerBatchAndRefuseOneMoreWith413() throws Exception {
        HttpResponse<String> atLimit = post(apiserver, uri(service, "limits"), events(MAX_EVENTS));
        HttpResponse<String> over = post(apiserver, uri(service, "limits"), events(MAX_EVENTS + 1));

        assertThat(atLimit.statusCode()).isEqualTo(200);
        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(MAPPER.readTree(over.body()).get("error").asText()).isEqualTo("too-many-events");
    }

    @Test
    void shouldAnswer408WhenTheBodyDoesNotArriveInTime() throws Exception {
        try (SSLSocket s = stalledUpload(1000, 10)) {
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertThat(status).startsWith("HTTP/1.1 408");
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

    private static byte[] events(int n) {
        List<byte[]> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(("{\"auditID\":\"n-" + n + "-" + i + "\",\"stage\":\"ResponseComplete\"}").getBytes(StandardCharsets.UTF_8));
        }
        return Corpus.eventList(items);
    }
}
