package io.auditkeeper.localstack;

import org.apache.hc.core5.http.HttpHost;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@ExtendWith(LocalStackExtension.class)
class LocalStackIT {

    @Test
    void theExtensionInjectsTheSharedInstance(LocalStack stack) {
        assertThat(stack).isSameAs(LocalStackExtension.shared());
        assertThat(stack.workDir()).isEqualTo(LocalStackSettings.fromEnvironment(System.getenv(),
            Path.of("target", "local-stack")).workDir());
    }

    @Test
    void kafkaRoundTrip(LocalStack stack) throws Exception {
        String topic = "it-roundtrip-" + UUID.randomUUID();
        createTopic(stack.kafkaBootstrap(), topic);

        produce(stack.kafkaBootstrap(), topic, 100);

        List<ConsumerRecord<String, String>> got = consume(stack.kafkaBootstrap(), topic, 100);
        assertThat(got).hasSize(100);
        assertThat(got.get(0).key()).isEqualTo("k0");
        assertThat(got.get(99).value()).isEqualTo("{\"n\":99}");
    }

    @Test
    void kafkaKeepsRecordsAcrossABrokerRestart(LocalStack stack) throws Exception {
        assumeTrue(stack.embeddedKafka().isPresent(), "an external Kafka is configured");
        EmbeddedKafka kafka = stack.embeddedKafka().orElseThrow();
        String bootstrap = kafka.bootstrapServers();
        String topic = "it-restart-" + UUID.randomUUID();
        createTopic(bootstrap, topic);
        produce(bootstrap, topic, 20);

        kafka.stop();
        assertThat(kafka.isRunning()).isFalse();
        kafka.restart();

        assertThat(kafka.isRunning()).isTrue();
        assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
        List<ConsumerRecord<String, String>> got = consume(bootstrap, topic, 20);
        assertThat(got).extracting(ConsumerRecord::key).containsExactlyElementsOf(keys(20));
    }

    public record AuditDoc(String auditId, String verb, String user) { }

    @Test
    void openSearchIndexesAndFindsADocument(LocalStack stack) throws Exception {
        URI url = URI.create(stack.openSearchUrl());
        OpenSearchTransport transport = ApacheHttpClient5TransportBuilder
            .builder(new HttpHost(url.getScheme(), url.getHost(), url.getPort()))
            .setMapper(new JacksonJsonpMapper())
            .build();
        try (transport) {
            OpenSearchClient client = new OpenSearchClient(transport);
            String index = "it-audit-" + UUID.randomUUID();
            client.indices().create(c -> c.index(index).settings(s -> s.numberOfShards(1).numberOfReplicas(0)));
            AuditDoc doc = new AuditDoc("a-1", "delete", "alice");

            client.index(i -> i.index(index).id(doc.auditId()).document(doc).refresh(Refresh.True));

            SearchResponse<AuditDoc> found = client.search(s -> s.index(index)
                .query(q -> q.match(m -> m.field("verb").query(FieldValue.of("delete")))), AuditDoc.class);
            assertThat(found.hits().total().value()).isEqualTo(1);
            assertThat(found.hits().hits().get(0).source()).isEqualTo(doc);
        }
    }

    /**
     * Own stack (not the shared one) because it ends by closing it, to prove no Ceph daemon outlives
     * {@link LocalStack#close()}.
     */
    @Test
    void cephEnforcesObjectLockAndLeavesNoDaemonBehind() throws Exception {
        LocalStackSettings base = LocalStackSettings.fromEnvironment(System.getenv(), Path.of("target", "local-stack"));
        LocalStack stack = new LocalStack(base.withWorkDir(base.workDir().resolveSibling(
            base.workDir().getFileName() + "-object-lock")));
        List<Long> daemons;
        try (stack) {
            String bucket = "it-archive-" + UUID.randomUUID().toString().substring(0, 8);
            byte[] body = "{\"auditID\":\"a-1\",\"verb\":\"delete\"}\n".getBytes(StandardCharsets.UTF_8);
            try (S3Client s3 = stack.s3().client()) {
                ObjectLockBuckets.ensureBucket(s3, bucket, 6);
                ObjectLockBuckets.ensureBucket(s3, bucket, 6);

                String md5 = md5(body);
                PutObjectResponse put = s3.putObject(p -> p.bucket(bucket).key("2024/05/01/batch-1.jsonl")
                    .contentMD5(md5), RequestBody.fromBytes(body));

                HeadObjectResponse head = s3.headObject(h -> h.bucket(bucket).key("2024/05/01/batch-1.jsonl")
                    .versionId(put.versionId()));
                assertThat(head.objectLockMode()).isEqualTo(ObjectLockMode.COMPLIANCE);
                Instant sixYears = ZonedDateTime.now(ZoneOffset.UTC).plusYears(6).toInstant();
                assertThat(head.objectLockRetainUntilDate())
                    .isBetween(sixYears.minus(Duration.ofDays(3)), sixYears.plus(Duration.ofDays(3)));

                S3Exception delete = catchThrowableOfType(S3Exception.class, () -> s3.deleteObject(d -> d
                    .bucket(bucket).key("2024/05/01/batch-1.jsonl").versionId(put.versionId())));
                assertThat(delete).isNotNull();
                assertThat(delete.statusCode()).isEqualTo(403);
                assertThat(delete.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");

                S3Exception shorten = catchThrowableOfType(S3Exception.class, () -> s3.putObjectRetention(r -> r
                    .bucket(bucket).key("2024/05/01/batch-1.jsonl").versionId(put.versionId())
                    .retention(x -> x.mode(ObjectLockRetentionMode.COMPLIANCE)
                        .retainUntilDate(Instant.now().plus(Duration.ofDays(1))))));
                assertThat(shorten).isNotNull();
                assertThat(shorten.statusCode()).isEqualTo(403);

                assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("2024/05/01/batch-1.jsonl")
                    .versionId(put.versionId())).asByteArray()).isEqualTo(body);
            }
            daemons = stack.cephGateway().map(CephObjectGateway::livePids).orElse(List.of());
            if (stack.cephGateway().isPresent()) {
                assertThat(daemons).as("mon, osd and radosgw pids").hasSize(3);
            }
        }
        for (long pid : daemons) {
            assertThat(isRunning(pid)).as("ceph daemon %d after close", pid).isFalse();
        }
    }

    private static boolean isRunning(long pid) throws Exception {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String s = Files.readString(stat);
        char state = s.charAt(s.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
    }

    private static String md5(byte[] body) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body));
    }

    private static void createTopic(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic, 1, (short) 1));
        }
    }

    private static List<String> keys(int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add("k" + i);
        }
        return keys;
    }

    private static void produce(String bootstrap, String topic, int n) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "{\"n\":" + i + "}")).get();
            }
        }
    }

    private static List<ConsumerRecord<String, String>> consume(String bootstrap, String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        return got;
    }
}
