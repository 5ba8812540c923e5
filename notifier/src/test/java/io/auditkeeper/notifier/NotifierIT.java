package io.auditkeeper.notifier;

import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.MetricsScrape;
import io.auditkeeper.localstack.OperationsDoc;
import io.auditkeeper.localstack.TopicSnapshot;
import io.auditkeeper.localstack.Topics;
import io.auditkeeper.localstack.Waits;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.notifier.TestReceiver.Answer;
import io.auditkeeper.notifier.config.NotifierConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The notifier against the local Kafka and real HTTPS receivers on this machine, one per kind of trouble, all fed by
 * the same alerts at once: a receiver whose certificate is not trusted, one that answers 500 twice before 200
 * (PagerDuty's format), one that refuses with 400 (Slack's), one slower than the request timeout at first, and a
 * healthy one. What is checked is what a user checks: what each receiver got, keyed by dedupe key, what
 * {@code audit.dlq} holds, and that a restart sends nothing again.
 */
@ExtendWith(LocalStackExtension.class)
class NotifierIT {
    private static final String TOKEN = "tok-5ecret-9f8e7d";
    private static final String ROUTING_KEY = "rk0123456789abcdef0123456789abcd";

    @TempDir
    Path dir;

    @Test
    void shouldDeliverEachAlertOnceToEveryReceiverThatAnswers2xxAndDeadLetterTheRestWithoutHoldingOthersUp(LocalStack stack) throws Exception {
        String bootstrap = stack.kafkaBootstrap();
        String run = "notifier-it-" + System.nanoTime();
        String alerts = run + "-alerts";
        String phi = run + "-phi";
        String dlq = run + "-dlq";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Topics.createAndAwaitLeaders(admin, new NewTopic(alerts, 2, (short) 1), new NewTopic(phi, 1, (short) 1),
                    new NewTopic(dlq, 1, (short) 1));
        }
        DevPki pki = DevPki.create(dir.resolve("pki"));
        DevPki stranger = DevPki.createUntrusted(dir.resolve("stranger"));
        CountDownLatch healthyHasAll = new CountDownLatch(1);

