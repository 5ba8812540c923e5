package io.auditkeeper.demo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.model.AuditJson;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How many events of one cluster OpenSearch returns to a search right now ({@code _count} over {@code audit-events-*}),
 * sampled over time: "searchable" as an auditor's query sees it, after the index's refresh, not merely indexed.
 */
final class SearchableCount {
    /** One sample: when (nanoTime) and how many. */
    record Sample(long nanos, long count) {
    }

    private static final Duration POLL = Duration.ofMillis(100);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI countUri;
    private final String body;

    SearchableCount(URI openSearch, String cluster) {
        this.countUri = URI.create(openSearch.toString().replaceAll("/+$", "")
                + "/audit-events-*/_count?ignore_unavailable=true&allow_no_indices=true");
        this.body = "{\"query\":{\"term\":{\"cluster\":\"" + cluster + "\"}}}";
    }

    long now() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(countUri).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .method("GET", HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return -1;
            }
            JsonNode json = AuditJson.mapper().readTree(r.body());
            return json.path("count").asLong(-1);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * Samples every 100 ms until {@code expected} are searchable or {@code patience} runs out; the samples, the last
     * one the moment the count reached {@code expected} (or the last seen).
     */
    List<Sample> until(long expected, Duration patience) throws InterruptedException {
        List<Sample> samples = new ArrayList<>();
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            long c = now();
            samples.add(new Sample(System.nanoTime(), c));
            if (c >= expected || System.nanoTime() > deadline) {
                return samples;
            }
            Thread.sleep(POLL.toMillis());
        }
    }
}
