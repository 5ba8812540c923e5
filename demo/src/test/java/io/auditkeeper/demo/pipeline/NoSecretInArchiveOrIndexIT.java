package io.auditkeeper.demo.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.archiver.ArchiverService;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole way from the raw topic to the record of truth and the search index, on the real broker, Ceph and
 * OpenSearch: every corpus event and a set of events carrying secrets in every shape the apiserver logs them are
 * processed, archived and indexed (one, without a stage, dead-lettered and archived as a dead letter), and no secret
 * value appears in any S3 object or OpenSearch document.
 */
@ExtendWith(LocalStackExtension.class)
class NoSecretInArchiveOrIndexIT {
    @TempDir
    Path dir;
    private final List<String> secrets = new ArrayList<>();

    @Test
    void shouldLeaveNoSecretValueInAnyArchiveObjectOrDocumentWhenTheCorpusAndSecretEventsFlowThrough(LocalStack stack) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        List<String> inputs = new ArrayList<>(secretEvents());
        List<String> corpus = Files.readAllLines(Path.of(System.getProperty("auditkeeper.corpus", "../testdata/corpus"))
                .resolve("events.ndjson")).stream().filter(l -> !l.isBlank()).toList();
        inputs.addAll(corpus);
        for (String line : corpus) {
            collectSecretValues(AuditJson.mapper().readTree(line));
        }
        assertThat(secrets).as("secret values to look for").hasSizeGreaterThan(20);

