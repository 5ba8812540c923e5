package io.auditkeeper.ingest;

import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.Waits;
import io.auditkeeper.model.AuditTopics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSocket;

import static io.auditkeeper.ingest.IngestHarness.readCluster;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping ingest (SIGTERM) finishes the batch a client is sending, writes it to Kafka, then refuses new connections;
 * a batch that arrives on an open connection meanwhile gets a 503 the apiserver resends (it carries Retry-After).
 */
@ExtendWith(LocalStackExtension.class)
class GracefulShutdownIT {
    @Test
    void shouldFinishABatchInFlightWhenStopped(LocalStack stack) throws Exception {
        DevPki pki = DevPki.create(IngestHarness.target("pki-shutdown"));
        Map<String, Object> settings = IngestHarness.settings(pki, stack.kafkaBootstrap());
        settings.put("limits.read-timeout-ms", "20000");
        IngestService service = IngestHarness.start(settings);
        int port = service.webhookUri().getPort();
        String cluster = IngestHarness.uniqueCluster("shutdown");
        byte[] body = AuditWebhookIT.oneEvent(cluster + "-1", "ResponseComplete");

        try (SSLSocket s = (SSLSocket) pki.clientSslContext(pki.clientCert(), pki.clientKey()).getSocketFactory()
                .createSocket("localhost", port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /audit/" + cluster + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, 10);
            out.flush();
            waitForInFlightBytes(service);

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(service::close);
            waitUntilRefusingConnections(port);
            // A client whose rest of the batch comes two seconds into the shutdown (longer than Jetty's default
            // shutdown idle timeout of one second).
            Thread.sleep(2_000);
            out.write(body, 10, body.length - 10);
            out.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            stopping.get();

            assertThat(status).startsWith("HTTP/1.1 200");
        }
        assertThat(readCluster(stack.kafkaBootstrap(), AuditTopics.RAW, cluster)).hasSize(1);
    }

    @Test
    void shouldAnswerABatchArrivingWhileStoppingWith503AndRetryAfterSoThatTheApiserverResendsIt(LocalStack stack)
            throws Exception {
        DevPki pki = DevPki.create(IngestHarness.target("pki-shutdown-resend"));
        Map<String, Object> settings = IngestHarness.settings(pki, stack.kafkaBootstrap());
        settings.put("limits.read-timeout-ms", "20000");
        IngestService service = IngestHarness.start(settings);
        int port = service.webhookUri().getPort();
        String cluster = IngestHarness.uniqueCluster("shutdown-resend");
        byte[] held = AuditWebhookIT.oneEvent(cluster + "-held", "ResponseComplete");
        byte[] late = AuditWebhookIT.oneEvent(cluster + "-late", "ResponseComplete");

        try (SSLSocket holder = open(pki, port); SSLSocket keepAlive = open(pki, port)) {
            send(keepAlive, cluster, AuditWebhookIT.oneEvent(cluster + "-first", "ResponseComplete"), -1);
            assertThat(readAnswer(keepAlive).get(0)).startsWith("HTTP/1.1 200");
            send(holder, cluster, held, 10);
            waitForInFlightBytes(service);

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(service::close);
            waitUntilRefusingConnections(port);
            send(keepAlive, cluster, late, -1);
            List<String> answer = readAnswer(keepAlive);
            holder.getOutputStream().write(held, 10, held.length - 10);
            holder.getOutputStream().flush();
            String heldStatus = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            stopping.get();

            assertThat(answer.get(0)).startsWith("HTTP/1.1 503");
            assertThat(answer).contains("retry-after: 1");
            assertThat(heldStatus).startsWith("HTTP/1.1 200");
        }
    }

    private static SSLSocket open(DevPki pki, int port) throws Exception {
        SSLSocket s = (SSLSocket) pki.clientSslContext(pki.clientCert(), pki.clientKey()).getSocketFactory()
                .createSocket("localhost", port);
        s.setSoTimeout(20_000);
        s.startHandshake();
        return s;
    }

    /** Sends a request with the first {@code sent} bytes of its body (all of it if negative). */
    private static void send(SSLSocket s, String cluster, byte[] body, int sent) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(("POST /audit/" + cluster + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body, 0, sent < 0 ? body.length : sent);
        out.flush();
    }

    /** The status line and the header lines (lower case) of an answer, and its body consumed. */
    private static List<String> readAnswer(SSLSocket s) throws Exception {
        InputStream in = s.getInputStream();
        List<String> lines = new ArrayList<>();
        int length = 0;
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            lines.add(lines.isEmpty() ? line : line.toLowerCase());
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).strip());
            }
        }
        in.readNBytes(length);
        return lines;
    }

    private static String readLine(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != -1; c = in.read()) {
            if (c == '\n') {
                return sb.toString().stripTrailing();
            }
            sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    /** Looks at the in-flight gauge every 10 ms (not in a spin, which would take a core from the server) for 10 s. */
    private static void waitForInFlightBytes(IngestService service) throws InterruptedException {
        if (!Waits.until(Duration.ofSeconds(10), Duration.ofMillis(10),
                () -> service.registry().get("auditkeeper.ingest.inflight.bytes").gauge().value() > 0)) {
            throw new AssertionError("the request never started");
        }
    }

    /** Tries to connect every 10 ms until the server refuses, for 10 s. */
    private static void waitUntilRefusingConnections(int port) throws InterruptedException {
        if (!Waits.until(Duration.ofSeconds(10), Duration.ofMillis(10), () -> refusesConnections(port))) {
            throw new AssertionError("still accepting connections while stopping");
        }
    }

    private static boolean refusesConnections(int port) {
        try (Socket probe = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (java.io.IOException other) {
            return true;
        }
    }
}
