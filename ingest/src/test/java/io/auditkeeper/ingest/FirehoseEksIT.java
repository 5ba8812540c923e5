package io.auditkeeper.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.UUID;

import static io.auditkeeper.ingest.IngestHarness.gzip;
import static io.auditkeeper.ingest.IngestHarness.header;
import static io.auditkeeper.ingest.IngestHarness.post;
import static io.auditkeeper.ingest.IngestHarness.readCluster;
import static io.auditkeeper.ingest.IngestHarness.uniqueCluster;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.data;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.dataMessage;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.eksEvent;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.read;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.request;
import static io.auditkeeper.ingest.firehose.FirehoseFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * EKS audit logs as Amazon Data Firehose delivers them to its HTTP endpoint destination: the request AWS documents,
 * holding CloudWatch Logs subscription messages of an EKS cluster's log group (fixtures in
 * {@code src/test/resources/firehose-eks}), posted over HTTPS without a client certificate, with the stream's access
 * key, to the same port as the webhook; and what they become in Kafka.
 */
@ExtendWith(LocalStackExtension.class)
class FirehoseEksIT {
    private static final String ACCESS_KEY = "firehose-eks-prod-access-key-0123456789";
    private static final String AUDIT_ID = "6f1c2a0e-3b7d-4e59-9a61-0c8d2f4b7e15";
    private static final long MAX_BODY = 1024 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static String bootstrap;
    private static IngestService service;
    private static HttpClient firehose;
    private static String refusedBodies;
    private static Path keys;

