package io.auditkeeper.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.EmbeddedKafka;
import io.auditkeeper.localstack.Waits;
import io.auditkeeper.model.AuditTopics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static io.auditkeeper.ingest.IngestHarness.post;
import static io.auditkeeper.ingest.IngestHarness.readCluster;
import static io.auditkeeper.ingest.IngestHarness.uniqueCluster;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.data;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.request;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Firehose's retry contract with Kafka down: a request is answered 503 in Firehose's format, which Firehose retries,
 * and the same request resent once Kafka is back is answered 200 with its event in {@code audit.raw}. Uses its own
 * broker, since it stops it.
 */
class FirehoseKafkaOutageIT {
    private static final String ACCESS_KEY = "firehose-outage-access-key-0123456789";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static EmbeddedKafka kafka;
    private static IngestService service;
    private static HttpClient firehose;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(IngestHarness.target("kafka-firehose-outage-" + System.nanoTime()));
        DevPki pki = DevPki.create(IngestHarness.target("pki-firehose-outage"));
        Path keys = Files.writeString(IngestHarness.target("pki-firehose-outage").resolve("keys.csv"),
                ACCESS_KEY + ",eks-prod\n");
        Map<String, Object> settings = IngestHarness.settings(pki, kafka.bootstrapServers());
        settings.put("auth.mode", "mtls-or-token");
        settings.put("auth.token-file", keys.toString());
        settings.put("firehose.eks.enabled", "true");
        settings.put("firehose.eks.access-key-file", keys.toString());
        settings.put("limits.ack-timeout-ms", "2000");
        service = IngestHarness.start(settings);
        firehose = IngestHarness.client(pki.trustOnlySslContext());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldAnswer503InFirehosesFormatWhileKafkaIsDownAndTakeTheResendOnceItIsBack() throws Exception {
        String cluster = uniqueCluster("outage");
        String requestId = UUID.randomUUID().toString();
        byte[] body = request(requestId, List.of(data(text("eks-subscription-message.json")
                .replace("/aws/eks/phi-prod/cluster", "/aws/eks/" + cluster + "/cluster").getBytes(StandardCharsets.UTF_8))));
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();

        kafka.stop();
        assertThat(Waits.until(Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
            last.set(deliver(body, requestId));
            return last.get().statusCode() == 503;
        })).as("503 while Kafka is down").isTrue();
        JsonNode refused = MAPPER.readTree(last.get().body());
        assertThat(refused.get("requestId").asText()).isEqualTo(requestId);
        assertThat(refused.get("timestamp").isIntegralNumber()).isTrue();
        assertThat(refused.get("errorMessage").asText()).startsWith("kafka-unavailable: ");

        kafka.restart();
        assertThat(Waits.until(Duration.ofSeconds(90), Duration.ofMillis(200), () -> {
            last.set(deliver(body, requestId));
            return last.get().statusCode() == 200;
        })).as("the resend accepted once Kafka is back").isTrue();
        assertThat(MAPPER.readTree(last.get().body()).get("requestId").asText()).isEqualTo(requestId);
        assertThat(readCluster(kafka.bootstrapServers(), AuditTopics.RAW, cluster)).isNotEmpty()
                .allSatisfy(rec -> assertThat(new String(rec.key(), StandardCharsets.UTF_8))
                        .isEqualTo("6f1c2a0e-3b7d-4e59-9a61-0c8d2f4b7e15"));
    }

    /** One attempt as Firehose makes it; a failed connection counts as no answer (status -1). */
    private static HttpResponse<String> deliver(byte[] body, String requestId) {
        try {
            return post(firehose, URI.create("https://localhost:" + service.webhookUri().getPort() + "/firehose/eks"), body,
                    Map.of("X-Amz-Firehose-Request-Id", requestId, "X-Amz-Firehose-Access-Key", ACCESS_KEY));
        } catch (Exception e) {
            throw new IllegalStateException("the request failed without an answer", e);
        }
    }
}
