package io.auditkeeper.demo.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.archiver.ArchiverService;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.cli.AuditKeeperCli;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.ingest.IngestService;
import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.source.aks.AksSourceService;
import io.auditkeeper.source.aks.config.AksSourceConfig;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, item 4: one secret read in a PHI namespace per managed source, each in that source's own format, through
 * the real services in this JVM on the local stack: ingest with its Firehose door (EKS) and its Pub/Sub push door
 * (GKE), the AKS source reading an "event hub" (a topic of the local Kafka), the stream-processor, and the archiver
 * writing to Ceph under Object Lock and to OpenSearch. For each, what a user would check: the event is searchable in
 * the events index, flagged by the secret-read rule with its cluster and the door it came through; the secret value
 * in the read's response is neither in the indexed document nor in the archived object; the object holding it is
 * locked COMPLIANCE; and {@code auditkeeper verify} passes on the archive.
 *
 * <p>The inputs start from the ingest module's fixtures ({@code ingest/src/test/resources/firehose-eks} and
 * {@code gke-pubsub}, whose READMEs give their sources) with the Secret in the response, a PHI namespace and this
 * run's identifiers and time.
 */
@ExtendWith(LocalStackExtension.class)
class ManagedSourcesEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Path FIXTURES = Path.of(System.getProperty("auditkeeper.ingest-fixtures",
            "../ingest/src/test/resources"));
    private static final String NAMESPACE = "phi-records";
    private static final String FIREHOSE_KEY = "firehose-e2e-access-key-0123456789abcdef";
    private static final String PUBSUB_AUDIENCE = "https://ingest.example.org/pubsub/gke";
    private static final String PUSH_ACCOUNT = "gke-audit-push@phi-prod-project.iam.gserviceaccount.com";
    private static final String GOOGLE_KID = "e2e0d8c70d44e947133cbd499ebc1a61c3d5abc";

    @TempDir
    static Path dir;
    private static String id;
    private static LocalStack stack;
    private static StreamProcessorConfig processorConfig;
    private static IngestService ingest;
    private static AksSourceService aks;
    private static StreamProcessorService processor;
    private static ArchiverService archiver;
    private static HttpClient https;
    private static KeyPair google;
    private static Path publicKey;
    private static Path secretKeyFile;

    @BeforeAll
    static void start(LocalStack localStack) throws Exception {
        stack = localStack;
        id = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
        DevPki pki = DevPki.create(dir.resolve("pki"));
        Path tokens = Files.writeString(dir.resolve("tokens.csv"), "apiserver-token-" + id + "-0123456789,apiserver\n");
        Path firehoseKeys = Files.writeString(dir.resolve("firehose-keys.csv"), FIREHOSE_KEY + ",eks-phi\n");
        google = generateRsa();
        Path jwks = Files.writeString(dir.resolve("google-certs.json"), jwks(google));

        Map<String, Object> in = new HashMap<>();
        in.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        in.put("listen.host", "127.0.0.1");
        in.put("listen.port", "0");
        in.put("admin.enabled", "false");
        in.put("tls.cert-file", pki.serverCert().toString());
        in.put("tls.key-file", pki.serverKey().toString());
        in.put("auth.client-ca-file", pki.caCert().toString());
        in.put("auth.mode", "mtls-or-token");
        in.put("auth.token-file", tokens.toString());
        in.put("firehose.eks.enabled", "true");
        in.put("firehose.eks.access-key-file", firehoseKeys.toString());
        in.put("pubsub.gke.enabled", "true");
        in.put("pubsub.gke.jwks-file", jwks.toString());
        in.put("pubsub.gke.audience", PUBSUB_AUDIENCE);
        in.put("pubsub.gke.service-accounts", PUSH_ACCOUNT);
        in.put("topics.raw.name", id + ".raw");
        in.put("topics.raw.partitions", "2");
        in.put("topics.dlq.name", id + ".dlq");
        in.put("readiness.check-interval-ms", "200");

        processorConfig = StreamProcessorConfig.of(PipelineSettings.streamProcessor(stack, id, 1, dir.resolve("state")));
        Path signingKey = dir.resolve("signing.pem");
        publicKey = dir.resolve("signing.pub.pem");
        ManifestSigner.generate(signingKey, publicKey);
        secretKeyFile = Files.writeString(dir.resolve("s3-secret-key"), stack.s3().secretKey());
        Map<String, Object> ac = PipelineSettings.archiver(stack, id, processorConfig, id, signingKey);
        ac.put("digest.interval-ms", "2000");
        ac.put("admin.enabled", "false");
        ac.put("opensearch.url", stack.openSearchUrl());
        ac.put("opensearch.replicas", "0");
        ac.put("opensearch.retention-days", "0");
        ac.put("opensearch.index-prefix", id);
        ac.put("opensearch.alerts-index", id + "-alerts");
        ac.put("opensearch.archive-index", id + "-archive");

        Map<String, Object> source = new HashMap<>();
        source.put("event-hubs.bootstrap-servers", stack.kafkaBootstrap());
        source.put("event-hubs.topic", hub());
        source.put("event-hubs.security-protocol", "PLAINTEXT");
        source.put("event-hubs.consumer-group", id + "-aks");
        source.put("event-hubs.namespace", "aks-phi-hubs");
        source.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        source.put("topics.raw.name", id + ".raw");
        source.put("topics.dlq.name", id + ".dlq");
        source.put("admin.enabled", "false");
        source.put("poll.timeout-ms", "200");

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(hub(), 1, (short) 1));
        }
        ingest = new IngestService(IngestConfig.of(in)).start();
        aks = new AksSourceService(AksSourceConfig.of(source));
        aks.start();
        processor = new StreamProcessorService(processorConfig).start();
        archiver = new ArchiverService(ArchiverConfig.of(ac)).start();
        https = HttpClient.newBuilder().sslContext(pki.trustOnlySslContext()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[]{archiver, processor, aks, ingest}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void shouldFlagRedactArchiveAndIndexAnEksSecretReadWhenFirehoseDeliversIt() throws Exception {
        String cluster = id + "-eks";
        String auditId = UUID.randomUUID().toString();
        String secret = secretValue();
        ObjectNode event = (ObjectNode) JSON.readTree(JSON.readTree(fixture("firehose-eks/eks-subscription-message.json"))
                .path("logEvents").path(0).path("message").asText());
        secretRead(event, auditId, secret);
        ObjectNode message = (ObjectNode) JSON.readTree(fixture("firehose-eks/eks-subscription-message.json"));
        message.put("logGroup", "/aws/eks/" + cluster + "/cluster");
        ((ObjectNode) message.path("logEvents").path(0)).put("timestamp", Instant.now().toEpochMilli())
                .put("message", JSON.writeValueAsString(event));
        String requestId = UUID.randomUUID().toString();
        ObjectNode request = JSON.createObjectNode().put("requestId", requestId).put("timestamp", Instant.now().toEpochMilli());
        request.putArray("records").addObject().put("data",
                Base64.getEncoder().encodeToString(gzip(JSON.writeValueAsBytes(message))));

        HttpResponse<String> r = post("/firehose/eks", JSON.writeValueAsBytes(request), Map.of(
                "X-Amz-Firehose-Protocol-Version", "1.0",
                "X-Amz-Firehose-Request-Id", requestId,
                "X-Amz-Firehose-Source-Arn", "arn:aws:firehose:eu-west-1:12345678910:deliverystream/auditkeeper-eks",
                "X-Amz-Firehose-Access-Key", FIREHOSE_KEY));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertFlaggedRedactedArchivedAndSearchable(cluster, auditId, "firehose:eks-phi", secret);
    }

    @Test
    void shouldFlagRedactArchiveAndIndexAnAksSecretReadWhenEventHubsDeliversIt() throws Exception {
        String cluster = id + "-aks";
        String auditId = UUID.randomUUID().toString();
        String secret = secretValue();
        // the same apiserver Event as EKS's, by an Entra ID user, in the resource log record AKS sends to the hub
        ObjectNode event = (ObjectNode) JSON.readTree(fixture("firehose-eks/eks-audit-event-secret-read.json"));
        event.set("user", JSON.createObjectNode().put("username", "clinician@hospital.example")
                .set("groups", JSON.createArrayNode().add("system:authenticated")));
        event.remove("userAgent");
        secretRead(event, auditId, secret);
        ObjectNode record = JSON.createObjectNode();
        record.put("time", MICROS.format(Instant.now()));
        record.put("resourceId", "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/"
                + cluster.toUpperCase());
        record.put("category", "kube-audit");
        record.put("operationName", "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read");
        ObjectNode properties = record.putObject("properties");
        properties.put("log", JSON.writeValueAsString(event) + "\n");
        properties.put("stream", "stdout");
        properties.put("pod", "kube-apiserver-7f9c6d8b5-x2x8q");
        ObjectNode message = JSON.createObjectNode();
        message.putArray("records").add(record);

        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
                "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(hub(), JSON.writeValueAsBytes(message))).get();
        }

        assertFlaggedRedactedArchivedAndSearchable(cluster, auditId, "event-hubs:aks-phi-hubs/" + hub(), secret);
    }

    @Test
    void shouldFlagRedactArchiveAndIndexAGkeSecretReadWhenPubSubPushesIt() throws Exception {
        String cluster = id + "-gke";
        String insertId = UUID.randomUUID().toString();
        String timestamp = MICROS.format(Instant.now());
        String secret = secretValue();
        ObjectNode entry = (ObjectNode) JSON.readTree(fixture("gke-pubsub/secret-get-log-entry.json")
                .replace("CLUSTER", cluster));
        entry.put("insertId", insertId).put("timestamp", timestamp).put("receiveTimestamp", timestamp);
        ((ObjectNode) entry.path("operation")).put("id", insertId);
        ObjectNode payload = (ObjectNode) entry.path("protoPayload");
        assertThat(payload.path("resourceName").asText()).contains("/namespaces/" + NAMESPACE + "/");
        payload.set("response", secretObject(NAMESPACE, "db", secret));
        String envelope = "{\"message\":{\"attributes\":{\"logging.googleapis.com/timestamp\":\"" + timestamp + "\"},"
                + "\"data\":\"" + Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(entry)) + "\",\"messageId\":\""
                + insertId.hashCode() + "\",\"publishTime\":\"" + timestamp + "\"},"
                + "\"subscription\":\"projects/phi-prod-project/subscriptions/auditkeeper-gke\"}";

        HttpResponse<String> r = post("/pubsub/gke", envelope.getBytes(StandardCharsets.UTF_8), Map.of(
                "Authorization", "Bearer " + googleToken(Instant.now()),
                "User-Agent", "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertFlaggedRedactedArchivedAndSearchable(cluster, insertId + "@" + timestamp, "pubsub:" + PUSH_ACCOUNT, secret);
    }

    /** What a user checks of one secret read: in the index, flagged and redacted; archived, locked and verified. */
    private static void assertFlaggedRedactedArchivedAndSearchable(String cluster, String auditId, String client,
                                                                   String secret) throws Exception {
        String encoded = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));

        JsonNode doc = await("the event in the events index", () -> indexed(auditId));
        assertThat(doc.path("cluster").asText()).isEqualTo(cluster);
        assertThat(doc.path("verb").asText()).isEqualTo("get");
        assertThat(doc.path("objectRef").path("resource").asText()).isEqualTo("secrets");
        assertThat(doc.path("objectRef").path("namespace").asText()).isEqualTo(NAMESPACE);
        assertThat(doc.path("client").asText()).as("the door it came through").isEqualTo(client);
        assertThat(doc.path("phi").path("namespace").asBoolean()).isTrue();
        assertThat(doc.path("phi").path("flagged").asBoolean()).as("phi.flagged").isTrue();
        assertThat(doc.path("phi").path("rules")).extracting(JsonNode::asText).contains("secret-read");
        assertThat(doc.path("redactions")).extracting(JsonNode::asText).as("redactions")
                .contains("/responseObject/data/password");
        assertThat(doc.path("event").toString()).as("the indexed event").contains("\"password\":\"[REDACTED]\"");
        assertNoSecret("the indexed document", doc.toString(), secret, encoded);

        Archived archived;
        ObjectLockRetention retention;
        try (S3Client s3 = stack.s3().client()) {
            archived = await("the event in an archived object", () -> archivedObject(s3, auditId));
            retention = s3.getObjectRetention(b -> b.bucket(id).key(archived.key())).retention();
        }
        assertNoSecret("the archived object " + archived.key(), archived.text(), secret, encoded);
        JsonNode record = archived.record();
        assertThat(record.path("cluster").asText()).isEqualTo(cluster);
        assertThat(record.path("phi").path("flagged").asBoolean()).as("phi.flagged, archived").isTrue();
        assertThat(record.path("redactions")).extracting(JsonNode::asText).contains("/responseObject/data/password");
        assertThat(record.path("event").toString()).as("the archived event").contains("\"password\":\"[REDACTED]\"");
        assertThat(retention.mode()).as("Object Lock of %s", archived.key()).isEqualTo(ObjectLockRetentionMode.COMPLIANCE);
        assertThat(retention.retainUntilDate()).isAfter(Instant.now().plus(Duration.ofDays(6 * 365)));

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AuditKeeperCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("verify", "--topic", processorConfig.eventsTopic(), "--bucket", id,
                "--s3-endpoint", stack.s3().endpoint().toString(), "--s3-region", stack.s3().region(), "--path-style",
                "--access-key", stack.s3().accessKey(), "--secret-key-file", secretKeyFile.toString(),
                "--public-key", publicKey.toString());
        assertThat(code).as("auditkeeper verify: %s%s", out, err).isZero();
        assertThat(out.toString()).contains("OK: every signature");
    }

    /** Fails without quoting {@code text}, which would print the secret if it held it. */
    private static void assertNoSecret(String where, String text, String secret, String encoded) {
        assertThat(text.contains(secret)).as("the secret value in %s", where).isFalse();
        assertThat(text.contains(encoded)).as("the secret value, base64, in %s", where).isFalse();
    }

    /** An archived events object, the event's record in it. */
    private record Archived(String key, String text, JsonNode record) {
    }

    /** The events object under which the event is archived, once it is. */
    private static Optional<Archived> archivedObject(S3Client s3, String auditId) {
        for (var o : s3.listObjectsV2Paginator(b -> b.bucket(id).prefix("events/")).contents()) {
            String text = gunzip(s3.getObjectAsBytes(b -> b.bucket(id).key(o.key())).asByteArray());
            for (String line : text.split("\n")) {
                if (line.contains("\"auditID\":\"" + auditId + "\"")) {
                    try {
                        return Optional.of(new Archived(o.key(), text, JSON.readTree(line)));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The document of the event in the dated events indexes, once it is there. */
    private static Optional<JsonNode> indexed(String auditId) {
        try {
            HttpClient http = HttpClient.newHttpClient();
            String indexes = stack.openSearchUrl() + "/" + id + "-2*";
            http.send(HttpRequest.newBuilder(URI.create(indexes + "/_refresh?allow_no_indices=true"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(indexes + "/_search?allow_no_indices=true"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"size\":100,\"query\":{\"match_all\":{}}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            for (JsonNode hit : JSON.readTree(r.body()).path("hits").path("hits")) {
                if (auditId.equals(hit.path("_source").path("auditID").asText())) {
                    return Optional.of(hit.path("_source"));
                }
            }
            return Optional.empty();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T await(String what, Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT + " waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    /** Makes the event a read of Secret {@code ehr-db-credentials} in the PHI namespace, now, its value in the response. */
    private static void secretRead(ObjectNode event, String auditId, String secret) {
        String now = MICROS.format(Instant.now());
        event.put("auditID", auditId);
        event.put("level", "RequestResponse");
        event.put("requestURI", "/api/v1/namespaces/" + NAMESPACE + "/secrets/ehr-db-credentials");
        ((ObjectNode) event.path("objectRef")).put("namespace", NAMESPACE);
        event.put("requestReceivedTimestamp", now);
        event.put("stageTimestamp", now);
        event.set("responseObject", secretObject(NAMESPACE, "ehr-db-credentials", secret));
    }

    private static ObjectNode secretObject(String namespace, String name, String secret) {
        ObjectNode s = JSON.createObjectNode().put("kind", "Secret").put("apiVersion", "v1");
        s.putObject("metadata").put("name", name).put("namespace", namespace);
        s.putObject("data").put("password", Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
        s.put("type", "Opaque");
        return s;
    }

    private static String secretValue() {
        return "S3CR3T-" + UUID.randomUUID();
    }

    private static String hub() {
        return id + ".hub";
    }

    private static HttpResponse<String> post(String path, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + ingest.webhookUri().getPort() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::setHeader);
        return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String fixture(String name) throws Exception {
        return Files.readString(FIXTURES.resolve(name)).strip();
    }

    private static KeyPair generateRsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    /** A JSON Web Key Set holding the stand-in for Google's key, as Google publishes its certs. */
    private static String jwks(KeyPair key) {
        RSAPublicKey pub = (RSAPublicKey) key.getPublic();
        return "{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"" + GOOGLE_KID + "\",\"n\":\""
                + b64url(unsigned(pub.getModulus().toByteArray())) + "\",\"e\":\""
                + b64url(unsigned(pub.getPublicExponent().toByteArray())) + "\"}]}";
    }

    /** The OIDC token a push subscription sends, RS256-signed by the stand-in key, valid for an hour. */
    private static String googleToken(Instant now) throws Exception {
        String header = "{\"alg\":\"RS256\",\"kid\":\"" + GOOGLE_KID + "\",\"typ\":\"JWT\"}";
        String claims = "{\"aud\":\"" + PUBSUB_AUDIENCE + "\",\"azp\":\"113774264463038321964\",\"email\":\"" + PUSH_ACCOUNT
                + "\",\"email_verified\":true,\"exp\":" + (now.getEpochSecond() + 3600) + ",\"iat\":" + now.getEpochSecond()
                + ",\"iss\":\"https://accounts.google.com\",\"sub\":\"113774264463038321964\"}";
        String input = b64url(header.getBytes(StandardCharsets.UTF_8)) + "." + b64url(claims.getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(google.getPrivate());
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64url(s.sign());
    }

    private static String b64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] unsigned(byte[] b) {
        return b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }

    private static byte[] gzip(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static String gunzip(byte[] gz) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