        List<String> ids = List.of("a0000000000000000000000000000001", "a0000000000000000000000000000002",
                "a0000000000000000000000000000003", "a0000000000000000000000000000004");
        try (TestReceiver untrusted = new TestReceiver(stranger.serverSslContext(), (k, n) -> Answer.of(200));
             TestReceiver flaky = new TestReceiver(pki.serverSslContext(), (k, n) -> Answer.of(n < 2 ? 500 : 202));
             TestReceiver refusing = new TestReceiver(pki.serverSslContext(), (k, n) -> new Answer(400, 0, "invalid_payload"));
             TestReceiver slow = new TestReceiver(pki.serverSslContext(), (k, n) -> new Answer(200, hold(healthyHasAll) + (n == 0 ? 1_000 : 0), ""));
             TestReceiver healthy = new TestReceiver(pki.serverSslContext(), (k, n) -> Answer.of(200))) {

            Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
            Path routingKey = Files.writeString(dir.resolve("routing-key"), ROUTING_KEY);
            Path slackUrl = Files.writeString(dir.resolve("slack-url"), refusing.url("/services/T0/B0/sl4ckS3cret"));
            Map<String, Object> s = new HashMap<>();
            s.put("kafka.bootstrap-servers", bootstrap);
            s.put("topics.alerts.name", alerts);
            s.put("topics.phi-access.name", phi);
            s.put("topics.dlq.name", dlq);
            s.put("consumer-group-prefix", run);
            s.put("poll.timeout-ms", "200");
            s.put("admin.host", "127.0.0.1");
            s.put("admin.port", "0");
            receiver(s, "untrusted", "webhook", pki).put("receivers.untrusted.url", untrusted.url("/hook"));
            s.put("receivers.untrusted.retry.max-attempts", "3");
            receiver(s, "flaky", "pagerduty", pki).put("receivers.flaky.url", flaky.url("/v2/enqueue"));
            s.put("receivers.flaky.routing-key-file", routingKey.toString());
            s.put("receivers.flaky.min-severity", "medium");
            receiver(s, "refusing", "slack", pki).put("receivers.refusing.url-file", slackUrl.toString());
            receiver(s, "slow", "webhook", pki).put("receivers.slow.url", slow.url("/hook"));
            s.put("receivers.slow.request-timeout-ms", "700");
            s.put("receivers.slow.retry.max-attempts", "100");
            receiver(s, "healthy", "webhook", pki).put("receivers.healthy.url", healthy.url("/hook"));
            s.put("receivers.healthy.token-file", token.toString());
            s.put("receivers.healthy.sources", "alerts,phi-access");

            Map<String, byte[]> written = new HashMap<>();
            try (KafkaProducer<byte[], byte[]> p = transactional(bootstrap, run)) {
                p.initTransactions();
                p.beginTransaction();
                for (int i = 0; i < ids.size(); i++) {
                    byte[] alert = Alerts.alert(ids.get(i), i == 3 ? "low" : "high");
                    written.put(ids.get(i), alert);
                    p.send(new ProducerRecord<>(alerts, i % 2, key("prod-east/actor-" + i), alert));
                }
                p.send(new ProducerRecord<>(phi, key("prod-east/alice"), Alerts.flaggedRequest("req-high", "high")));
                p.send(new ProducerRecord<>(phi, key("prod-east/alice"), Alerts.flaggedRequest("req-medium", "medium")));
                p.commitTransaction();
                p.beginTransaction();
                p.send(new ProducerRecord<>(alerts, 0, key("prod-east/x"), Alerts.alert("aborted0000000000000000000000000", "critical")));
                p.flush();
                p.abortTransaction();
            }

            NotifierService notifier = new NotifierService(NotifierConfig.of(s));
            MetricsScrape metrics;
            try {
                notifier.start();
                assertThat(Waits.until(Duration.ofSeconds(30), Duration.ofMillis(50), () -> healthy.delivered().size() == 5))
                        .as("the healthy receiver got the 4 alerts and the high flagged request: %s", healthy.attempts()).isTrue();
                healthyHasAll.countDown();
                metrics = MetricsScrape.await(notifier.adminPort(), Duration.ofSeconds(40), m ->
                        m.value("auditkeeper_notifier_deliveries_total", "receiver=\"slow\"", "outcome=\"delivered\"") == 4
                                && m.value("auditkeeper_notifier_deliveries_total", "receiver=\"flaky\"", "outcome=\"delivered\"") == 3
                                && m.value("auditkeeper_notifier_deliveries_total", "receiver=\"untrusted\"", "outcome=\"dead-lettered\"") == 4
                                && m.value("auditkeeper_notifier_deliveries_total", "receiver=\"refusing\"", "outcome=\"dead-lettered\"") == 4);
                assertThat(notifier.notReadyReason()).isEmpty();
            } finally {
                notifier.close();
            }

            // the healthy receiver: every alert and the one flagged request at or above high, once each, promptly
            Map<String, Long> once = new HashMap<>();
            ids.forEach(id -> once.put(id, 1L));
            once.put("phi-access/prod-east/req-high", 1L);
            assertThat(healthy.attempts()).isEqualTo(once);
            for (TestReceiver.Request r : healthy.requests()) {
                assertThat(r.header("Authorization")).isEqualTo("Bearer " + TOKEN);
                if (ids.contains(r.key())) {
                    assertThat(r.body()).as("the alert as written").isEqualTo(written.get(r.key()));
                    assertThat(r.header("X-Auditkeeper-Source")).isEqualTo("alerts");
                }
            }
            // the slow receiver held every request until the healthy one had everything, so the healthy one never
            // waited for it; it timed out, was sent the same alert again with the same key, and lost nothing
            assertThat(slow.delivered()).containsOnlyKeys(ids);
            assertThat(slow.attempts().values()).as("the first request of each, slower than the timeout, was retried").allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(2L));
            for (TestReceiver.Request r : slow.requests()) {
                assertThat(r.body()).as("a retry is the same alert").isEqualTo(written.get(r.key()));
            }
            assertThat(metrics.value("auditkeeper_notifier_retries_total", "receiver=\"slow\"", "cause=\"timeout\"")).isGreaterThanOrEqualTo(4);

            // 500, 500, 202: delivered exactly once per alert, in PagerDuty's format; the low alert passed over
            assertThat(flaky.delivered()).isEqualTo(Map.of(ids.get(0), 1L, ids.get(1), 1L, ids.get(2), 1L));
            assertThat(flaky.attempts()).isEqualTo(Map.of(ids.get(0), 3L, ids.get(1), 3L, ids.get(2), 3L));
            TestReceiver.Request page = flaky.requests().get(0);
            assertThat(page.json().get("routing_key").asText()).isEqualTo(ROUTING_KEY);
            assertThat(page.json().get("event_action").asText()).isEqualTo("trigger");

            // 400: one request per alert, no retry
            assertThat(refusing.attempts()).isEqualTo(Map.of(ids.get(0), 1L, ids.get(1), 1L, ids.get(2), 1L, ids.get(3), 1L));
            // untrusted certificate: not one request got through
            assertThat(untrusted.requests()).isEmpty();