    @BeforeAll
    static void start(LocalStack stack) throws Exception {
        bootstrap = stack.kafkaBootstrap();
        DevPki pki = DevPki.create(IngestHarness.target("pki-firehose"));
        keys = Files.writeString(IngestHarness.target("pki-firehose").resolve("firehose-keys.csv"),
                "# the name is recorded as the client identity firehose:<name>\n" + ACCESS_KEY + ",eks-prod\n");
        Path tokens = Files.writeString(IngestHarness.target("pki-firehose").resolve("tokens.csv"),
                "apiserver-token-0123456789abcdef,apiserver\n");
        refusedBodies = uniqueCluster("firehose-refused");
        Map<String, Object> settings = IngestHarness.settings(pki, bootstrap);
        settings.put("auth.mode", "mtls-or-token");
        settings.put("auth.token-file", tokens.toString());
        settings.put("firehose.eks.enabled", "true");
        settings.put("firehose.eks.access-key-file", keys.toString());
        settings.put("cluster.default", refusedBodies);
        settings.put("limits.max-body-bytes", Long.toString(MAX_BODY));
        settings.put("limits.max-in-flight-bytes-per-client", Long.toString(MAX_BODY));
        settings.put("credentials.reload-interval-ms", "200");
        service = IngestHarness.start(settings);
        firehose = IngestHarness.client(pki.trustOnlySslContext());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void shouldAnswer200InFirehosesFormatOnlyOnceTheSecretReadIsInAuditRawWithItsHeaders() throws Exception {
        String cluster = uniqueCluster("phi-prod");
        String requestId = UUID.randomUUID().toString();
        byte[] body = request(requestId, List.of(data(read("cloudwatch-logs-control-message.json")),
                data(eksMessage(cluster))));
        Instant before = Instant.now().minusSeconds(1);

        HttpResponse<String> r = deliver(body, Map.of());
        List<ConsumerRecord<byte[], byte[]>> raw = readCluster(bootstrap, AuditTopics.RAW, cluster);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode answer = MAPPER.readTree(r.body());
        assertThat(answer.get("requestId").asText()).isEqualTo(requestId);
        assertThat(answer.get("timestamp").asLong()).isBetween(before.toEpochMilli(), Instant.now().toEpochMilli());
        assertThat(answer.has("errorMessage")).isFalse();
        assertThat(raw).as("read at once after the 200: written and acknowledged before it").singleElement().satisfies(rec -> {
            assertThat(new String(rec.key(), StandardCharsets.UTF_8)).isEqualTo(AUDIT_ID);
            assertThat(new String(rec.value(), StandardCharsets.UTF_8)).as("the event as EKS wrote it").isEqualTo(eksEvent());
            assertThat(header(rec, AuditHeaders.CLUSTER)).isEqualTo(cluster);
            assertThat(header(rec, AuditHeaders.CLIENT)).isEqualTo("firehose:eks-prod");
            assertThat(header(rec, AuditHeaders.SOURCE)).isEqualTo("eks-firehose");
            assertThat(header(rec, AuditHeaders.FORMAT)).isEqualTo("audit.k8s.io/v1");
            assertThat(Instant.parse(header(rec, AuditHeaders.RECEIVED_AT))).isBetween(before, Instant.now());
        });
    }

    @Test
    void shouldWriteTheSameRecordsAgainWhenFirehoseResendsARequest() throws Exception {
        String cluster = uniqueCluster("resend");
        byte[] body = request(UUID.randomUUID().toString(), List.of(data(eksMessage(cluster))));

        assertThat(deliver(body, Map.of()).statusCode()).isEqualTo(200);
        assertThat(deliver(body, Map.of()).statusCode()).isEqualTo(200);

        List<ConsumerRecord<byte[], byte[]>> raw = readCluster(bootstrap, AuditTopics.RAW, cluster);
        assertThat(raw).as("both copies; the stream-processor drops the second by (cluster, auditID, stage)").hasSize(2)
                .allSatisfy(rec -> {
                    assertThat(new String(rec.key(), StandardCharsets.UTF_8)).isEqualTo(AUDIT_ID);
                    assertThat(new String(rec.value(), StandardCharsets.UTF_8)).isEqualTo(eksEvent());
                });
    }

    @Test
    void shouldAcceptARequestFirehoseGzippedAsAWhole() throws Exception {
        String cluster = uniqueCluster("gzip");
        byte[] body = request(UUID.randomUUID().toString(), List.of(data(eksMessage(cluster))));

        HttpResponse<String> r = deliver(gzip(body), Map.of("Content-Encoding", "gzip"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).hasSize(1);
    }

    @Test
    void shouldRefuseAWrongOrMissingAccessKeyInFirehosesFormatAndStoreNothing() throws Exception {
        String cluster = uniqueCluster("wrong-key");
        String requestId = UUID.randomUUID().toString();
        byte[] body = request(requestId, List.of(data(eksMessage(cluster))));

        HttpResponse<String> wrong = deliver(body, Map.of("X-Amz-Firehose-Access-Key", "not-the-key-0123456789abcdef"));
        HttpResponse<String> missing = post(firehose, endpoint(), body, Map.of("X-Amz-Firehose-Request-Id", requestId));

        for (HttpResponse<String> r : List.of(wrong, missing)) {
            assertThat(r.statusCode()).isEqualTo(401);
            JsonNode answer = MAPPER.readTree(r.body());
            assertThat(answer.get("requestId").asText()).isEqualTo(requestId);
            assertThat(answer.get("timestamp").isIntegralNumber()).isTrue();
            assertThat(answer.get("errorMessage").asText()).startsWith("unauthenticated: ")
                    .doesNotContain("not-the-key");
        }
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).isEmpty();
    }

    @Test
    void shouldKeepARequestWithBadBase64InTheDeadLetterTopicAndAnswer400() throws Exception {
        String requestId = UUID.randomUUID().toString();
        byte[] body = request(requestId, List.of(data(eksMessage(uniqueCluster("base64"))), "%%not-base64%%"));

        HttpResponse<String> r = deliver(body, Map.of());

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode answer = MAPPER.readTree(r.body());
        assertThat(answer.get("requestId").asText()).isEqualTo(requestId);
        assertThat(answer.get("errorMessage").asText()).isEqualTo("bad-base64: record 1's data is not valid base64");
        assertThat(readCluster(bootstrap, AuditTopics.DEAD_LETTER, refusedBodies))
                .filteredOn(rec -> header(rec, AuditHeaders.DLQ_DETAIL).contains(requestId))
                .singleElement().satisfies(rec -> {
                    assertThat(rec.value()).as("the request as received").isEqualTo(body);
                    assertThat(header(rec, AuditHeaders.DLQ_REASON)).isEqualTo("bad-content-encoding");
                    assertThat(header(rec, AuditHeaders.SOURCE)).isEqualTo("eks-firehose");
                    assertThat(header(rec, AuditHeaders.CLIENT)).isEqualTo("firehose:eks-prod");
                });
    }

    @Test
    void shouldSendALogEventThatIsNoAuditEventToTheDeadLetterTopicAndAcceptTheRest() throws Exception {
        String cluster = uniqueCluster("bad-event");
        String cut = eksEvent().substring(0, 200);
        byte[] body = request(UUID.randomUUID().toString(), List.of(data(dataMessage("/aws/eks/" + cluster + "/cluster",
                List.of(cut, eksEvent(), "{\"kind\":\"Event\",\"stage\":\"ResponseComplete\"}")))));

        HttpResponse<String> r = deliver(body, Map.of());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).extracting(rec -> new String(rec.key(), StandardCharsets.UTF_8))
                .containsExactly(AUDIT_ID);
        List<ConsumerRecord<byte[], byte[]>> dlq = readCluster(bootstrap, AuditTopics.DEAD_LETTER, cluster);
        assertThat(dlq).extracting(rec -> header(rec, AuditHeaders.DLQ_REASON))
                .containsExactlyInAnyOrder("unparseable-event", "missing-audit-id");
        assertThat(dlq).filteredOn(rec -> header(rec, AuditHeaders.DLQ_REASON).equals("unparseable-event")).singleElement()
                .satisfies(rec -> assertThat(new String(rec.value(), StandardCharsets.UTF_8)).isEqualTo(cut));
    }

