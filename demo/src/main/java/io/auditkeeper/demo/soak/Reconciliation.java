package io.auditkeeper.demo.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.store.ManifestReader;
import io.auditkeeper.localstack.S3Endpoint;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.AuditTopics;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;

/**
 * The soak's verdict, reached as an auditor would reach it: what the archive holds (every partition's chain, each
 * object read back and its events counted), what OpenSearch holds, and what {@code auditkeeper verify}, the auditors'
 * tool run as its own process, says of the archive. Everything is compared with the set of events the apiserver was
 * answered 200 for.
 */
public final class Reconciliation {
    /** The outcome for one store: acknowledged events found, found more than once, and not found. */
    record Count(long found, long duplicated, long missing, List<String> missingSample) {
    }

    /** What {@code auditkeeper verify --json} said. */
    public record Verdict(int exitCode, boolean ok, long problems, Map<String, Long> leftovers, long digestsChecked,
                   boolean digestsOk, String output) {
    }

    private final S3Endpoint s3;
    private final URI openSearch;

    public Reconciliation(S3Endpoint s3, URI openSearch) {
        this.s3 = s3;
        this.openSearch = openSearch;
    }

    /** The events of every object the chains of {@code audit.events} name, counted per (cluster, auditID, stage). */
    Count archive(Set<String> acknowledged, Set<String> clusters) throws Exception {
        Map<String, Integer> times = new HashMap<>();
        try (S3Client client = s3.client()) {
            ManifestReader manifests = new ManifestReader(client, Fleet.BUCKET, new ArchiveLayout(""));
            List<ManifestEntry> entries = new ArrayList<>();
            for (int p : manifests.partitions(AuditTopics.EVENTS)) {
                entries.addAll(manifests.all(AuditTopics.EVENTS, p));
            }
            ExecutorService reads = Executors.newFixedThreadPool(8);
            try {
                List<Future<List<String>>> keys = new ArrayList<>();
                for (ManifestEntry e : entries) {
                    keys.add(reads.submit(() -> keysOf(client.getObjectAsBytes(r -> r.bucket(Fleet.BUCKET).key(e.key())
                            .versionId(e.versionId())).asByteArray(), clusters)));
                }
                for (Future<List<String>> f : keys) {
                    f.get().forEach(k -> times.merge(k, 1, Integer::sum));
                }
            } finally {
                reads.shutdownNow();
            }
        }
        return count(acknowledged, times);
    }

    /** The soak's documents in OpenSearch (ids are derived from the key, so a document is there once or not at all). */
    Count index(Set<String> acknowledged, Set<String> clusters) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        post(http, "/audit-events/_refresh", "");
        ObjectNode query = AuditJson.mapper().createObjectNode();
        query.put("size", 5000);
        query.putArray("_source").add("cluster").add("auditID").add("stage");
        query.putObject("query").putObject("terms").putPOJO("cluster", clusters);
        JsonNode page = post(http, "/audit-events/_search?scroll=2m", query.toString());
        Map<String, Integer> times = new HashMap<>();
        while (page.path("hits").path("hits").size() > 0) {
            for (JsonNode hit : page.path("hits").path("hits")) {
                JsonNode s = hit.path("_source");
                times.merge(s.path("cluster").asText() + "\n" + s.path("auditID").asText() + "\n" + s.path("stage").asText(),
                        1, Integer::sum);
            }
            ObjectNode next = AuditJson.mapper().createObjectNode();
            next.put("scroll", "2m");
            next.put("scroll_id", page.path("_scroll_id").asText());
            page = post(http, "/_search/scroll", next.toString());
        }
        return count(acknowledged, times);
    }

    /** Runs {@code auditkeeper verify --json} from the auditors' jar, in its own JVM, against the bucket itself. */
    public Verdict verify(Path cliJar, Path publicKey, Path errorLog) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                cliJar.toString(), "verify", "--json", "--bucket", Fleet.BUCKET, "--s3-endpoint", s3.endpoint().toString(),
                "--s3-region", s3.region(), "--path-style", "--access-key", s3.accessKey(),
                "--public-key", publicKey.toString()).redirectError(errorLog.toFile());
        b.environment().put("AUDITKEEPER_ARCHIVER_S3_SECRET_KEY", s3.secretKey());
        Process p = b.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        JsonNode json;
        try {
            json = AuditJson.mapper().readTree(out);
        } catch (IOException e) {
            return new Verdict(code, false, -1, Map.of(), 0, false, out + java.nio.file.Files.readString(errorLog));
        }
        Map<String, Long> leftovers = new java.util.TreeMap<>();
        json.path("leftoversByKind").fields().forEachRemaining(f -> leftovers.put(f.getKey(), f.getValue().asLong()));
        return new Verdict(code, json.path("ok").asBoolean(), json.path("problemCount").asLong(), leftovers,
                json.path("digests").path("checked").asLong(), json.path("digests").path("ok").asBoolean(), out);
    }

    private static Count count(Set<String> acknowledged, Map<String, Integer> times) {
        long found = 0;
        long duplicated = 0;
        List<String> missing = new ArrayList<>();
        for (String key : acknowledged) {
            Integer n = times.get(key);
            if (n == null) {
                missing.add(key.replace('\n', '/'));
            } else {
                found++;
                if (n > 1) {
                    duplicated++;
                }
            }
        }
        Set<String> unexpected = new HashSet<>(times.keySet());
        unexpected.removeAll(acknowledged);
        duplicated += times.entrySet().stream().filter(e -> unexpected.contains(e.getKey()) && e.getValue() > 1).count();
        return new Count(found, duplicated, missing.size(), missing.stream().limit(5).toList());
    }

    private static List<String> keysOf(byte[] gzip, Set<String> clusters) {
        List<String> keys = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(new ByteArrayInputStream(gzip)),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode e = AuditJson.mapper().readTree(line);
                String cluster = e.path("cluster").asText();
                if (clusters.contains(cluster)) {
                    keys.add(cluster + "\n" + e.path("auditID").asText() + "\n" + e.path("stage").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    private JsonNode post(HttpClient http, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(openSearch.resolve(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("OpenSearch " + path + ": " + r.statusCode() + " " + r.body());
        }
        return AuditJson.mapper().readTree(r.body());
    }
}