            List<ConsumerRecord<byte[], byte[]>> deadLetters = TopicSnapshot.read(bootstrap, dlq);
            assertThat(deadLetters).hasSize(8).allSatisfy(r -> {
                assertThat(header(r, AuditHeaders.DLQ_REASON)).isEqualTo("alert-undeliverable");
                assertThat(header(r, AuditHeaders.DLQ_SOURCE)).isEqualTo("notifier");
                assertThat(header(r, AuditHeaders.DLQ_ORIGIN)).startsWith(alerts + "/");
                assertThat(header(r, AuditHeaders.DLQ_DETAIL)).doesNotContain("sl4ckS3cret", ROUTING_KEY, TOKEN);
            });
            List<ConsumerRecord<byte[], byte[]>> refused = byReceiver(deadLetters, "refusing");
            assertThat(refused).hasSize(4).allSatisfy(r -> {
                assertThat(header(r, AuditHeaders.DLQ_HTTP_STATUS)).isEqualTo("400");
                assertThat(header(r, AuditHeaders.DLQ_DETAIL)).contains("receiver refusing (slack): alert a000", "HTTP 400: invalid_payload", "not retried");
            });
            assertThat(refused).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrderElementsOf(ids.stream().map(id -> new String(written.get(id), StandardCharsets.UTF_8)).toList());
            List<ConsumerRecord<byte[], byte[]>> tls = byReceiver(deadLetters, "untrusted");
            assertThat(tls).hasSize(4).allSatisfy(r -> {
                assertThat(header(r, AuditHeaders.DLQ_HTTP_STATUS)).isNull();
                assertThat(header(r, AuditHeaders.DLQ_DETAIL)).contains("after 3 attempts", "TLS handshake failed");
            });

            assertThat(metrics.value("auditkeeper_notifier_retries_total", "receiver=\"flaky\"", "cause=\"http-500\"")).isEqualTo(6);
            assertThat(metrics.value("auditkeeper_notifier_retries_total", "receiver=\"untrusted\"", "cause=\"tls\"")).isEqualTo(8);
            assertThat(metrics.value("auditkeeper_notifier_dead_letters_total", "receiver=\"refusing\"", "cause=\"http-400\"")).isEqualTo(4);
            assertThat(metrics.value("auditkeeper_notifier_passed_over_total", "receiver=\"flaky\"")).isEqualTo(1);
            assertThat(metrics.value("auditkeeper_notifier_passed_over_total", "receiver=\"healthy\"")).as("the medium flagged request").isEqualTo(1);
            assertThat(OperationsDoc.missingFrom("notifier", metrics.text())).isEmpty();

            // a restart resumes after what was committed: a new alert arrives, and nothing before it again
            Map<String, Object> again = new HashMap<>(s);
            again.keySet().removeIf(k -> k.startsWith("receivers.") && !k.startsWith("receivers.healthy.") && !k.startsWith("receivers.flaky."));
            String marker = "a00000000000000000000000000000ff";
            try (KafkaProducer<byte[], byte[]> p = transactional(bootstrap, run + "-2")) {
                p.initTransactions();
                p.beginTransaction();
                p.send(new ProducerRecord<>(alerts, 0, key("prod-east/m"), Alerts.alert(marker, "high")));
                p.send(new ProducerRecord<>(alerts, 1, key("prod-east/n"), Alerts.alert(marker + "1", "high")));
                p.commitTransaction();
            }
            NotifierService restarted = new NotifierService(NotifierConfig.of(again));
            try {
                restarted.start();
                assertThat(Waits.until(Duration.ofSeconds(30), Duration.ofMillis(50),
                        () -> healthy.delivered().containsKey(marker) && healthy.delivered().containsKey(marker + "1")
                                && flaky.delivered().containsKey(marker) && flaky.delivered().containsKey(marker + "1")))
                        .as("the new alerts, on both partitions, after the restart").isTrue();
            } finally {
                restarted.close();
            }
            assertThat(healthy.delivered()).as("nothing delivered before was sent again").containsAllEntriesOf(once)
                    .hasSize(7).allSatisfy((k, n) -> assertThat(n).isEqualTo(1L));
            assertThat(flaky.delivered()).hasSize(5).allSatisfy((k, n) -> assertThat(n).isEqualTo(1L));
        }

        String log = Files.readString(Path.of("target", "notifier-it-log.jsonl"));
        assertThat(log).contains("alert delivered", "alert to the dead-letter topic").doesNotContain(TOKEN, ROUTING_KEY, "sl4ckS3cret");
    }

    private static long hold(CountDownLatch until) {
        try {
            until.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static Map<String, Object> receiver(Map<String, Object> s, String name, String type, DevPki pki) {
        String p = "receivers." + name + ".";
        s.put(p + "type", type);
        s.put(p + "ca-file", pki.caCert().toString());
        s.put(p + "start-at", "earliest");
        s.put(p + "request-timeout-ms", "5000");
        s.put(p + "retry.backoff-initial-ms", "50");
        s.put(p + "retry.backoff-max-ms", "200");
        return s;
    }

    private static KafkaProducer<byte[], byte[]> transactional(String bootstrap, String id) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "transactional.id", id),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static List<ConsumerRecord<byte[], byte[]>> byReceiver(List<ConsumerRecord<byte[], byte[]>> records, String receiver) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        records.stream().filter(r -> receiver.equals(header(r, AuditHeaders.DLQ_RECEIVER))).forEach(out::add);
        return out;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return AuditHeaders.get(r.headers(), name).orElse(null);
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
