package io.auditkeeper.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.localstack.TopicSnapshot;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the stream-processor made of the demo's batches, read back from its output topics once it has taken in every
 * event ingest accepted: the normalized events, the flagged requests and the alerts.
 */
record DemoResults(int events, List<JsonNode> flagged, List<JsonNode> alerts, boolean complete) {
    private static final long WAIT_MS = 60_000;
    private static final int SHOWN = 15;
    private static final int EXPECTED_ALERTS = 4;
    private static final List<String> SEVERITIES = List.of("critical", "high", "medium", "low");

    static DemoResults await(String bootstrap, StreamProcessorConfig config, StreamProcessorService processor, int accepted)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (consumed(processor) < accepted && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        boolean allIn = consumed(processor) >= accepted;
        List<JsonNode> alerts = read(bootstrap, config.alertsTopic());
        // Alerts pass through a repartition topic, after the events: the synthetic traffic raises four with the demo's
        // thresholds (fewer if a user raised them; then this waits out the deadline).
        while (alerts.size() < EXPECTED_ALERTS && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            alerts = read(bootstrap, config.alertsTopic());
        }
        return new DemoResults(TopicSnapshot.read(bootstrap, config.eventsTopic()).size(),
                read(bootstrap, config.phiAccessTopic()), alerts, allIn);
    }

    private static double consumed(StreamProcessorService p) {
        var r = p.registry();
        double n = r.find("auditkeeper.streams.events.processed").counters().stream().mapToDouble(c -> c.count()).sum();
        n += r.find("auditkeeper.streams.events.duplicates").counters().stream().mapToDouble(c -> c.count()).sum();
        n += r.find("auditkeeper.streams.events.rejected").counters().stream().mapToDouble(c -> c.count()).sum();
        return n;
    }

    private static List<JsonNode> read(String bootstrap, String topic) {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicSnapshot.read(bootstrap, topic)) {
            try {
                out.add(AuditJson.mapper().readTree(r.value()));
            } catch (IOException e) {
                // not ours to judge here; the count below still shows it
            }
        }
        return out;
    }

    /** The most severe flagged request (the earliest of them), the one the demo proves; null when none was flagged. */
    JsonNode mostSevere() {
        return flagged.stream()
                .min(Comparator.comparing((JsonNode e) -> SEVERITIES.indexOf(e.at("/phi/severity").asText()))
                        .thenComparing(e -> e.path("timestamp").asText("")))
                .orElse(null);
    }

    void print(PrintWriter out) {
        out.printf("  audit.events: %d normalized events (each accepted event once; secret values redacted)%n", events);
        Map<String, Integer> byRule = new TreeMap<>();
        flagged.forEach(e -> e.at("/phi/rules").forEach(r -> byRule.merge(r.asText(), 1, Integer::sum)));
        out.printf("  audit.phi-access: %d flagged requests, by rule: %s%n", flagged.size(), byRule);
        List<JsonNode> shown = flagged.stream()
                .sorted(Comparator.comparing((JsonNode e) -> SEVERITIES.indexOf(e.at("/phi/severity").asText()))
                        .thenComparing(e -> e.path("timestamp").asText("")))
                .limit(SHOWN).toList();
        out.printf("    the %d most severe:%n", shown.size());
        out.printf("    %-28s %-38s %-7s %-40s %s%n", "time", "actor", "verb", "resource", "rules (severity)");
        for (JsonNode e : shown) {
            JsonNode ref = e.path("objectRef");
            String what = ref.path("resource").asText("-") + (ref.hasNonNull("subresource") ? "/" + ref.get("subresource").asText() : "")
                    + " " + ref.path("namespace").asText("*") + "/" + ref.path("name").asText("*");
            out.printf("    %-28s %-38s %-7s %-40s %s (%s)%n", e.path("timestamp").asText("-"), e.path("actor").asText(""),
                    e.path("verb").asText(""), what, e.at("/phi/rules"), e.at("/phi/severity").asText());
        }
        out.printf("  audit.alerts: %d alerts%n", alerts.size());
        for (JsonNode a : alerts) {
            out.printf("    %-20s %-8s %s (%d requests, %s .. %s)%n", a.path("type").asText(), a.path("severity").asText(),
                    a.path("description").asText(), a.path("count").asInt(), a.path("windowStart").asText(),
                    a.path("windowEnd").asText());
        }
        if (!complete) {
            out.println("  (the stream-processor had not taken in every accepted event within " + WAIT_MS / 1000 + " s)");
        }
    }
}
