package io.auditkeeper.ingest;

import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.ingest.kafka.KafkaClientSettings;

import io.auditkeeper.ingest.WebhookAnswers.Answer;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.EmbeddedKafkaCluster;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.model.AuditTopics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static io.auditkeeper.ingest.IngestHarness.post;
import static io.auditkeeper.ingest.IngestHarness.uri;
import static io.auditkeeper.ingest.WebhookAnswers.assertOnly200Or503ToResend;
import static io.auditkeeper.ingest.WebhookAnswers.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a 200 is worth when a broker dies: three brokers, {@code audit.raw} with three replicas and
 * {@code min.insync.replicas=2}, unclean leader election off; while apiserver-like load runs, the broker that leads a
 * partition of {@code audit.raw} is stopped hard (no controlled shutdown: the cluster learns of it only when its
 * heartbeats stop), a new leader is elected from the in-sync replicas, the load goes on, and the broker comes back.
 * Afterwards every event of every batch answered 200 must be in {@code audit.raw}; batches answered 503 are counted
 * (the apiserver resends those). Ingest runs with its production defaults ({@code limits.ack-timeout-ms} 10 s).
 */
class LeaderFailoverIT {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderFailoverIT.class);
    private static final int POSTERS = 3;
    private static final int EVENTS_PER_BATCH = 400;
    /** Bounds each poster's loop by count as well as by the phases' deadlines. */
    private static final int MAX_BATCHES_PER_POSTER = 1_500;
    private static final int PARTITIONS = 3;
    private static final String CLUSTER = "failover";
    private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(45);

    private static EmbeddedKafkaCluster kafka;
    private static Admin admin;
    private static IngestService service;
    private static HttpClient apiserver;
    /** Makes this run's auditIDs fresh: a topic left from another run cannot make a lost event look present. */
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafkaCluster.start(IngestHarness.target("kafka-failover-" + System.nanoTime()), 3);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        DevPki pki = DevPki.create(IngestHarness.target("pki-failover"));
        Map<String, Object> settings = IngestHarness.settings(pki, kafka.bootstrapServers());
        // created as an operator would for production, with the record size ingest's own topic check wants
        Topics.createAndAwaitLeaders(admin, new NewTopic(AuditTopics.RAW, PARTITIONS, (short) 3)
                .configs(Map.of("min.insync.replicas", "2", "unclean.leader.election.enable", "false",
                        "max.message.bytes", Long.toString(KafkaClientSettings.maxRecordBytes(IngestConfig.of(settings))))));
        service = IngestHarness.start(settings);
        apiserver = IngestHarness.client(pki.clientSslContext(pki.clientCert(), pki.clientKey()));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldKeepEveryBatchAnswered200WhenTheLeaderOfAuditRawDies() throws Exception {
        Map<String, Answer> answered = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(POSTERS);
        List<Future<?>> posters = new ArrayList<>();
        int victim;
        long electionMillis;
        int okBeforeStop;
        int okWhileDown;
        try {
            for (int p = 0; p < POSTERS; p++) {
                int poster = p;
                posters.add(pool.submit(() -> {
                    for (int n = 0; n < MAX_BATCHES_PER_POSTER && running.get(); n++) {
                        String batch = "p" + poster + "-b" + n;
                        answered.put(batch, postBatch(batch));
                    }
                }));
            }
            waitFor(posters, () -> count(answered, 200) >= 10, "batches accepted before the broker stops");

            TopicPartitionInfo first = describeRaw().get(0);
            victim = first.leader().id();
            Set<Integer> led = new HashSet<>();
            describeRaw().stream().filter(p -> p.leader() != null && p.leader().id() == victim)
                    .forEach(p -> led.add(p.partition()));
            LOG.info("stopping broker {}, leader of partitions {} of {}", victim, led, AuditTopics.RAW);
            okBeforeStop = count(answered, 200);
            long stopAt = System.nanoTime();
            kafka.stop(victim);
            waitFor(posters, () -> ledWithoutVictim(victim), "a new leader of every partition of " + AuditTopics.RAW);
            electionMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopAt);
            LOG.info("new leaders {} {} ms after the stop", leaders(), electionMillis);
            assertThat(describeRaw()).as("in-sync replicas without the stopped broker")
                    .allSatisfy(p -> assertThat(p.isr()).extracting(Node::id).doesNotContain(victim).hasSize(2));

            int okAtElection = count(answered, 200);
            waitFor(posters, () -> count(answered, 200) >= okAtElection + 10,
                    "batches accepted from the new leaders while broker " + victim + " is down");
            okWhileDown = count(answered, 200) - okBeforeStop;
            kafka.restart(victim);
            waitFor(posters, () -> everyPartition(p -> p.isr().size() == 3),
                    "broker " + victim + " back in the in-sync replicas");
            int okBeforeRestart = count(answered, 200);
            waitFor(posters, () -> count(answered, 200) >= okBeforeRestart + 10, "batches accepted after the restart");
            running.set(false);
            for (Future<?> poster : posters) {
                poster.get(60, TimeUnit.SECONDS);
            }
        } finally {
            running.set(false);
            pool.shutdown();
            pool.awaitTermination(60, TimeUnit.SECONDS);
        }

        // on the test thread, not in the posters: a failure here is reported at once, not as a timeout later
        assertOnly200Or503ToResend(answered.values());
        assertThat(answered.values()).filteredOn(a -> a.status() == 200)
                .allSatisfy(a -> assertThat(a.body()).contains("\"accepted\":" + EVENTS_PER_BATCH));

        Set<String> inTopic = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : IngestHarness.readAll(kafka.bootstrapServers(), AuditTopics.RAW)) {
            inTopic.add(new String(r.key(), StandardCharsets.UTF_8));
        }
        List<String> lost = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, Answer> e : answered.entrySet()) {
            if (e.getValue().status() != 200) {
                continue;
            }
            for (int i = 0; i < EVENTS_PER_BATCH; i++) {
                checked++;
                if (!inTopic.contains(auditId(e.getKey(), i))) {
                    lost.add(auditId(e.getKey(), i));
                }
            }
        }
        int ok = count(answered, 200);
        int unavailable = count(answered, 503);
        long slowest200 = answered.values().stream().filter(a -> a.status() == 200).mapToLong(Answer::millis).max().orElse(0);
        LOG.info("broker {} stopped hard: new leaders after {} ms; batches answered 200: {} ({} before the stop, {} while "
                        + "it was down; the slowest after {} ms), 503: {}; events of 200 batches checked in {}: {}, missing: {}",
                victim, electionMillis, ok, okBeforeStop, okWhileDown, slowest200, unavailable, AuditTopics.RAW, checked,
                lost.size());
        assertThat(lost).as("events of batches answered 200 but not in " + AuditTopics.RAW + " (%d of %d checked)",
                lost.size(), checked).isEmpty();
        assertThat(checked).isEqualTo(ok * EVENTS_PER_BATCH);
    }

    /** Posts a 400-event EventList as the apiserver does; the client gives up only after the apiserver's 30 s. */
    private static Answer postBatch(String batch) {
        long t0 = System.nanoTime();
        try {
            List<byte[]> events = new ArrayList<>(EVENTS_PER_BATCH);
            for (int i = 0; i < EVENTS_PER_BATCH; i++) {
                events.add(event(batch, i));
            }
            HttpResponse<String> r = post(apiserver, uri(service, CLUSTER), Corpus.eventList(events));
            return Answer.of(r, t0);
        } catch (Exception e) {
            return Answer.failed(e, t0);
        }
    }

    private static String auditId(String batch, int i) {
        return RUN + "-" + batch + "-" + i;
    }

    private static byte[] event(String batch, int i) {
        return ("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\""
                + auditId(batch, i) + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/phi/pods\","
                + "\"verb\":\"list\",\"user\":{\"username\":\"system:serviceaccount:phi:reader\"},"
                + "\"responseStatus\":{\"code\":200}}").getBytes(StandardCharsets.UTF_8);
    }

    private static List<TopicPartitionInfo> describeRaw() {
        try {
            return admin.describeTopics(List.of(AuditTopics.RAW)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(AuditTopics.RAW).partitions();
        } catch (Exception e) {
            throw new IllegalStateException("describing " + AuditTopics.RAW + " failed", e);
        }
    }

    /** Every partition has a leader, none of them the stopped broker, which is in no partition's ISR any more. */
    private static boolean ledWithoutVictim(int victim) {
        return everyPartition(p -> p.leader() != null && !p.leader().isEmpty()
                && p.leader().id() != victim && p.isr().stream().noneMatch(n -> n.id() == victim));
    }

    /** For a wait: false, not a failure, while the cluster cannot describe the topic (a controller being elected). */
    private static boolean everyPartition(Predicate<TopicPartitionInfo> condition) {
        try {
            List<TopicPartitionInfo> partitions = describeRaw();
            return partitions.size() == PARTITIONS && partitions.stream().allMatch(condition);
        } catch (IllegalStateException notNow) {
            return false;
        }
    }

    private static Map<Integer, Integer> leaders() {
        Map<Integer, Integer> m = new TreeMap<>();
        describeRaw().forEach(p -> m.put(p.partition(), p.leader() == null ? -1 : p.leader().id()));
        return m;
    }

    /** Looking every 100 ms, for up to 45 s a phase; fails at once if a poster stops (after its batch cap, say). */
    private static void waitFor(List<Future<?>> posters, BooleanSupplier condition, String what) throws Exception {
        WebhookAnswers.waitFor(posters, PHASE_TIMEOUT, Duration.ofMillis(100), condition, what);
    }
}
