package io.auditkeeper.ingest;

import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.MetricsScrape;
import io.auditkeeper.model.AuditTopics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import static io.auditkeeper.ingest.IngestHarness.readAll;
import static io.auditkeeper.ingest.IngestHarness.readCluster;
import static io.auditkeeper.ingest.IngestHarness.uniqueCluster;
import static io.auditkeeper.ingest.IngestHarness.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Clients that do not behave: uploads announced large and sent slowly, one credential trying to hold the whole
 * in-flight budget, heads sent a byte at a time, connections opened and left silent, requests without credentials,
 * and requests that are ambiguous on the wire (Content-Length against Transfer-Encoding, encoded or dot-segment paths,
 * over-long heads). Each gets a 4xx or a closed connection with nothing stored, and none of it keeps a well-behaved
 * apiserver from getting its 200 within its 30 s timeout. The service runs with the production defaults for bodies
 * and budgets ({@code limits.max-body-bytes} 32 MiB, {@code limits.max-in-flight-bytes} 256 MiB, 64 MiB per client).
 */
@ExtendWith(LocalStackExtension.class)
class HostileClientsIT {
    private static final int MIB = 1024 * 1024;
    private static final int MAX_BODY = 32 * MIB;
    private static final int PER_CLIENT = 64 * MIB;
    private static final int HEADER_TIMEOUT_MS = 2_000;
    private static final int MAX_HEADER_BYTES = 8 * 1024;
    /** The kube-apiserver's webhook client timeout. */
    private static final Duration APISERVER_TIMEOUT = Duration.ofSeconds(30);
    private static final String TOKEN = "hostile-test-token-" + UUID.randomUUID();
    private static final Path DIR = IngestHarness.target("pki-hostile");
    /** What the slow uploaders send: JSON whitespace, one array for all of them. */
    private static final byte[] PADDING = new byte[MAX_BODY];

    static {
        Arrays.fill(PADDING, (byte) ' ');
    }

    private static String bootstrap;
    private static DevPki pki;
    private static IngestService service;
    private static HttpClient apiserver;
    private static SSLContext apiserverTls;
    private static SSLContext brokenTls;

    @BeforeAll
    static void start(LocalStack stack) throws Exception {
        bootstrap = stack.kafkaBootstrap();
        pki = DevPki.create(DIR);
        pki.issueClient("broken-uploader", "CN=broken-uploader,O=auditkeeper-demo");
        Path tokens = Files.writeString(DIR.resolve("tokens.csv"), TOKEN + ",token-client\n");
        Map<String, Object> settings = IngestHarness.settings(pki, bootstrap);
        settings.put("auth.mode", "mtls-or-token");
        settings.put("auth.token-file", tokens.toString());
        settings.put("limits.header-timeout-ms", Integer.toString(HEADER_TIMEOUT_MS));
        settings.put("limits.max-header-bytes", Integer.toString(MAX_HEADER_BYTES));
        service = IngestHarness.start(settings);
        apiserverTls = pki.clientSslContext(pki.clientCert(), pki.clientKey());
        brokenTls = pki.clientSslContext(DIR.resolve("broken-uploader.crt"), DIR.resolve("broken-uploader.key"));
        apiserver = IngestHarness.client(apiserverTls);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void shouldAnswerAWellBehavedApiserverWithin30sWhileEightSlowUploadersHoldConnections() throws Exception {
        String cluster = uniqueCluster("beside-slow");
        byte[] batch = Corpus.eventList(Corpus.events().subList(0, 400));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService uploaders = Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 8; i++) {
                uploaders.submit(() -> slowUploads(stop, refused));
            }
            // Two uploaders hold the broken client's whole share; the other six are refused it.
            awaitMetric("auditkeeper_ingest_inflight_bytes", v -> v >= PER_CLIENT);

            int batches = 0;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < until) {
                HttpRequest request = HttpRequest.newBuilder(uri(service, cluster)).timeout(APISERVER_TIMEOUT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(batch)).build();
                HttpResponse<String> answer = apiserver.send(request, HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).as("batch %d, first attempt: %s", batches, answer.body()).isEqualTo(200);
                batches++;
                Thread.sleep(500); // an apiserver's steady pace: two batches a second
            }

