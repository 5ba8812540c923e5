package io.auditkeeper.demo;

import io.auditkeeper.archiver.ArchiverService;
import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.evidence.manifest.VerificationReport;
import io.auditkeeper.evidence.store.S3ObjectStore;
import io.auditkeeper.localstack.S3Endpoint;
import io.auditkeeper.model.AuditTopics;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The demo's archiver: its settings, and what it wrote to the Object Lock bucket, verified as an auditor would. */
final class DemoArchive {
    private DemoArchive() {
    }

    static ArchiverService start(Path dir, String bootstrap, S3Endpoint s3, String bucket, String eventsTopic,
                                 String openSearchUrl) throws IOException {
        Path key = dir.resolve("pki").resolve("manifest-signing.pem");
        if (!Files.exists(key)) {
            ManifestSigner.generate(key, dir.resolve("pki").resolve("manifest-signing.pub.pem"));
        }
        return new ArchiverService(ArchiverConfig.of(Map.ofEntries(
                Map.entry("opensearch.url", openSearchUrl),
                Map.entry("opensearch.replicas", "0"),
                // the corpus holds events from years ago; hot retention would delete their daily indices at once
                Map.entry("opensearch.retention-days", "0"),
                Map.entry("kafka.bootstrap-servers", bootstrap),
                Map.entry("topics.events.name", eventsTopic),
                Map.entry("s3.bucket", bucket),
                Map.entry("s3.endpoint", s3.endpoint().toString()),
                Map.entry("s3.region", s3.region()),
                Map.entry("s3.path-style", "true"),
                Map.entry("s3.access-key", s3.accessKey()),
                Map.entry("s3.secret-key", s3.secretKey()),
                Map.entry("batch.max-age-ms", "2000"),
                // a digest every 10 s rather than hourly, so that `verify` run next to the demo has some to check
                Map.entry("digest.interval-ms", "10000"),
                Map.entry("admin.host", "127.0.0.1"),
                Map.entry("admin.port", "0"),
                Map.entry("manifest.signing-key-file", key.toString())))).start();
    }

    static void awaitArchivedAndIndexed(ArchiverService archiver, int events, String alertsTopic, int alerts,
                                        int deadLetters) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while ((archiver.archivedRecords() < events || archiver.indexedDocuments() < events
                || archiver.archivedDeadLetters() < deadLetters
                || archiver.indexedDocuments(alertsTopic) < alerts
                || archiver.indexedDocuments(AuditTopics.ARCHIVE) < archiver.publishedManifestEntries())
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
    }

    /** What OpenSearch holds, and a search to try. */
    private static long count(java.net.http.HttpClient http, String openSearchUrl, String index)
            throws IOException, InterruptedException {
        http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(openSearchUrl + "/" + index + "/_refresh"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(openSearchUrl + "/" + index + "/_count")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return io.auditkeeper.model.AuditJson.mapper().readTree(body).path("count").asLong(0);
    }

    static void printIndex(PrintWriter out, String openSearchUrl) throws IOException, InterruptedException {
        var http = java.net.http.HttpClient.newHttpClient();
        http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(openSearchUrl + "/audit-events/_refresh"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(openSearchUrl + "/audit-events/_count")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        long count = io.auditkeeper.model.AuditJson.mapper().readTree(body).path("count").asLong(-1);
        out.printf("  OpenSearch (alias audit-events, daily indices): %d documents%n", count);
        out.println("    search:  curl -s '" + openSearchUrl + "/audit-events/_search?q=phi.rules:secret-read&size=3&pretty'");
        out.printf("  OpenSearch audit-alerts: %d alerts, audit-archive: %d archive entries (which S3 object holds which offsets)%n",
                count(http, openSearchUrl, "audit-alerts"), count(http, openSearchUrl, "audit-archive"));
        out.println("    search:  curl -s '" + openSearchUrl + "/audit-alerts/_search?pretty'");
        out.println("    auditors' queries (docs/queries.md): curl -s '" + openSearchUrl
                + "/audit-events/_search?pretty' -H 'Content-Type: application/json' -d @docs/queries/secret-reads-in-phi.json");
    }

    /** Counts and verifies what is in the bucket; true when every partition's chain verifies. */
    static boolean print(PrintWriter out, S3Endpoint endpoint, String bucket, String topic, int partitions, Path publicKey) {
        Archived a = verify(endpoint, bucket, topic, partitions, publicKey);
        out.printf("  S3 archive (bucket %s, Object Lock COMPLIANCE, 6 years): %d objects holding %d events, "
                + "%d signed manifest entries%n", bucket, a.objects(), a.records(), a.objects());
        out.printf("    verify: %s%n", a.outcome());
        return a.ok();
    }

    /** The dead-letter archive (one partition), counted and verified the same way. */
    static boolean printDeadLetters(PrintWriter out, S3Endpoint endpoint, String bucket, String topic, Path publicKey) {
        Archived a = verify(endpoint, bucket, topic, 1, publicKey);
        out.printf("  dead-letter archive (dead-letters/, its own manifest chain): %d objects holding %d records, each"
                + " with its headers and SHA-256 (ingest's bodies themselves are not kept: they may hold secrets)%n",
                a.objects(), a.records());
        out.printf("    verify: %s%n", a.outcome());
        return a.ok();
    }

    private record Archived(int objects, long records, boolean ok, String outcome) {
    }

    private static Archived verify(S3Endpoint endpoint, String bucket, String topic, int partitions, Path publicKey) {
        try (S3Client s3 = endpoint.client()) {
            ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, bucket, 6, ObjectLockArchiveWriter.Encryption.none());
            S3ManifestStore manifests = new S3ManifestStore(s3, bucket, "", writer);
            ManifestVerifier verifier = ManifestVerifier.fromPublicKeyPemFile(publicKey);
            int objects = 0;
            long records = 0;
            boolean ok = true;
            StringBuilder problems = new StringBuilder();
            for (int p = 0; p < partitions; p++) {
                List<ManifestEntry> chain = manifests.all(topic, p);
                objects += chain.size();
                records += chain.stream().mapToLong(ManifestEntry::count).sum();
                VerificationReport r = verifier.verifyPartition(chain, new S3ObjectStore(s3, bucket), Instant.now(), Duration.ofDays(6 * 365 + 1));
                if (!r.ok()) {
                    ok = false;
                    r.problems().forEach(x -> problems.append("      ").append(x).append('\n'));
                }
            }
            return new Archived(objects, records, ok,
                    ok ? "OK: every signature, hash, offset and retention checks out" : "PROBLEMS\n" + problems);
        }
    }
}
