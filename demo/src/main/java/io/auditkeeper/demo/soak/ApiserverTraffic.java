package io.auditkeeper.demo.soak;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.demo.ApiserverClock;
import io.auditkeeper.demo.CorpusFiles;
import io.auditkeeper.model.AuditJson;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Apiserver-like traffic for the soak: each simulated cluster turns real audit events (the corpus, each given a fresh
 * auditID and the current time) into {@code EventList} batches of the apiserver's default size at a steady rate, and
 * posts them over mutual TLS to the ingest instances in turn, as a Service spreads connections over its pods. A batch
 * is sent again exactly when the apiserver would ({@link RetryContract}), to the next instance, until it is answered
 * 200; only then are its events counted as acknowledged: the set the archive and the index are reconciled against.
 */
final class ApiserverTraffic implements AutoCloseable {
    /** The apiserver's {@code --audit-webhook-batch-max-size} default. */
    static final int BATCH_SIZE = 400;

    record Settings(List<String> clusters, int eventsPerSecond, int senders) {
    }

    private record Batch(String cluster, byte[] body, List<String> keys) {
    }

    private final Settings settings;
    private final ServiceEndpoints ingest;
    private final HttpClient http;
    private final List<ObjectNode> templates;
    private final BlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    private final AtomicLong eventsSent = new AtomicLong();
    private final AtomicLong eventsDropped = new AtomicLong();
    private final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();
    private final AtomicLong resends = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger nextInstance = new AtomicInteger();
    private final ScheduledExecutorService generator = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "soak-apiserver"));
    private final ExecutorService senders;
    private volatile boolean sending = true;
    private long sequence;

    ApiserverTraffic(Settings settings, ServiceEndpoints ingest, SSLContext ssl, CorpusFiles corpus) {
        this.settings = settings;
        this.ingest = ingest;
        this.http = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.templates = corpus.events().stream().map(ApiserverTraffic::parse).toList();
        this.senders = Executors.newFixedThreadPool(settings.senders(), r -> daemon(r, "soak-sender"));
    }

    void start() {
        long periodMicros = 1_000_000L * BATCH_SIZE / settings.eventsPerSecond();
        generator.scheduleAtFixedRate(this::generate, 0, periodMicros, TimeUnit.MICROSECONDS);
        for (int i = 0; i < settings.senders(); i++) {
            senders.execute(this::sendLoop);
        }
    }

    /** Stops making batches and waits until every one made has been answered 200 (or dropped by the contract). */
    boolean stopAndDrain(Duration patience) throws InterruptedException {
        generator.shutdown();
        generator.awaitTermination(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + patience.toNanos();
        while ((!queue.isEmpty() || inFlight.get() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        boolean drained = queue.isEmpty() && inFlight.get() == 0;
        sending = false;
        return drained;
    }

    /** The (cluster, auditID, stage) of every event in a batch answered 200, as {@code cluster\nauditID\nstage}. */
    Set<String> acknowledged() {
        return acknowledged;
    }

    long eventsSent() {
        return eventsSent.get();
    }

    long eventsDropped() {
        return eventsDropped.get();
    }

    /** Events the apiserver's contract dropped, by what made it drop them: an answer, or a transport failure. */
    Map<String, Long> droppedBy() {
        Map<String, Long> out = new java.util.TreeMap<>();
        dropped.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    long resends() {
        return resends.get();
    }

    /** How many attempts got each answer: an HTTP status, or the kind of connection failure. */
    Map<String, Long> answers() {
        Map<String, Long> out = new java.util.TreeMap<>();
        answers.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private void generate() {
        String cluster = settings.clusters().get((int) (sequence++ % settings.clusters().size()));
        List<byte[]> events = new ArrayList<>(BATCH_SIZE);
        List<String> keys = new ArrayList<>(BATCH_SIZE);
        String now = ApiserverClock.now();
        for (int i = 0; i < BATCH_SIZE; i++) {
            ObjectNode e = templates.get(ThreadLocalRandom.current().nextInt(templates.size())).deepCopy();
            String auditId = UUID.randomUUID().toString();
            e.put("auditID", auditId);
            e.put("requestReceivedTimestamp", now);
            e.put("stageTimestamp", now);
            keys.add(cluster + "\n" + auditId + "\n" + e.path("stage").asText());
            events.add(bytes(e));
        }
        queue.add(new Batch(cluster, CorpusFiles.eventList(events), keys));
        eventsSent.addAndGet(BATCH_SIZE);
    }

    private void sendLoop() {
        while (sending) {
            Batch b;
            try {
                b = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (b == null) {
                continue;
            }
            inFlight.incrementAndGet();
            try {
                deliver(b);
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    private void deliver(Batch b) {
        Duration backoff = RetryContract.FIRST_BACKOFF;
        for (int attempt = 0; sending; attempt++) {
            if (attempt > 0) {
                resends.incrementAndGet();
            }
            URI target = ingest.next(b.cluster());
            java.util.Optional<String> retryAfter = java.util.Optional.empty();
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(b.body())).build(), HttpResponse.BodyHandlers.discarding());
                count(Integer.toString(r.statusCode()));
                if (r.statusCode() == 200) {
                    acknowledged.addAll(b.keys());
                    return;
                }
                retryAfter = r.headers().firstValue("Retry-After");
                if (!RetryContract.retries(r.statusCode(), retryAfter)) {
                    drop(b, "answered " + r.statusCode());
                    return;
                }
            } catch (IOException e) {
                RetryContract.Transport failure = RetryContract.transport(e);
                count(failure.label());
                if (!failure.retried()) {
                    drop(b, failure.label());
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Duration wait = RetryContract.wait(RetryContract.seconds(retryAfter), backoff);
            backoff = RetryContract.next(backoff);
            try {
                Thread.sleep(wait.toMillis() + ThreadLocalRandom.current().nextLong(1 + wait.toMillis() / 5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void drop(Batch b, String why) {
        eventsDropped.addAndGet(b.keys().size());
        dropped.computeIfAbsent(why, k -> new AtomicLong()).addAndGet(b.keys().size());
    }

    private void count(String answer) {
        answers.computeIfAbsent(answer, k -> new AtomicLong()).incrementAndGet();
    }

    private static byte[] bytes(ObjectNode event) {
        try {
            return AuditJson.mapper().writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode parse(byte[] event) {
        try {
            return (ObjectNode) AuditJson.mapper().readTree(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        sending = false;
        generator.shutdownNow();
        senders.shutdownNow();
    }
}
