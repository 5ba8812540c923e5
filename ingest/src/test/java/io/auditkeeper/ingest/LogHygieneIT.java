package io.auditkeeper.ingest;

import io.auditkeeper.ingest.firehose.FirehoseFixtures;
import io.auditkeeper.ingest.pubsub.PushFixtures;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.auditkeeper.ingest.IngestHarness.post;
import static io.auditkeeper.ingest.IngestHarness.uri;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What ingest logs, read back from its JSON log: every batch and Firehose request is logged, and no token, access key
 * or event content ever is.
 */
@ExtendWith(LocalStackExtension.class)
class LogHygieneIT {
    @Test
    void shouldLogEveryBatchAsJsonWithoutTokensOrEventContent(LocalStack stack) throws Exception {
        String marker = "PHI-" + UUID.randomUUID();
        String token = "TOKEN-" + UUID.randomUUID();
        String wrongToken = "WRONG-" + UUID.randomUUID();
        DevPki pki = DevPki.create(IngestHarness.target("pki-logs"));
        Path tokens = Files.writeString(IngestHarness.target("pki-logs").resolve("tokens.csv"), token + ",apiserver\n");
        Map<String, Object> settings = IngestHarness.settings(pki, stack.kafkaBootstrap());
        settings.put("auth.mode", "token");
        settings.put("auth.token-file", tokens.toString());
        byte[] event = ("{\"auditID\":\"" + marker + "\",\"stage\":\"ResponseComplete\",\"requestObject\":{\"patient\":\""
                + marker + "\"}}").getBytes(StandardCharsets.UTF_8);
        byte[] noStage = ("{\"auditID\":\"x-" + marker + "\",\"patient\":\"" + marker + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] malformed = ("{\"items\":[{\"auditID\":\"" + marker + "\",").getBytes(StandardCharsets.UTF_8);

        try (IngestService service = IngestHarness.start(settings)) {
            HttpClient c = IngestHarness.client(pki.trustOnlySslContext());
            Map<String, String> auth = Map.of("Authorization", "Bearer " + token);
            assertThat(post(c, uri(service, "logs"), Corpus.eventList(List.of(event, noStage)), auth).statusCode()).isEqualTo(200);
            assertThat(post(c, uri(service, "logs"), malformed, auth).statusCode()).isEqualTo(400);
            assertThat(post(c, uri(service, "logs"), Corpus.eventList(List.of(event)),
                    Map.of("Authorization", "Bearer " + wrongToken)).statusCode()).isEqualTo(401);
        }

        List<String> lines = Files.readAllLines(Path.of("target", "ingest-it-log.jsonl"));
        assertThat(lines).filteredOn(l -> l.contains("\"audit batch\"") && l.contains("\"cluster\":\"logs\""))
                .as("one JSON line per batch: 200, 400, 401").hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(l -> assertThat(l).startsWith("{").endsWith("}"))
                .anySatisfy(l -> assertThat(l).contains("\"status\":\"401\""))
                .anySatisfy(l -> assertThat(l).contains("\"client\":\"token:apiserver\""));
        assertThat(String.join("\n", lines)).doesNotContain(marker).doesNotContain(token).doesNotContain(wrongToken);
    }

    @Test
    void shouldLogEveryFirehoseRequestAsJsonWithoutAccessKeysOrEventContent(LocalStack stack) throws Exception {
        String marker = "PHI-" + UUID.randomUUID();
        String key = "KEY-" + UUID.randomUUID();
        String wrongKey = "WRONG-" + UUID.randomUUID();
        DevPki pki = DevPki.create(IngestHarness.target("pki-logs-firehose"));
        Path keys = Files.writeString(IngestHarness.target("pki-logs-firehose").resolve("keys.csv"), key + ",eks\n");
        Map<String, Object> settings = IngestHarness.settings(pki, stack.kafkaBootstrap());
        settings.put("auth.mode", "token");
        settings.put("auth.token-file", keys.toString());
        settings.put("firehose.eks.enabled", "true");
        settings.put("firehose.eks.access-key-file", keys.toString());
        String event = "{\"auditID\":\"" + marker + "\",\"stage\":\"ResponseComplete\",\"requestObject\":{\"patient\":\""
                + marker + "\"}}";
        String cut = "{\"auditID\":\"" + marker + "\",\"patient\":\"" + marker;
        byte[] good = FirehoseFixtures.request("req-logs-1", List.of(FirehoseFixtures.data(
                FirehoseFixtures.dataMessage("/aws/eks/logs-eks/cluster", List.of(event, cut)))));
        byte[] notGzip = FirehoseFixtures.request("req-logs-2", List.of(java.util.Base64.getEncoder().encodeToString(
                event.getBytes(StandardCharsets.UTF_8))));

        try (IngestService service = IngestHarness.start(settings)) {
            HttpClient c = IngestHarness.client(pki.trustOnlySslContext());
            URI endpoint = URI.create("https://localhost:" + service.webhookUri().getPort() + "/firehose/eks");
            assertThat(post(c, endpoint, good, Map.of("X-Amz-Firehose-Access-Key", key,
                    "X-Amz-Firehose-Request-Id", "req-logs-1")).statusCode()).isEqualTo(200);
            assertThat(post(c, endpoint, notGzip, Map.of("X-Amz-Firehose-Access-Key", key,
                    "X-Amz-Firehose-Request-Id", "req-logs-2")).statusCode()).isEqualTo(400);
            assertThat(post(c, endpoint, good, Map.of("X-Amz-Firehose-Access-Key", wrongKey,
                    "X-Amz-Firehose-Request-Id", "req-logs-3")).statusCode()).isEqualTo(401);
        }

        List<String> lines = Files.readAllLines(Path.of("target", "ingest-it-log.jsonl"));
        assertThat(lines).filteredOn(l -> l.contains("\"firehose request\"") && l.contains("req-logs-"))
                .as("one JSON line per request: 200, 400, 401").hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(l -> assertThat(l).startsWith("{").endsWith("}"))
                .anySatisfy(l -> assertThat(l).contains("\"status\":\"401\""))
                .anySatisfy(l -> assertThat(l).contains("\"client\":\"firehose:eks\""));
        assertThat(String.join("\n", lines)).doesNotContain(marker).doesNotContain(key).doesNotContain(wrongKey);
    }

