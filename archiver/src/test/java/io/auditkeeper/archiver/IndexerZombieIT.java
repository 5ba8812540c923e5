package io.auditkeeper.archiver;

import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.TcpProxy;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.localstack.Waits;
import io.auditkeeper.model.AuditJson;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An archiver's indexer that wakes up a zombie. Archiver A has indexed a poll (OpenSearch answered) but has not heard
 * the answer yet (the local stack's proxy holds it) when A is frozen with SIGSTOP past its group session; archiver B
 * takes every partition. A is thawed and hears the answer: its offset commit is refused, since the group gave the
 * partitions to B. That must cost nothing but a re-index under the same ids: A's indexer goes on and rejoins. Then B is
 * killed, and A alone indexes everything that follows. (Found by {@code ./auditkeeper soak}: after every archiver had
 * once been frozen, no indexer was left and OpenSearch fell behind for good.)
 */
@ExtendWith(LocalStackExtension.class)
class IndexerZombieIT {
    private static final int PARTITIONS = 2;
    private static final Duration SESSION = Duration.ofSeconds(6);
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String topic = "index-zombie-" + id;
    private final String indexPrefix = "zombie-events-" + id;
    private final String indexGroup = "index-zombie-" + id;
    private final Path dir = Path.of("target", "index-zombie-" + id).toAbsolutePath();
    private final List<ArchiverProcess> processes = new ArrayList<>();
    private int produced;

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (ArchiverProcess p : processes) {
            p.close();
        }
    }

    @Test
    void shouldKeepIndexingWhenAFrozenIndexerWakesToARefusedCommit(LocalStack stack) throws Exception {
        Files.createDirectories(dir);
        ManifestSigner.generate(dir.resolve("signing.pem"), dir.resolve("signing.pub.pem"));
        URI openSearch = URI.create(stack.openSearchUrl());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()));
             TcpProxy toOpenSearch = TcpProxy.start(openSearch.getHost(), openSearch.getPort());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                     stack.kafkaBootstrap(), "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(topic, PARTITIONS, (short) 1),
                    new NewTopic(topic + ".dlq", 1, (short) 1));
            ArchiverProcess a = start(stack, "a", "http://127.0.0.1:" + toOpenSearch.port());
            produce(producer, 200);
            await("archiver a to index the first 200", () -> indexed(openSearch) >= 200);
            Set<String> aMember = awaitMembers(admin, "a alone in the index group", m -> m.size() == 1);

            CompletableFuture<String> held = toOpenSearch.hold("POST /_bulk", TcpProxy.HoldStage.ANSWER);
            produce(producer, 50);
            held.get(60, TimeUnit.SECONDS);
            a.signal("STOP");
            ArchiverProcess b = start(stack, "b", stack.openSearchUrl());
            Set<String> bMember = awaitMembers(admin,
                    "b alone in the index group, holding every partition (a's session expired)",
                    m -> m.size() == 1 && !m.equals(aMember));
            a.signal("CONT");
            toOpenSearch.releaseHeld();

            awaitMembers(admin, "a back in the index group after its refused commit", m -> m.size() == 2);
            b.kill();
            awaitMembers(admin, "a alone in the index group again", m -> m.size() == 1 && !m.equals(bMember));
            produce(producer, 100);
            await("every one of the " + produced + " records indexed, by a", () -> indexed(openSearch) == produced);

            String log = Files.readString(a.log());
            assertThat(log).as("a's refused commit, told as a fence").contains("index commit fenced");
            assertThat(log).as("a's indexer never stopped").doesNotContain("indexer stopped");
        }
    }

    private ArchiverProcess start(LocalStack stack, String name, String openSearchUrl) throws Exception {
        Map<String, String> s = ArchiverProcess.settings(stack, topic, "index-zombie-" + id, "archive-" + indexGroup,
                dir.resolve("signing.pem"), SESSION);
        s.put("opensearch.url", openSearchUrl);
        s.put("opensearch.replicas", "0");
        s.put("opensearch.index-prefix", indexPrefix);
        s.put("opensearch.alerts-index", "zombie-alerts-" + id);
        s.put("opensearch.archive-index", "zombie-archive-" + id);
        s.put("index.group-id", indexGroup);
        ArchiverProcess p = ArchiverProcess.start(ArchiverProcess.writeConfig(dir.resolve(name + ".yaml"), s),
                dir.resolve(name + ".log"));
        processes.add(p);
        return p;
    }

    private void produce(KafkaProducer<byte[], byte[]> producer, int records) throws Exception {
        for (int i = 0; i < records; i++, produced++) {
            String auditId = id + "-" + produced;
            String doc = "{\"schemaVersion\":1,\"cluster\":\"zombie\",\"auditID\":\"" + auditId + "\","
                    + "\"stage\":\"ResponseComplete\",\"level\":\"Metadata\",\"timestamp\":\"" + Instant.now() + "\","
                    + "\"verb\":\"get\",\"actor\":\"n" + produced + "\",\"event\":{\"auditID\":\"" + auditId + "\"}}";
            producer.send(new ProducerRecord<>(topic, produced % PARTITIONS, auditId.getBytes(StandardCharsets.UTF_8),
                    doc.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
    }

    /** The member ids of the index group once it is stable with every partition assigned; none while it is not. */
    private Set<String> members(Admin admin) {
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(indexGroup)).all().get(10, TimeUnit.SECONDS)
                    .get(indexGroup);
            boolean assigned = d.members().stream().mapToLong(m -> m.assignment().topicPartitions().stream()
                    .filter(tp -> tp.topic().equals(topic)).count()).sum() == PARTITIONS;
            return d.groupState() == GroupState.STABLE && assigned
                    ? d.members().stream().map(m -> m.consumerId()).collect(java.util.stream.Collectors.toSet()) : Set.of();
        } catch (Exception e) {
            return Set.of();
        }
    }

    private long indexed(URI openSearch) {
        try {
            HttpClient http = HttpClient.newHttpClient();
            http.send(HttpRequest.newBuilder(openSearch.resolve("/" + indexPrefix + "*/_refresh"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            String body = http.send(HttpRequest.newBuilder(openSearch.resolve("/" + indexPrefix + "*/_count")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return AuditJson.mapper().readTree(body).path("count").asLong(0);
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * Waits until one description of the group (stable, every partition assigned) has members that satisfy
     * {@code condition}, and returns those members: each decision is taken on one description, never on two calls
     * that may see different groups (an empty answer taken as "a's member ids" let a frozen a pass for b).
     */
    private Set<String> awaitMembers(Admin admin, String what, java.util.function.Predicate<Set<String>> condition)
            throws InterruptedException {
        java.util.concurrent.atomic.AtomicReference<Set<String>> seen = new java.util.concurrent.atomic.AtomicReference<>();
        await(what, () -> {
            Set<String> m = members(admin);
            if (!m.isEmpty() && condition.test(m)) {
                seen.set(m);
                return true;
            }
            return false;
        });
        return seen.get();
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        System.out.println(Instant.now() + " index zombie IT: waiting for " + what);
        assertThat(Waits.until(PATIENCE, Duration.ofMillis(500), condition)).as("%s within %s", what, PATIENCE).isTrue();
    }
}
