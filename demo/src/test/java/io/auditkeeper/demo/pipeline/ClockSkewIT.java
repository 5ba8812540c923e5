package io.auditkeeper.demo.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.archiver.ArchiverService;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.ingest.IngestService;
import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ingest with its clock two hours behind and, as another replica, two hours ahead, in front of the real
 * stream-processor and archiver on the local Kafka and Ceph (which enforces Object Lock). The archive's locks are
 * measured against this test's own clock: every object (events, dead letters, manifest entries, digests, the public
 * key) is locked at least six years past the moment it was archived, also those that hold only records ingest stamped
 * two hours early (the old rule, the records' time plus six years, locked them two hours short). A resend through the
 * other replica, two hours of clock away from the first copy, is dropped; new events through either are kept; every
 * event is marked with its skew, and counted.
 */
@ExtendWith(LocalStackExtension.class)
class ClockSkewIT {
    private static final String TOKEN = "clock-skew-apiserver-token-0123456789";
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void shouldLockEveryObjectSixYearsPastItsArchivingAndDedupeAndMarkWhenIngestsClockIsTwoHoursOff(LocalStack stack)
            throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String bucket = "clocks-" + id;
        Path tokens = Files.writeString(dir.resolve("tokens.csv"), TOKEN + ",apiserver\n");
        Map<String, Object> in = new HashMap<>();
        in.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        in.put("listen.host", "127.0.0.1");
        in.put("listen.port", "0");
        in.put("listen.plaintext", "true");
        in.put("auth.mode", "token");
        in.put("auth.token-file", tokens.toString());
        in.put("admin.enabled", "false");
        in.put("topics.raw.name", "clocks-" + id + ".raw");
        in.put("topics.raw.partitions", "2");
        in.put("topics.dlq.name", "clocks-" + id + ".dlq");
        in.put("readiness.check-interval-ms", "200");

        Map<String, Object> sp = PipelineSettings.streamProcessor(stack, "clocks-" + id, 1, dir.resolve("state"));
        StreamProcessorConfig processorConfig = StreamProcessorConfig.of(sp);

        Path key = dir.resolve("signing.pem");
        ManifestSigner.generate(key, dir.resolve("signing.pub.pem"));
        Map<String, Object> ac = PipelineSettings.archiver(stack, "clocks-" + id, processorConfig, bucket, key);
        ac.put("digest.interval-ms", "2000");
        ac.put("admin.enabled", "false");

        Instant started = Instant.now();
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-2));
        Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
        try (IngestService slow = new IngestService(IngestConfig.of(in), behind).start();
             IngestService fast = new IngestService(IngestConfig.of(in), ahead).start();
             StreamProcessorService processor = new StreamProcessorService(processorConfig).start();
             ArchiverService archiver = new ArchiverService(ArchiverConfig.of(ac)).start()) {
            LongSupplier written = () -> count(processor, "auditkeeper.streams.events.processed");
            LongSupplier handled = () -> written.getAsLong() + count(processor, "auditkeeper.streams.events.duplicates");

            // first only records stamped two hours early, so that whole archive objects hold nothing else
            List<String> viaSlow = events("slow", 20);
            assertThat(post(slow, viaSlow, true)).isEqualTo(200);
            await(archiver::archivedRecords, 20);
            await(archiver::archivedDeadLetters, 1);
            assertEveryObjectLockedSixYearsFrom(stack.s3().client(), bucket, started,
                    List.of("events", "dead-letters", "manifests"));

            // new events through the fast replica, and each batch resent through the other replica
            List<String> viaFast = events("fast", 20);
            assertThat(post(fast, viaFast, false)).isEqualTo(200);
            assertThat(post(fast, viaSlow, false)).isEqualTo(200);
            assertThat(post(slow, viaFast, false)).isEqualTo(200);
            await(handled, 80);
            await(archiver::archivedRecords, 40);
            Thread.sleep(3000);

            assertThat(written.getAsLong()).as("events written: each new one once").isEqualTo(40);
            assertThat(count(processor, "auditkeeper.streams.events.duplicates")).as("resends dropped").isEqualTo(40);
            assertThat(count(processor, "auditkeeper.streams.events.clock.skewed")).as("events marked").isEqualTo(40);
            assertThat(archiver.archivedRecords()).isEqualTo(40);
            Map<String, Long> skewByEvent = archivedSkews(stack.s3().client(), bucket);
            assertThat(skewByEvent).hasSize(40);
            skewByEvent.forEach((auditId, skew) -> assertThat(skew).as(auditId)
                    .isBetween(auditId.startsWith("slow") ? -7200L - 60 : 7200L - 60,
                            auditId.startsWith("slow") ? -7200L + 60 : 7200L + 60));
            assertEveryObjectLockedSixYearsFrom(stack.s3().client(), bucket, started,
                    List.of("events", "dead-letters", "manifests", "digests"));
        }
    }

    /**
     * Every version of every object in the bucket is COMPLIANCE-locked until at least {@code archivedAfter} plus six
     * years: the objects were all archived after it, by this test's clock, which is the archiver's.
     */
    private static void assertEveryObjectLockedSixYearsFrom(S3Client s3, String bucket, Instant archivedAfter,
                                                            List<String> kinds) {
        Instant floor = archivedAfter.atZone(ZoneOffset.UTC).plusYears(6).toInstant();
        List<String> keys = new ArrayList<>();
        for (ObjectVersion v : s3.listObjectVersionsPaginator(b -> b.bucket(bucket)).versions()) {
            ObjectLockRetention r = s3.getObjectRetention(b -> b.bucket(bucket).key(v.key()).versionId(v.versionId()))
                    .retention();
            assertThat(r.mode()).as(v.key()).isEqualTo(ObjectLockRetentionMode.COMPLIANCE);
            assertThat(r.retainUntilDate()).as("retain-until of %s", v.key()).isAfterOrEqualTo(floor);
            assertThat(s3.headObject(b -> b.bucket(bucket).key(v.key()).versionId(v.versionId()))
                    .objectLockRetainUntilDate()).as("retain-until of %s (HEAD)", v.key()).isAfterOrEqualTo(floor);
            keys.add(v.key());
        }
        assertThat(keys).contains("manifests/public-key.pem");
        for (String kind : kinds) {
            assertThat(keys).as("objects checked").anyMatch(k -> k.startsWith(kind + "/") && !k.endsWith(".pem"));
        }
    }

    /** The clockSkewSeconds of every event in the archive's event objects, by auditID. */
    private static Map<String, Long> archivedSkews(S3Client s3, String bucket) throws Exception {
        Map<String, Long> out = new HashMap<>();
        for (var o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("events/")).contents()) {
            byte[] gz = s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray();
            String text;
            try (GZIPInputStream g = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                text = new String(g.readAllBytes(), StandardCharsets.UTF_8);
            }
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    JsonNode e = AuditJson.mapper().readTree(line);
                    out.put(e.get("auditID").asText(), e.path("clockSkewSeconds").isMissingNode() ? null
                            : e.get("clockSkewSeconds").asLong());
                }
            }
        }
        return out;
    }

    /** {@code n} events of one request stage each, stamped by the apiserver's (right) clock now. */
    private static List<String> events(String prefix, int n) {
        String now = MICROS.format(Instant.now());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"" + prefix
                    + "-" + i + "-" + UUID.randomUUID() + "\",\"stage\":\"ResponseComplete\",\"requestURI\":"
                    + "\"/api/v1/namespaces/default/pods\",\"verb\":\"list\",\"user\":{\"username\":\"alice\"},"
                    + "\"sourceIPs\":[\"10.0.0.1\"],\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"default\","
                    + "\"apiVersion\":\"v1\"},\"responseStatus\":{\"metadata\":{},\"code\":200},"
                    + "\"requestReceivedTimestamp\":\"" + now + "\",\"stageTimestamp\":\"" + now + "\"}");
        }
        return out;
    }

    /** Posts the events as one EventList, with an item lacking its stage (a dead letter) when asked; the status. */
    private static int post(IngestService ingest, List<String> events, boolean withDeadLetter) throws Exception {
        List<String> items = new ArrayList<>(events);
        if (withDeadLetter) {
            items.add("{\"kind\":\"Event\",\"auditID\":\"no-stage-" + UUID.randomUUID() + "\"}");
        }
        String body = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":["
                + String.join(",", items) + "]}";
        URI uri = URI.create("http://127.0.0.1:" + ingest.webhookUri().getPort() + "/audit/east");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.statusCode();
    }

    private static long count(StreamProcessorService processor, String name) {
        return (long) processor.registry().find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private static void await(LongSupplier value, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (value.getAsLong() < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("got " + value.getAsLong() + " of " + expected);
            }
            Thread.sleep(200);
        }
    }
}
