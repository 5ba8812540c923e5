package io.auditkeeper.ingest;

import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.Waits;
import io.auditkeeper.model.AuditTopics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSocket;

import static io.auditkeeper.ingest.IngestHarness.readCluster;
import static org.assertj.core.api.Assertions.assertThat;

/** Stopping ingest (SIGTERM) finishes the batch a client is sending, writes it to Kafka, then refuses new connections. */
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