        Map<String, Object> sp = PipelineSettings.streamProcessor(stack, "nosecret-" + id, 2, dir.resolve("state"));
        StreamProcessorConfig processorConfig = StreamProcessorConfig.of(sp);
        Path key = dir.resolve("signing.pem");
        ManifestSigner.generate(key, dir.resolve("signing.pub.pem"));
        Map<String, Object> ac = PipelineSettings.archiver(stack, "nosecret-" + id, processorConfig, "nosecret-" + id, key);
        ac.put("opensearch.url", stack.openSearchUrl());
        ac.put("opensearch.replicas", "0");
        ac.put("opensearch.retention-days", "0");
        ac.put("opensearch.index-prefix", "nosecret-" + id);
        ac.put("opensearch.alerts-index", "nosecret-" + id + "-alerts");
        ac.put("opensearch.archive-index", "nosecret-" + id + "-archive");

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(processorConfig.rawTopic(), 2, (short) 1));
        }
        try (StreamProcessorService processor = new StreamProcessorService(processorConfig).start();
             ArchiverService archiver = new ArchiverService(ArchiverConfig.of(ac)).start()) {
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
                    "acks", "all", "max.block.ms", 10_000), new ByteArraySerializer(), new ByteArraySerializer())) {
                for (String in : inputs) {
                    RecordHeaders h = new RecordHeaders();
                    AuditHeaders.put(h, AuditHeaders.CLUSTER, "east");
                    p.send(new ProducerRecord<byte[], byte[]>(processorConfig.rawTopic(), null, (byte[]) null, in.getBytes(StandardCharsets.UTF_8), h));
                }
            }
            LongSupplier normalized = () -> (long) processor.registry().find("auditkeeper.streams.events.processed")
                    .counters().stream().mapToDouble(c -> c.count()).sum();
            LongSupplier handled = () -> normalized.getAsLong() + (long) (processor.registry().find("auditkeeper.streams.events.duplicates")
                    .counters().stream().mapToDouble(c -> c.count()).sum()
                    + processor.registry().find("auditkeeper.streams.events.rejected").counters().stream().mapToDouble(c -> c.count()).sum());
            await(handled, inputs.size());
            long events = normalized.getAsLong();
            assertThat(events).isGreaterThan(inputs.size() / 2);
            await(archiver::archivedRecords, events);
            await(archiver::indexedDocuments, events);
            await(archiver::archivedDeadLetters, 1);

            StringBuilder everything = new StringBuilder();
            S3Client s3 = stack.s3().client();
            int objects = 0;
            for (var o : s3.listObjectsV2Paginator(b -> b.bucket("nosecret-" + id)).contents()) {
                byte[] bytes = s3.getObjectAsBytes(b -> b.bucket("nosecret-" + id).key(o.key())).asByteArray();
                if (o.key().endsWith(".gz")) {
                    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                        bytes = in.readAllBytes();
                    }
                }
                everything.append(new String(bytes, StandardCharsets.UTF_8)).append('\n');
                objects++;
            }
            JsonNode hits = AuditJson.mapper().readTree(search(stack, "nosecret-" + id + "*")).path("hits");
            assertThat(hits.path("total").path("value").asLong()).as("documents").isGreaterThanOrEqualTo(events);
            hits.path("hits").forEach(h -> everything.append(h.path("_source").toString()).append('\n'));

            assertThat(objects).isGreaterThan(1);
            String all = everything.toString();
            assertThat(all).contains("[REDACTED]");
            for (String s : secrets) {
                assertThat(all).as("secret value %s", s).doesNotContain(s);
            }
        }
    }

    private static String search(LocalStack stack, String index) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create(stack.openSearchUrl() + "/" + index + "/_refresh"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        return http.send(HttpRequest.newBuilder(URI.create(stack.openSearchUrl() + "/" + index + "/_search"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"size\":10000,\"track_total_hits\":true,\"query\":{\"match_all\":{}}}"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void await(LongSupplier value, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (value.getAsLong() < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("got " + value.getAsLong() + " of " + expected);
            }
            Thread.sleep(200);
        }
    }

    /** Values under data/stringData of the corpus' Secret objects that are long enough to be unmistakable. */
    private void collectSecretValues(JsonNode node) {
        if (node.isObject()) {
            boolean secret = "Secret".equals(node.path("kind").asText());
            node.properties().forEach(e -> {
                if (secret && (e.getKey().equals("data") || e.getKey().equals("stringData")) && e.getValue().isObject()) {
                    e.getValue().forEach(v -> {
                        if (v.isTextual() && v.asText().length() >= 16) {
                            secrets.add(v.asText());
                        }
                    });
                } else {
                    collectSecretValues(e.getValue());
                }
            });
        } else if (node.isArray()) {
            node.forEach(this::collectSecretValues);
        }
    }

    private String secret() {
        String s = "S3CR3T-" + secrets.size() + "-" + UUID.randomUUID();
        secrets.add(s);
        return s;
    }

    private String encoded() {
        String b64 = Base64.getEncoder().encodeToString(secret().getBytes(StandardCharsets.UTF_8));
        secrets.add(b64);
        return b64;
    }

    private List<String> secretEvents() {
        String secretObject = "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"db\",\"namespace\":\"phi-x\","
                + "\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"data\\\":{\\\"p\\\":\\\"" + encoded() + "\\\"}}\"}},"
                + "\"data\":{\"password\":\"" + encoded() + "\"},\"stringData\":{\"user\":\"" + secret() + "\"}}";
        return List.of(
                event("create", "secrets", null, "phi-x", "\"requestObject\":" + secretObject + ",\"responseObject\":" + secretObject),
                event("list", "secrets", null, null, "\"responseObject\":{\"kind\":\"SecretList\",\"items\":[{\"metadata\":"
                        + "{\"name\":\"a\",\"namespace\":\"phi-x\"},\"data\":{\"k\":\"" + encoded() + "\"}}]}"),
                event("watch", "secrets", null, "phi-x", "\"responseObject\":{\"type\":\"ADDED\",\"object\":{\"kind\":\"Secret\","
                        + "\"data\":{\"k\":\"" + encoded() + "\"}}}"),
                event("patch", "secrets", null, "phi-x", "\"requestObject\":[{\"op\":\"replace\",\"path\":\"/data/k\",\"value\":\""
                        + encoded() + "\"}]"),
                event("create", "serviceaccounts", "token", "phi-x", "\"responseObject\":{\"kind\":\"TokenRequest\","
                        + "\"status\":{\"token\":\"" + secret() + "\"}}"),
                event("create", "tokenreviews", null, null, "\"requestObject\":{\"kind\":\"TokenReview\",\"spec\":{\"token\":\""
                        + secret() + "\"}}"),
                event("update", "configmaps", null, "phi-x", "\"requestObject\":{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
                        + "\"namespace\":\"phi-x\"},\"data\":{\"dsn\":\"" + secret() + "\"}}"),
                event("create", "templates", null, "phi-x", "\"requestObject\":{\"kind\":\"Template\",\"objects\":[{\"kind\":\"Secret\","
                        + "\"data\":{\"k\":\"" + encoded() + "\"}}]}"),
                // no stage: dead-lettered by the stream-processor, then archived under dead-letters/
                event("create", "secrets", null, "phi-x", "\"requestObject\":{\"kind\":\"Secret\",\"data\":{\"k\":\""
                        + encoded() + "\"}}").replace("\"stage\":\"ResponseComplete\",", ""));
    }

    private static String event(String verb, String resource, String subresource, String namespace, String bodies) {
        return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\",\"auditID\":\""
                + UUID.randomUUID() + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/" + resource + "\",\"verb\":\"" + verb
                + "\",\"user\":{\"username\":\"jane\"},\"objectRef\":{\"resource\":\"" + resource + "\""
                + (subresource == null ? "" : ",\"subresource\":\"" + subresource + "\"")
                + (namespace == null ? "" : ",\"namespace\":\"" + namespace + "\"") + "},\"responseStatus\":{\"code\":200},"
                + "\"requestReceivedTimestamp\":\"2026-11-27T10:00:00.000000Z\",\"stageTimestamp\":\"2026-11-27T10:00:00.100000Z\","
                + bodies + "}";
    }
}
