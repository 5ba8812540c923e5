package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.Problem;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The outcome of a {@code verify} run as Prometheus metrics, because a scheduled verification nobody looks at proves
 * nothing: the dashboard shows the last result and the alert rules fire on a failed or a missing run. Written in the
 * text exposition format to a file (node_exporter's textfile collector) or pushed to a Pushgateway, the two ways
 * Prometheus takes the results of batch jobs. Every problem kind is present, at 0 when none was found, so that a
 * rule can tell "no problem" from "never run".
 */
public final class VerifyMetrics {
    /** The Pushgateway job the results are grouped under, with the topic as the second grouping label. */
    public static final String JOB = "auditkeeper_verify";
    private static final Duration PUSH_TIMEOUT = Duration.ofSeconds(10);

    private final String text;
    private final String topic;

    private VerifyMetrics(String topic, String text) {
        this.topic = topic;
        this.text = text;
    }

    /** The metrics of one finished run. */
    public static VerifyMetrics of(ArchiveVerificationResult result, Instant finished, Duration took) {
        String topic = result.topic();
        Map<Problem.Kind, Integer> byKind = new EnumMap<>(Problem.Kind.class);
        for (Problem.Kind k : Problem.Kind.values()) {
            byKind.put(k, 0);
        }
        Stream.of(result.digestProblems(), result.keyProblems(),
                        result.unexplained() == null ? List.<Problem>of() : result.unexplained())
                .flatMap(List::stream).forEach(p -> byKind.merge(p.kind(), 1, Integer::sum));
        result.partitions().forEach(p -> p.problems().forEach(x -> byKind.merge(x.kind(), 1, Integer::sum)));

        String t = "topic=\"" + escape(topic) + "\"";
        StringBuilder out = new StringBuilder();
        gauge(out, "auditkeeper_verify_ok", "1 when the last verify of the topic found no problem, 0 when it found any",
                t, result.ok() ? 1 : 0);
        gauge(out, "auditkeeper_verify_last_run_timestamp_seconds", "when the last verify of the topic finished",
                t, finished.toEpochMilli() / 1000.0);
        gauge(out, "auditkeeper_verify_duration_seconds", "how long the last verify of the topic took",
                t, took.toMillis() / 1000.0);
        header(out, "auditkeeper_verify_problems", "problems the last verify found, by kind");
        byKind.forEach((kind, n) -> out.append("auditkeeper_verify_problems{").append(t).append(",kind=\"")
                .append(kind.name()).append("\"} ").append(n).append('\n'));
        gauge(out, "auditkeeper_verify_entries_checked", "manifest entries the last verify checked", t,
                result.partitions().stream().mapToInt(p -> p.entries().size()).sum());
        gauge(out, "auditkeeper_verify_events_checked", "events of the objects the last verify checked", t,
                result.partitions().stream().mapToLong(PartitionVerification::events).sum());
        gauge(out, "auditkeeper_verify_digests_checked", "signed digests the last verify checked", t,
                result.digestsChecked());
        gauge(out, "auditkeeper_verify_leftovers", "explained leftovers the last verify listed (not problems)", t,
                result.leftovers().size());
        return new VerifyMetrics(topic, out.toString());
    }

    /** The text exposition (format 0.0.4). */
    public String text() {
        return text;
    }

    /**
     * Replaces {@code file} at once (a temporary file beside it, then a rename), so that a collector never reads half
     * a file; node_exporter's textfile collector reads only files ending in {@code .prom}.
     */
    public void writeTo(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * PUTs the metrics to {@code <gateway>/metrics/job/auditkeeper_verify/topic/<topic>}, replacing that group's
     * previous result.
     *
     * @throws IOException when the Pushgateway cannot be reached or does not answer 2xx
     */
    public void pushTo(URI gateway) throws IOException {
        String base = gateway.toString().replaceAll("/+$", "");
        URI uri = URI.create(base + "/metrics/job/" + JOB + "/topic/"
                + URLEncoder.encode(topic, StandardCharsets.UTF_8).replace("+", "%20"));
        HttpClient client = HttpClient.newBuilder().connectTimeout(PUSH_TIMEOUT).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(PUSH_TIMEOUT)
                .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .PUT(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8)).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while pushing to " + base, e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException("the Pushgateway " + base + " answered " + response.statusCode() + ": "
                    + response.body().strip());
        }
    }

    private static void gauge(StringBuilder out, String name, String help, String labels, double value) {
        header(out, name, help);
        out.append(name).append('{').append(labels).append("} ");
        out.append(java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString()).append('\n');
    }

    private static void header(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
