package io.auditkeeper.ingest;

import io.auditkeeper.ingest.WebhookAnswers.Answer;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.EmbeddedKafka;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.AuditTopics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static io.auditkeeper.ingest.IngestHarness.admin;
import static io.auditkeeper.ingest.IngestHarness.get;
import static io.auditkeeper.ingest.IngestHarness.uri;
import static io.auditkeeper.ingest.WebhookAnswers.assertOnly200Or503ToResend;
import static io.auditkeeper.ingest.WebhookAnswers.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promise that matters most: with Kafka down the webhook answers 503 in time for the apiserver to retry, and
 * every batch it answered 200 is in Kafka once the broker is back. Uses its own broker, since it stops it.
 */
class KafkaOutageIT {
    private static final long ACK_TIMEOUT_MS = 2_000;
    private static EmbeddedKafka kafka;
    private static IngestService service;
    private static HttpClient apiserver;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(IngestHarness.target("kafka-outage-" + System.nanoTime()));
        DevPki pki = DevPki.create(IngestHarness.target("pki-outage"));
        Map<String, Object> settings = IngestHarness.settings(pki, kafka.bootstrapServers());
        settings.put("limits.ack-timeout-ms", Long.toString(ACK_TIMEOUT_MS));
        service = IngestHarness.start(settings);
        apiserver = IngestHarness.client(pki.clientSslContext(pki.clientCert(), pki.clientKey()));
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
    void shouldAnswer503WhileKafkaIsDownAndKeepEveryBatchItAnswered200() throws Exception {
        Map<String, Answer> answered = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> posters = new ArrayList<>();
        try {
            for (int p = 0; p < 3; p++) {
                int poster = p;
                posters.add(pool.submit(() -> {
                    int n = 0;
                    while (running.get()) {
                        String batch = "p" + poster + "-b" + n++;
                        answered.put(batch, postBatch(batch));
                    }
                }));
            }

            waitFor(posters, () -> count(answered, 200) >= 10, "batches accepted before the outage");
            kafka.stop();
            waitFor(posters, () -> count(answered, 503) >= 3, "503 answers while Kafka is down");
            waitFor(posters, () -> status(admin(service, "/readyz")) == 503, "/readyz to report not ready");
            int acceptedBeforeRestart = count(answered, 200);
            kafka.restart();
            waitFor(posters, () -> count(answered, 200) >= acceptedBeforeRestart + 10,
                    "batches accepted after the restart");
            waitFor(posters, () -> status(admin(service, "/readyz")) == 200, "/readyz to report ready again");
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
        Map<String, Integer> eventsByBatch = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : IngestHarness.readAll(kafka.bootstrapServers(), AuditTopics.RAW)) {
            eventsByBatch.merge(IngestHarness.header(r, AuditHeaders.CLUSTER), 1, Integer::sum);
        }
        Set<String> lost = new HashSet<>();
        answered.forEach((batch, answer) -> {
            if (answer.status() == 200 && eventsByBatch.getOrDefault(batch, 0) < 3) {
                lost.add(batch);
            }
        });
        assertThat(lost).as("batches answered 200 but not (completely) in Kafka").isEmpty();
    }

    /** Posts three events for cluster {@code batch}; the client gives up only after the apiserver's 30 s. */
    private static Answer postBatch(String batch) {
        long t0 = System.nanoTime();
        try {
            byte[] body = Corpus.eventList(List.of(event(batch, 1), event(batch, 2), event(batch, 3)));
            HttpResponse<String> r = apiserver.send(HttpRequest.newBuilder(uri(service, batch))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            return Answer.of(r, t0);
        } catch (Exception e) {
            return Answer.failed(e, t0);
        }
    }

    private static byte[] event(String batch, int i) {
        return ("{\"auditID\":\"" + batch + "-" + i + "\",\"stage\":\"ResponseComplete\",\"verb\":\"get\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static int status(java.net.URI uri) {
        try {
            return get(uri).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Looking every 50 ms, for up to 90 s; fails at once if a poster stops. */
    private static void waitFor(List<Future<?>> posters, BooleanSupplier condition, String what) throws Exception {
        WebhookAnswers.waitFor(posters, Duration.ofSeconds(90), Duration.ofMillis(50), condition, what);
    }
}