    @Test
    void shouldRefuseALogGroupOfNoEksClusterWithoutStoringAnything() throws Exception {
        byte[] body = request(UUID.randomUUID().toString(), List.of(data(read("cloudwatch-logs-subscription-message.json"))));

        HttpResponse<String> r = deliver(body, Map.of());

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(r.body()).get("errorMessage").asText()).startsWith("unknown-log-group: ")
                .contains("'CloudTrail'");
    }

    @Test
    void shouldRefuseABodyOverTheCapWith400NotThe413FirehoseWouldNotBackUp() throws Exception {
        String requestId = UUID.randomUUID().toString();
        String pad = "{\"pad\":\"" + "x".repeat((int) MAX_BODY) + "\"}";
        byte[] body = request(requestId, List.of(java.util.Base64.getEncoder().encodeToString(
                pad.getBytes(StandardCharsets.UTF_8))));

        HttpResponse<String> r = deliver(body, Map.of());

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(r.body()).get("errorMessage").asText()).startsWith("body-too-large: ");
        assertThat(readCluster(bootstrap, AuditTopics.DEAD_LETTER, refusedBodies))
                .filteredOn(rec -> header(rec, AuditHeaders.DLQ_DETAIL).contains(requestId)).singleElement()
                .satisfies(rec -> assertThat(header(rec, AuditHeaders.DLQ_REASON)).isEqualTo("batch-too-large"));
    }

    @Test
    void shouldAnswer429InFirehosesFormatWhenTheKeysShareOfInFlightBytesIsSpent() throws Exception {
        String cluster = uniqueCluster("share");
        String large = "{\"kind\":\"Event\",\"auditID\":\"large\",\"stage\":\"ResponseComplete\",\"requestObject\":\""
                + "x".repeat(600_000) + "\"}";
        byte[] body = request(UUID.randomUUID().toString(), List.of(data(dataMessage("/aws/eks/" + cluster + "/cluster",
                List.of(large)))));

        HttpResponse<String> r = deliver(body, Map.of());

        assertThat(r.statusCode()).as("a small request whose records decompress past the key's share").isEqualTo(429);
        assertThat(MAPPER.readTree(r.body()).get("errorMessage").asText()).startsWith("overloaded: ")
                .contains("limits.max-in-flight-bytes-per-client");
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).isEmpty();
    }

    @Test
    void shouldTakeANewAccessKeyAndDropTheOldOneWithoutARestartWhenTheKeyFileChanges() throws Exception {
        String next = "firehose-eks-prod-next-key-9876543210";
        String cluster = uniqueCluster("rotated");
        byte[] body = request(UUID.randomUUID().toString(), List.of(data(eksMessage(cluster))));
        String both = ACCESS_KEY + ",eks-prod\n" + next + ",eks-prod-next\n";
        try {
            Files.writeString(keys, both);
            assertThat(Waits.until(Duration.ofSeconds(10), Duration.ofMillis(100),
                    () -> statusWithKey(body, next) == 200)).as("the new key is taken").isTrue();
            assertThat(statusWithKey(body, ACCESS_KEY)).as("the old key still works while both are listed").isEqualTo(200);
            assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster))
                    .extracting(rec -> header(rec, AuditHeaders.CLIENT)).contains("firehose:eks-prod-next", "firehose:eks-prod");
        } finally {
            Files.writeString(keys, ACCESS_KEY + ",eks-prod\n");
        }
        assertThat(Waits.until(Duration.ofSeconds(10), Duration.ofMillis(100),
                () -> statusWithKey(body, next) == 401)).as("the removed key is refused").isTrue();
    }

    private static int statusWithKey(byte[] body, String key) {
        try {
            return deliver(body, Map.of("X-Amz-Firehose-Access-Key", key)).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] eksMessage(String cluster) {
        return text("eks-subscription-message.json").replace("/aws/eks/phi-prod/cluster", "/aws/eks/" + cluster + "/cluster")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static URI endpoint() {
        return URI.create("https://localhost:" + service.webhookUri().getPort() + "/firehose/eks");
    }

    /** Posts as Firehose does: its headers, the access key, the body's request id. */
    private static HttpResponse<String> deliver(byte[] body, Map<String, String> extra) throws Exception {
        String requestId = MAPPER.readTree(extra.containsKey("Content-Encoding") ? gunzip(body) : body).get("requestId").asText();
        Map<String, String> headers = new HashMap<>(Map.of("X-Amz-Firehose-Protocol-Version", "1.0",
                "X-Amz-Firehose-Request-Id", requestId,
                "X-Amz-Firehose-Source-Arn", "arn:aws:firehose:eu-west-1:12345678910:deliverystream/auditkeeper-eks",
                "X-Amz-Firehose-Access-Key", ACCESS_KEY));
        headers.putAll(extra);
        return post(firehose, endpoint(), body, headers);
    }

    private static byte[] gunzip(byte[] gz) throws Exception {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
