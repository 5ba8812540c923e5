package io.auditkeeper.notifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real HTTPS receiver on 127.0.0.1 for the tests: answers each request as a script says, given the request's dedupe
 * key and how many requests with that key came before, and keeps what it got: the key of each request (the webhook's
 * Idempotency-Key, PagerDuty's dedup_key, the alert id in Slack's text), its headers, body, answer and arrival.
 */
final class TestReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SLACK_ID = Pattern.compile("alert id ([^ )]+)");

    /** The answer to one request: a status after holding it {@code holdMs}. */
    record Answer(int status, long holdMs, String body) {
        static Answer of(int status) {
            return new Answer(status, 0, "");
        }
    }

    record Request(String key, Map<String, List<String>> headers, byte[] body, int answered, long arrivedNanos) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-receiver");
        t.setDaemon(true);
        return t;
    });
    private final BiFunction<String, Integer, Answer> script;
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final List<Request> requests = new ArrayList<>();

    TestReceiver(SSLContext tls, BiFunction<String, Integer, Answer> script) throws IOException {
        this.script = script;
        this.server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 32);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String url(String path) {
        return "https://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private void handle(HttpExchange ex) throws IOException {
        long arrived = System.nanoTime();
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String key = key(ex, body);
            int before = seen.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement();
            Answer a = script.apply(key, before);
            if (a.holdMs() > 0) {
                try {
                    Thread.sleep(a.holdMs());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (requests) {
                requests.add(new Request(key, Map.copyOf(ex.getRequestHeaders()), body, a.status(), arrived));
            }
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(out);
                }
            }
        } catch (IOException e) {
            // the client gave up on a held request: what it got is already recorded
        }
    }

    private static String key(HttpExchange ex, byte[] body) {
        String idem = ex.getRequestHeaders().getFirst("Idempotency-Key");
        if (idem != null) {
            return idem;
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n.hasNonNull("dedup_key")) {
                return n.get("dedup_key").asText();
            }
            Matcher m = SLACK_ID.matcher(n.path("text").asText());
            if (m.find()) {
                return m.group(1);
            }
        } catch (IOException e) {
            // not JSON
        }
        return "(no key)";
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** How many 2xx answers each key got. */
    Map<String, Long> delivered() {
        return requests().stream().filter(r -> r.answered() / 100 == 2)
                .collect(Collectors.groupingBy(Request::key, Collectors.counting()));
    }

    /** How many requests each key came in. */
    Map<String, Long> attempts() {
        return requests().stream().collect(Collectors.groupingBy(Request::key, Collectors.counting()));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
