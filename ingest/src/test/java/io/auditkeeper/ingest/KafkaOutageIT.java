package io.auditkeeper.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.atomic.AtomicBoolean;
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
        Map<String, Integer> answered = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> posters = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            int poster = p;
            Thread t = new Thread(() -> {
                int n = 0;
                while (running.get()) {
                    String batch = "p" + poster + "-b" + n++;
                    answered.put(batch, postBatch(batch));
                }
            }, "poster-" + p);
            t.start();
            posters.add(t);
        }

        waitFor(() -> count(answered, s -> s == 200) >= 10, "batches accepted before the outage");
        kafka.stop();
        waitFor(() -> count(answered, s -> s == 503) >= 3, "503 answers while Kafka is down");
        waitFor(() -> status(admin(service, "/readyz")) == 503, "/readyz to report not ready");
        int acceptedBeforeRestart = count(answered, s -> s == 200);
        kafka.restart();
        waitFor(() -> count(answered, s -> s == 200) >= acceptedBeforeRestart + 10, "batches accepted after the restart");
        waitFor(() -> status(admin(service, "/readyz")) == 200, "/readyz to report ready again");
        running.set(false);
        for (Thread t : posters) {
            t.join();
        }

        assertThat(answered.values()).as("only 200 and 503 are ever answered").allMatch(s -> s == 200 || s == 503);
        Map<String, Integer> eventsByBatch = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : IngestHarness.readAll(kafka.bootstrapServers(), AuditTopics.RAW)) {
            eventsByBatch.merge(IngestHarness.header(r, AuditHeaders.CLUSTER), 1, Integer::sum);
        }
        Set<String> lost = new HashSet<>();
        answered.forEach((batch, status) -> {
            if (status == 200 && eventsByBatch.getOrDefault(batch, 0) < 3) {
                lost.add(batch);
            }
        });
        assertThat(lost).as("batches answered 200 but not (completely) in Kafka").isEmpty();
    }

    /** Posts three events for cluster {@code batch}; the client gives up only after the apiserver's 30 s. */
    private static int postBatch(String batch) {
        try {
            byte[] body = Corpus.eventList(List.of(event(batch, 1), event(batch, 2), event(batch, 3)));
            HttpResponse<String> r = apiserver.send(HttpRequest.newBuilder(uri(service, batch))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 503) {
                assertThat(MAPPER.readTree(r.body()).get("error").asText()).isEqualTo("kafka-unavailable");
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
            }
            return r.statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static byte[] event(String batch, int i) {
        return ("{\"auditID\":\"" + batch + "-" + i + "\",\"stage\":\"ResponseComplete\",\"verb\":\"get\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static int count(Map<String, Integer> answered, IntPredicate p) {
        return (int) answered.values().stream().filter(p::test).count();
    }

    private static int status(java.net.URI uri) {
        try {
            return get(uri).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
