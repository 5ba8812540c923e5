package io.auditkeeper.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.ingest.pubsub.PushFixtures;
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
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.auditkeeper.ingest.IngestHarness.post;
import static io.auditkeeper.ingest.IngestHarness.readCluster;
import static io.auditkeeper.ingest.IngestHarness.uniqueCluster;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pub/Sub's redelivery contract with Kafka down: a push is answered 503, a negative acknowledgement Pub/Sub redelivers,
 * and the same message redelivered once Kafka is back is answered 200 with its entry in {@code audit.raw}. Uses its
 * own broker, since it stops it.
 */
class GkePubSubKafkaOutageIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final PushFixtures GOOGLE = new PushFixtures();
    private static EmbeddedKafka kafka;
    private static IngestService service;
    private static HttpClient pubsub;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(IngestHarness.target("kafka-pubsub-outage-" + System.nanoTime()));
        DevPki pki = DevPki.create(IngestHarness.target("pki-pubsub-outage"));
        Path jwks = GOOGLE.writeJwks(IngestHarness.target("pki-pubsub-outage").resolve("google-certs.json"));
        Map<String, Object> settings = IngestHarness.settings(pki, kafka.bootstrapServers());
        settings.put("auth.mode", "mtls-or-token");
        settings.put("auth.token-file", Files.writeString(IngestHarness.target("pki-pubsub-outage").resolve("tokens.csv"),
                "apiserver-token-0123456789abcdef,apiserver\n").toString());
        settings.put("pubsub.gke.enabled", "true");
        settings.put("pubsub.gke.jwks-file", jwks.toString());
        settings.put("pubsub.gke.audience", PushFixtures.AUDIENCE);
        settings.put("pubsub.gke.service-accounts", PushFixtures.PUSH_ACCOUNT);
        settings.put("limits.ack-timeout-ms", "2000");
        service = IngestHarness.start(settings);
        pubsub = IngestHarness.client(pki.trustOnlySslContext());
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
    void shouldAnswer503WhileKafkaIsDownAndTakeTheRedeliveryOnceItIsBack() throws Exception {
        String cluster = uniqueCluster("outage");
        byte[] body = PushFixtures.envelope("3141592653", PushFixtures.logEntry(cluster).getBytes(StandardCharsets.UTF_8));
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();

        kafka.stop();
        assertThat(Waits.until(Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
            last.set(push(body));
            return last.get().statusCode() == 503;
        })).as("503 while Kafka is down").isTrue();
        assertThat(MAPPER.readTree(last.get().body()).get("error").asText()).isEqualTo("kafka-unavailable");

        kafka.restart();
        assertThat(Waits.until(Duration.ofSeconds(90), Duration.ofMillis(200), () -> {
            last.set(push(body));
            return last.get().statusCode() == 200;
        })).as("the redelivery accepted once Kafka is back").isTrue();
        assertThat(readCluster(kafka.bootstrapServers(), AuditTopics.RAW, cluster)).isNotEmpty()
                .allSatisfy(rec -> assertThat(new String(rec.key(), StandardCharsets.UTF_8))
                        .isEqualTo("8f5b1c3e-2a4d-4f6e-9b7a-1c2d3e4f5a6b@2026-12-06T09:15:27.123456Z"));
    }

    /** One delivery attempt as Pub/Sub makes it, with a fresh token. */
    private static HttpResponse<String> push(byte[] body) {
        try {
            return post(pubsub, URI.create("https://localhost:" + service.webhookUri().getPort() + "/pubsub/gke"), body,
                    Map.of("Authorization", "Bearer " + GOOGLE.token(Instant.now()), "Content-Type", "application/json"));
        } catch (Exception e) {
            throw new IllegalStateException("the request failed without an answer", e);
        }
    }
}
