package io.auditkeeper.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.EmbeddedKafka;
import io.auditkeeper.localstack.Waits;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;

import static io.auditkeeper.ingest.IngestHarness.admin;
import static io.auditkeeper.ingest.IngestHarness.get;
import static io.auditkeeper.ingest.IngestHarness.uri;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promise that matters most: with Kafka down the webhook answers 503 in time for the apiserver to retry, and
 * every batch it answered 200 is in Kafka once the broker is back. Uses its own broker, since it stops it.
 */
class KafkaOutageIT {
    private static final long ACK_TIMEOUT_MS = 2_000;
    private static final ObjectMapper MAPPER = new ObjectMapper();
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

            waitFor(posters, () -> count(answered, s -> s == 200) >= 10, "batches accepted before the outage");
            kafka.stop();
            waitFor(posters, () -> count(answered, s -> s == 503) >= 3, "503 answers while Kafka is down");
            waitFor(posters, () -> status(admin(service, "/readyz")) == 503, "/readyz to report not ready");
            int acceptedBeforeRestart = count(answered, s -> s == 200);
            kafka.restart();
            waitFor(posters, () -> count(answered, s -> s == 200) >= acceptedBeforeRestart + 10,
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
        assertThat(answered.values()).as("only 200 and 503 are ever answered").allMatch(a -> a.status() == 200 || a.status() == 503);
        assertThat(answered.values()).filteredOn(a -> a.status() == 503).allSatisfy(a -> {
            assertThat(a.error()).as("error of a 503 (body %s)", a.body()).isEqualTo("kafka-unavailable");
            assertThat(a.retryAfter()).as("Retry-After of a 503 (body %s)", a.body()).isPresent();
        });
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

    /**
     * What the webhook answered one batch: the status (-1 when the request failed), and for the test thread to assert
     * on, the body, its {@code error} field and the {@code Retry-After} header.
     */
    record Answer(int status, String body, String error, Optional<String> retryAfter) {
    }

    /** Posts three events for cluster {@code batch}; the client gives up only after the apiserver's 30 s. */
    private static Answer postBatch(String batch) {
        try {
            byte[] body = Corpus.eventList(List.of(event(batch, 1), event(batch, 2), event(batch, 3)));
            HttpResponse<String> r = apiserver.send(HttpRequest.newBuilder(uri(service, batch))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), errorOf(r.body()), r.headers().firstValue("Retry-After"));
        } catch (Exception e) {
            return new Answer(-1, e.toString(), null, Optional.empty());
        }
    }

    /** The {@code error} field of a JSON body; null when there is none or the body is not JSON. */
    private static String errorOf(String body) {
        try {
            JsonNode error = MAPPER.readTree(body).get("error");
            return error == null ? null : error.asText();
        } catch (Exception notJson) {
            return null;
        }
    }

    private static byte[] event(String batch, int i) {
        return ("{\"auditID\":\"" + batch + "-" + i + "\",\"stage\":\"ResponseComplete\",\"verb\":\"get\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static int count(Map<String, Answer> answered, IntPredicate p) {
        return (int) answered.values().stream().filter(a -> p.test(a.status())).count();
    }

    private static int status(java.net.URI uri) {
        try {
            return get(uri).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Waits (looking every 50 ms, for up to 90 s) until the condition holds; fails at once, with the poster's error, if a
     * poster stops while waiting.
     */
    private static void waitFor(List<Future<?>> posters, BooleanSupplier condition, String what) throws Exception {
        boolean met = Waits.until(Duration.ofSeconds(90), Duration.ofMillis(50),
                () -> posters.stream().anyMatch(Future::isDone) || condition.getAsBoolean());
        for (Future<?> poster : posters) {
            if (poster.isDone()) {
                try {
                    poster.get();
                } catch (ExecutionException e) {
                    throw new AssertionError("a poster failed while waiting for " + what, e.getCause());
                }
                throw new AssertionError("a poster stopped while waiting for " + what);
            }
        }
        if (!met) {
            throw new AssertionError("timed out waiting for " + what);
        }
    }
}