    @Test
    void shouldLogEveryPubSubPushAsJsonWithoutTokensOrEntryContent(LocalStack stack) throws Exception {
        String marker = "phi-" + UUID.randomUUID();
        PushFixtures google = new PushFixtures();
        DevPki pki = DevPki.create(IngestHarness.target("pki-logs-pubsub"));
        Path tokens = Files.writeString(IngestHarness.target("pki-logs-pubsub").resolve("tokens.csv"),
                "TOKEN-" + UUID.randomUUID() + ",apiserver\n");
        Map<String, Object> settings = IngestHarness.settings(pki, stack.kafkaBootstrap());
        settings.put("auth.mode", "token");
        settings.put("auth.token-file", tokens.toString());
        settings.put("pubsub.gke.enabled", "true");
        settings.put("pubsub.gke.jwks-file", google.writeJwks(IngestHarness.target("pki-logs-pubsub").resolve("certs.json")).toString());
        settings.put("pubsub.gke.audience", PushFixtures.AUDIENCE);
        String token = google.token(java.time.Instant.now());
        String forged = PushFixtures.sign(PushFixtures.generate(), "{\"alg\":\"RS256\",\"kid\":\"" + PushFixtures.KID + "\"}",
                PushFixtures.claims(PushFixtures.AUDIENCE, PushFixtures.PUSH_ACCOUNT, java.time.Instant.now()));
        byte[] good = PushFixtures.envelope("msg-logs-1", PushFixtures.logEntry("logs-gke").replace("phi-records", marker)
                .getBytes(StandardCharsets.UTF_8));
        byte[] bad = PushFixtures.envelope("msg-logs-2", ("{\"patient\":\"" + marker + "\"}").getBytes(StandardCharsets.UTF_8));

        try (IngestService service = IngestHarness.start(settings)) {
            HttpClient c = IngestHarness.client(pki.trustOnlySslContext());
            URI endpoint = URI.create("https://localhost:" + service.webhookUri().getPort() + "/pubsub/gke");
            assertThat(post(c, endpoint, good, Map.of("Authorization", "Bearer " + token)).statusCode()).isEqualTo(200);
            assertThat(post(c, endpoint, bad, Map.of("Authorization", "Bearer " + token)).statusCode()).isEqualTo(200);
            assertThat(post(c, endpoint, good, Map.of("Authorization", "Bearer " + forged)).statusCode()).isEqualTo(401);
        }

        List<String> lines = Files.readAllLines(Path.of("target", "ingest-it-log.jsonl"));
        assertThat(lines).filteredOn(l -> l.contains("\"pubsub push\"") && l.contains("msg-logs-"))
                .as("one JSON line per push that was read: 200, 200 (dead-lettered)").hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(l -> assertThat(l).startsWith("{").endsWith("}"))
                .anySatisfy(l -> assertThat(l).contains("\"client\":\"pubsub:" + PushFixtures.PUSH_ACCOUNT + "\""));
        assertThat(lines).filteredOn(l -> l.contains("\"pubsub push\"")).anySatisfy(l -> assertThat(l).contains("\"status\":\"401\""));
        String all = String.join("\n", lines);
        assertThat(all).doesNotContain(marker).doesNotContain(token.substring(token.lastIndexOf('.') + 1))
                .doesNotContain(forged.substring(forged.lastIndexOf('.') + 1));
    }
}
