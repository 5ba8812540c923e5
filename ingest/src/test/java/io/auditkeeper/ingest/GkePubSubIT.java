package io.auditkeeper.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.ingest.pubsub.PushFixtures;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.Waits;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.AuditTopics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.auditkeeper.ingest.IngestHarness.header;
import static io.auditkeeper.ingest.IngestHarness.post;
import static io.auditkeeper.ingest.IngestHarness.readCluster;
import static io.auditkeeper.ingest.IngestHarness.uniqueCluster;
import static io.auditkeeper.ingest.pubsub.PushFixtures.envelope;
import static io.auditkeeper.ingest.pubsub.PushFixtures.logEntry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GKE audit logs as a Pub/Sub push subscription delivers them: a push envelope holding a Cloud Audit Logs LogEntry
 * (fixture in {@code src/test/resources/gke-pubsub}), posted over HTTPS without a client certificate, with an OIDC
 * token signed by a stand-in for Google's key (its JSON Web Key Set in a file, as in production), to the webhook's
 * port; and what it becomes in Kafka.
 */
@ExtendWith(LocalStackExtension.class)
class GkePubSubIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final PushFixtures GOOGLE = new PushFixtures();
    private static final long MAX_BODY = 64 * 1024;
    private static String bootstrap;
    private static IngestService service;
    private static HttpClient pubsub;
    private static String refusedBodies;
    private static Path jwks;

    @BeforeAll
    static void start(LocalStack stack) throws Exception {
        bootstrap = stack.kafkaBootstrap();
        DevPki pki = DevPki.create(IngestHarness.target("pki-pubsub"));
        jwks = GOOGLE.writeJwks(IngestHarness.target("pki-pubsub").resolve("google-certs.json"));
        Path tokens = Files.writeString(IngestHarness.target("pki-pubsub").resolve("tokens.csv"),
                "apiserver-token-0123456789abcdef,apiserver\n");
        refusedBodies = uniqueCluster("pubsub-refused");
        Map<String, Object> settings = IngestHarness.settings(pki, bootstrap);
        settings.put("auth.mode", "mtls-or-token");
        settings.put("auth.token-file", tokens.toString());
        settings.put("pubsub.gke.enabled", "true");
        settings.put("pubsub.gke.jwks-file", jwks.toString());
        settings.put("pubsub.gke.audience", PushFixtures.AUDIENCE);
        settings.put("pubsub.gke.service-accounts", PushFixtures.PUSH_ACCOUNT);
        settings.put("cluster.default", refusedBodies);
        settings.put("credentials.reload-interval-ms", "200");
        settings.put("limits.max-body-bytes", Long.toString(MAX_BODY));
        service = IngestHarness.start(settings);
        pubsub = IngestHarness.client(pki.trustOnlySslContext());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void shouldAnswer200OnlyOnceTheLogEntryIsInAuditRawAsPublishedWithItsHeaders() throws Exception {
        String cluster = uniqueCluster("phi-prod");
        String entry = logEntry(cluster);
        Instant before = Instant.now().minusSeconds(1);

        HttpResponse<String> r = push(envelope("2070443601311540", entry.getBytes(StandardCharsets.UTF_8)),
                GOOGLE.token(Instant.now()));
        List<ConsumerRecord<byte[], byte[]>> raw = readCluster(bootstrap, AuditTopics.RAW, cluster);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(raw).as("read at once after the 200: written and acknowledged before it").singleElement().satisfies(rec -> {
            assertThat(new String(rec.key(), StandardCharsets.UTF_8))
                    .isEqualTo("8f5b1c3e-2a4d-4f6e-9b7a-1c2d3e4f5a6b@2026-12-06T09:15:27.123456Z");
            assertThat(new String(rec.value(), StandardCharsets.UTF_8)).as("the LogEntry as Cloud Logging published it")
                    .isEqualTo(entry);
            assertThat(header(rec, AuditHeaders.CLUSTER)).isEqualTo(cluster);
            assertThat(header(rec, AuditHeaders.CLIENT)).isEqualTo("pubsub:" + PushFixtures.PUSH_ACCOUNT);
            assertThat(header(rec, AuditHeaders.SOURCE)).isEqualTo("gke-pubsub");
            assertThat(header(rec, AuditHeaders.FORMAT)).isEqualTo("gke-log-entry");
            assertThat(Instant.parse(header(rec, AuditHeaders.RECEIVED_AT))).isBetween(before, Instant.now());
        });
    }

    @Test
    void shouldRefuseAMissingForgedOrForeignTokenAndStoreNothing() throws Exception {
        String cluster = uniqueCluster("bad-token");
        byte[] body = envelope("1", logEntry(cluster).getBytes(StandardCharsets.UTF_8));
        Instant now = Instant.now();
        String forged = PushFixtures.sign(PushFixtures.generate(), "{\"alg\":\"RS256\",\"kid\":\"" + PushFixtures.KID + "\"}",
                PushFixtures.claims(PushFixtures.AUDIENCE, PushFixtures.PUSH_ACCOUNT, now));
        String otherAudience = PushFixtures.sign(GOOGLE.google(), "{\"alg\":\"RS256\",\"kid\":\"" + PushFixtures.KID + "\"}",
                PushFixtures.claims("https://elsewhere.example.org/", PushFixtures.PUSH_ACCOUNT, now));

        HttpResponse<String> missing = post(pubsub, endpoint(), body, Map.of("Content-Type", "application/json"));
        HttpResponse<String> bad = push(body, forged);
        HttpResponse<String> foreign = push(body, otherAudience);

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(MAPPER.readTree(bad.body()).get("error").asText()).isEqualTo("unauthenticated");
        assertThat(bad.body()).doesNotContain(forged.substring(forged.lastIndexOf('.') + 1));
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).isEmpty();
        assertThat(readCluster(bootstrap, AuditTopics.DEAD_LETTER, refusedBodies))
                .noneMatch(rec -> new String(rec.value(), StandardCharsets.UTF_8).contains(cluster));
    }

    @Test
    void shouldRefuseAClusterNameThatIsNoValidNameWith400SoThatPubSubRedeliversItOnceMapped() throws Exception {
        String marker = uniqueCluster("unmapped");
        byte[] body = envelope(marker, logEntry("Phi_Prod").getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> r = push(body, GOOGLE.token(Instant.now()));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(r.body()).get("error").asText()).isEqualTo("unknown-cluster");
        assertThat(readCluster(bootstrap, AuditTopics.DEAD_LETTER, refusedBodies))
                .noneMatch(rec -> header(rec, AuditHeaders.DLQ_DETAIL).contains(marker));
    }

    @Test
    void shouldKeepAMalformedEnvelopeInTheDeadLetterTopicAndAcknowledgeIt() throws Exception {
        String marker = uniqueCluster("malformed");
        byte[] body = ("{\"message\":{\"messageId\":\"" + marker + "\",\"data\":\"%%not-base64%%\"},"
                + "\"subscription\":\"projects/p/subscriptions/s\"}").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> r = push(body, GOOGLE.token(Instant.now()));

        assertThat(r.statusCode()).as("acknowledged: Pub/Sub would redeliver it for days, to the same end").isEqualTo(200);
        assertThat(MAPPER.readTree(r.body()).get("deadLettered").asBoolean()).isTrue();
        assertThat(readCluster(bootstrap, AuditTopics.DEAD_LETTER, refusedBodies))
                .filteredOn(rec -> header(rec, AuditHeaders.DLQ_DETAIL).contains(marker))
                .singleElement().satisfies(rec -> {
                    assertThat(rec.value()).as("the body as received").isEqualTo(body);
                    assertThat(header(rec, AuditHeaders.DLQ_REASON)).isEqualTo("not-a-gke-push");
                    assertThat(header(rec, AuditHeaders.SOURCE)).isEqualTo("gke-pubsub");
                    assertThat(header(rec, AuditHeaders.CLIENT)).isEqualTo("pubsub:" + PushFixtures.PUSH_ACCOUNT);
                });
    }

    @Test
    void shouldWriteTheSameRecordAgainWhenPubSubRedeliversAMessage() throws Exception {
        String cluster = uniqueCluster("redelivery");
        byte[] body = envelope("77", logEntry(cluster).getBytes(StandardCharsets.UTF_8));

        assertThat(push(body, GOOGLE.token(Instant.now())).statusCode()).isEqualTo(200);
        assertThat(push(body, GOOGLE.token(Instant.now())).statusCode()).isEqualTo(200);

        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).as("the stream-processor drops the second by its key")
                .hasSize(2).extracting(rec -> new String(rec.key(), StandardCharsets.UTF_8)).containsOnly(
                        "8f5b1c3e-2a4d-4f6e-9b7a-1c2d3e4f5a6b@2026-12-06T09:15:27.123456Z");
    }

    @Test
    void shouldKeepOnlyTheSizeAndHashOfAPushOverTheCapAndAnswer413SoThatPubSubRedeliversIt() throws Exception {
        String cluster = uniqueCluster("too-large");
        String entry = logEntry(cluster).replace("\"status\":{}", "\"status\":{\"message\":\"" + "x".repeat((int) MAX_BODY) + "\"}");
        byte[] body = envelope("99", entry.getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> r = push(body, GOOGLE.token(Instant.now()));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).isEmpty();
        assertThat(readCluster(bootstrap, AuditTopics.DEAD_LETTER, refusedBodies))
                .filteredOn(rec -> "batch-too-large".equals(header(rec, AuditHeaders.DLQ_REASON))
                        && new String(rec.value(), StandardCharsets.UTF_8).contains("\"wireBytes\":" + body.length))
                .singleElement().satisfies(rec -> {
                    assertThat(header(rec, AuditHeaders.SOURCE)).isEqualTo("gke-pubsub");
                    assertThat(new String(rec.value(), StandardCharsets.UTF_8)).as("its size and hash, never its content")
                            .doesNotContain(cluster).contains("sha256");
                });
    }

    @Test
    void shouldTakeGoogleKeysFromARefreshedKeySetFileWithoutARestart() throws Exception {
        PushFixtures rotated = new PushFixtures();
        byte[] body = envelope("88", logEntry(uniqueCluster("rotated")).getBytes(StandardCharsets.UTF_8));
        assertThat(push(body, rotated.token(Instant.now())).statusCode()).as("a key not yet in the file").isEqualTo(401);
        try {
            rotated.writeJwks(jwks);
            assertThat(Waits.until(Duration.ofSeconds(10), Duration.ofMillis(100),
                    () -> status(body, rotated.token(Instant.now())) == 200)).as("the new key is taken").isTrue();
            assertThat(status(body, GOOGLE.token(Instant.now()))).as("the key no longer in the file").isEqualTo(401);
        } finally {
            GOOGLE.writeJwks(jwks);
        }
        assertThat(Waits.until(Duration.ofSeconds(10), Duration.ofMillis(100),
                () -> status(body, GOOGLE.token(Instant.now())) == 200)).as("the first key is back").isTrue();
    }

    private static int status(byte[] body, String token) {
        try {
            return push(body, token).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> push(byte[] body, String token) throws Exception {
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Authorization", "Bearer " + token);
        headers.put("User-Agent", "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)");
        return post(pubsub, endpoint(), body, headers);
    }

    private static URI endpoint() {
        return service.webhookUri().resolve("/pubsub/gke");
    }
}