            assertThat(refused.get()).as("uploads refused for the broken client's share").isPositive();
            assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).hasSize(batches * 400);
        } finally {
            stop.set(true);
            uploaders.shutdownNow();
            assertThat(uploaders.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * A broken client, again and again: announces a body at the cap, sends three quarters of it at once, then a
     * byte a second; when answered or cut off it pauses a second and starts over.
     */
    private static void slowUploads(AtomicBoolean stop, AtomicInteger refused) {
        byte[] body = PADDING;
        while (!stop.get()) {
            try (SSLSocket s = open(brokenTls)) {
                s.setSoTimeout(1);
                OutputStream out = s.getOutputStream();
                out.write(head("/audit/slow-uploads", "Content-Length: " + MAX_BODY));
                int sent = 0;
                int fast = MAX_BODY / 4 * 3;
                while (!stop.get() && sent < MAX_BODY) {
                    int n = sent < fast ? Math.min(256 * 1024, fast - sent) : 1;
                    out.write(body, sent, n);
                    out.flush();
                    sent += n;
                    String answer = answer(s);
                    if (answer != null) {
                        if (answer.startsWith("HTTP/1.1 429")) {
                            refused.incrementAndGet();
                        }
                        break;
                    }
                    if (sent >= fast) {
                        Thread.sleep(1_000);
                    }
                }
            } catch (IOException e) {
                // cut off by the server (408, or 429 then a closed connection): start over
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The start of an answer if one has come (read with a 1 ms timeout), else null; "" if the server closed. */
    private static String answer(SSLSocket s) throws IOException {
        byte[] status = new byte[12];
        try {
            int first = s.getInputStream().read();
            if (first < 0) {
                return "";
            }
            status[0] = (byte) first;
        } catch (SocketTimeoutException e) {
            return null;
        }
        s.setSoTimeout(5_000);
        int n = 1 + s.getInputStream().readNBytes(status, 1, status.length - 1);
        return new String(status, 0, n, StandardCharsets.US_ASCII);
    }

    @Test
    void shouldAnswerARequestWithoutCredentialsAndCloseItsConnectionWithoutReadingItsBody() throws Exception {
        try (SSLSocket s = open(pki.trustOnlySslContext())) {
            // Ten bytes of a body announced at the cap, then nothing: draining it would wait limits.read-timeout-ms.
            s.setSoTimeout(10_000);
            s.getOutputStream().write(head("/audit/no-credentials", "Content-Length: " + MAX_BODY));
            s.getOutputStream().write("{\"items\":[".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();

            String answer = readToEnd(s.getInputStream());

            assertThat(answer).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
        }
    }

    @Test
    void shouldCloseAConnectionWhoseHeadTricklesInAByteAtATime() throws Exception {
        double closedBefore = closedForSlowHead();
        try (SSLSocket s = open(apiserverTls)) {
            s.setSoTimeout(100);
            OutputStream out = s.getOutputStream();
            byte[] head = head("/audit/slowloris", "X-Slow: " + "x".repeat(200));
            boolean cut = false;
            // 200 bytes at one per 100 ms would take 20 s; the head must arrive within 2 s.
            for (int i = 0; i < head.length && !cut; i++) {
                try {
                    out.write(head[i]);
                    out.flush();
                    cut = s.getInputStream().read() < 0;
                } catch (SocketTimeoutException e) {
                    // nothing to read yet: go on sending
                } catch (IOException e) {
                    cut = true;
                }
            }
            assertThat(cut).as("connection cut before the head was complete").isTrue();
        }
        awaitMetric("auditkeeper_ingest_connections_closed_total", v -> v >= closedBefore + 1);
    }

    @Test
    void shouldCloseAConnectionThatSendsNothingAfterItsHandshake() throws Exception {
        try (SSLSocket s = open(apiserverTls)) {
            s.setSoTimeout(15_000);
            assertThat(s.getInputStream().read()).as("closed by the server, no answer").isEqualTo(-1);
        }
    }

    @Test
    void shouldKeepAnIdleKeptAliveConnectionPastTheHeaderTimeout() throws Exception {
        String cluster = uniqueCluster("kept-alive");
        try (SSLSocket s = open(apiserverTls)) {
            s.setSoTimeout(15_000);
            send(s, cluster, AuditWebhookIT.oneEvent(cluster + "-1", "ResponseComplete"));
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
            // Idle, not slow: the time between an answer and the next request's first byte is not a head's.
            Thread.sleep(2L * HEADER_TIMEOUT_MS);
            send(s, cluster, AuditWebhookIT.oneEvent(cluster + "-2", "ResponseComplete"));
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
        }
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).hasSize(2);
    }

    @Test
    void shouldRefuseAmbiguousRequestsWith4xxAndStoreNothing() throws Exception {
        String id = "ambiguous-" + UUID.randomUUID();
        byte[] body = AuditWebhookIT.oneEvent(id, "ResponseComplete");
        String length = "Content-Length: " + body.length;
        List<String> cases = new ArrayList<>();
        cases.add(exchange("/audit/%61mbiguous", body, length));
        cases.add(exchange("/audit/./ambiguous", body, length));
        cases.add(exchange("/audit/x/../ambiguous", body, length));
        cases.add(exchange("/audit/%2e%2e/audit/ambiguous", body, length));
        cases.add(exchange("/audit//ambiguous", body, length));
        cases.add(exchange("/audit/ambiguous;v=1", body, length));
        cases.add(exchange("/audit/ambiguous", chunked(body), length + "\r\nTransfer-Encoding: chunked"));
        cases.add(exchange("/audit/ambiguous", body, length + "\r\nContent-Length: " + (body.length - 1)));
        cases.add(exchange("/audit/ambiguous", body, length + "\r\nX-Pad: " + "p".repeat(MAX_HEADER_BYTES)));

        assertThat(cases).allSatisfy(status -> assertThat(status).matches("HTTP/1.1 4\\d\\d.*"));
        assertThat(cases.get(8)).startsWith("HTTP/1.1 431");
        List<ConsumerRecord<byte[], byte[]>> stored = new ArrayList<>(readAll(bootstrap, AuditTopics.RAW));
        stored.addAll(readAll(bootstrap, AuditTopics.DEAD_LETTER));
        assertThat(stored).noneMatch(r -> r.value() != null && new String(r.value(), StandardCharsets.UTF_8).contains(id));
        // the same body on the canonical path is stored, so the search above can find it
        assertThat(exchange("/audit/ambiguous", body, length)).startsWith("HTTP/1.1 200");
        assertThat(readAll(bootstrap, AuditTopics.RAW))
                .anyMatch(r -> new String(r.value(), StandardCharsets.UTF_8).contains(id));
    }

    @Test
    void shouldHoldNewConnectionsAtTheConnectionLimitUntilOneCloses(LocalStack stack) throws Exception {
        Map<String, Object> settings = IngestHarness.settings(pki, bootstrap);
        settings.put("limits.max-connections", "3");
        settings.put("limits.header-timeout-ms", "60000");
        try (IngestService limited = IngestHarness.start(settings)) {
            int port = limited.webhookUri().getPort();
            List<SSLSocket> holders = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                holders.add(open(apiserverTls, port));
            }
            CompletableFuture<SSLSocket> fourth = CompletableFuture.supplyAsync(() -> {
                try {
                    return open(apiserverTls, port);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                assertThatThrownBy(() -> fourth.get(2, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);

                holders.remove(0).close();
                String cluster = uniqueCluster("at-limit");
                try (SSLSocket s = fourth.get(20, TimeUnit.SECONDS)) {
                    s.setSoTimeout(15_000);
                    send(s, cluster, AuditWebhookIT.oneEvent(cluster + "-1", "ResponseComplete"));
                    assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
                }
            } finally {
                for (SSLSocket h : holders) {
                    h.close();
                }
            }
        }
    }

    /** The status line of one request written as is to a fresh connection with the apiserver's certificate. */
    private static String exchange(String path, byte[] body, String headers) throws IOException {
        try (SSLSocket s = open(apiserverTls)) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(head(path, headers));
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // the server may answer and close before taking all of a refused request; its answer is still read
            }
            String answer = readHead(s.getInputStream());
            return answer.isEmpty() ? "(closed without an answer)" : answer.lines().findFirst().orElseThrow();
        }
    }

    private static byte[] chunked(byte[] body) {
        return (Integer.toHexString(body.length) + "\r\n" + new String(body, StandardCharsets.UTF_8) + "\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void send(SSLSocket s, String cluster, byte[] body) throws IOException {
        s.getOutputStream().write(head("/audit/" + cluster, "Content-Length: " + body.length));
        s.getOutputStream().write(body);
        s.getOutputStream().flush();
    }

    private static byte[] head(String path, String headers) {
        return ("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + headers
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static SSLSocket open(SSLContext tls) throws IOException {
        return open(tls, service.webhookUri().getPort());
    }

    private static SSLSocket open(SSLContext tls, int port) throws IOException {
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("localhost", port);
        s.setSoTimeout(20_000);
        s.startHandshake();
        return s;
    }

    /** The status line and headers of one answer, and its body if it has a Content-Length; empty if closed. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        String text = head.toString();
        int length = text.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .mapToInt(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
        in.readNBytes(length);
        return text;
    }

    private static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    private static double closedForSlowHead() throws Exception {
        MetricsScrape m = MetricsScrape.of(service.adminPort());
        return m.count("auditkeeper_ingest_connections_closed_total") == 0 ? 0
                : m.value("auditkeeper_ingest_connections_closed_total");
    }

    private static void awaitMetric(String name, java.util.function.DoublePredicate condition) throws Exception {
        java.util.function.Predicate<MetricsScrape> fits = m -> m.count(name) == 1 && condition.test(m.value(name));
        MetricsScrape last = MetricsScrape.await(service.adminPort(), Duration.ofSeconds(60), fits);
        if (!fits.test(last)) {
            throw new AssertionError("timed out waiting for " + name + "; last scrape: " + last.lines(name));
        }
    }
}
