package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.MetricsScrape;
import io.auditkeeper.localstack.OperationsDoc;
import io.auditkeeper.localstack.RequiredTool;
import io.auditkeeper.model.AuditJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code auditkeeper verify} against an archive the real archiver wrote to Ceph (which enforces Object Lock): an
 * intact archive passes, and tampering that Object Lock still allows (a new version on top of a locked object, a
 * delete marker hiding one) fails with the object named; what an archiver that lost its partition leaves behind (the
 * same bytes again, or the same events gzipped at another level; an object no entry names) is named as an explained
 * leftover, and passes.
 */
@ExtendWith(LocalStackExtension.class)
class VerifyCommandIT {
    private static final List<String> VERIFY = List.of("verify");

    private static final int PARTITIONS = 2;
    private static final int EVENTS = 40;
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final String PUSHGATEWAY = "/usr/bin/prometheus-pushgateway";

    @TempDir
    Path dir;

    @Test
    void shouldExitZeroAndPrintOkWhenTheArchiveIsIntact(LocalStack stack) throws Exception {
        TestArchive archive = archive(stack);

        CliRun run = CliRun.of(archive.args(VERIFY));

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains(archive.topic() + "-0: ").contains(archive.topic() + "-1: ")
                .contains("offsets 0-" + (EVENTS / PARTITIONS - 1))
                .contains(EVENTS / PARTITIONS + " events")
                .containsPattern("digests: [1-9]\\d* checked: OK")
                .contains("OK: every signature");
        assertThat(run.err()).as("a loud note when the key comes from the bucket").contains("WARNING")
                .contains("manifests/public-key.pem");
        assertThat(run.err()).as("no progress line when stderr is not a terminal").doesNotContain("objects checked");
    }

    @Test
    void shouldWriteTheDocumentedMetricsOfTheRunToTheMetricsFileAndThePushgateway(LocalStack stack) throws Exception {
        TestArchive archive = archive(stack);
        Path file = dir.resolve("textfile/auditkeeper-verify.prom");
        RequiredTool.assumeInstalled(Files.isExecutable(Path.of(PUSHGATEWAY)), "prometheus-pushgateway",
                "Debian: apt-get install --no-install-recommends prometheus-pushgateway; ./auditkeeper installs it");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process gateway = new ProcessBuilder(PUSHGATEWAY, "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("pushgateway.log").toFile()).start();
        try {
            String url = "http://127.0.0.1:" + port;
            awaitReady(gateway, URI.create(url + "/-/ready"));

            CliRun run = CliRun.of(archive.args(VERIFY, "--public-key", archive.publicKey().toString(),
                    "--metrics-file", file.toString(), "--pushgateway", url));

            assertThat(run.code()).as(run.out() + run.err()).isZero();
            MetricsScrape written = new MetricsScrape(Files.readString(file));
            assertThat(OperationsDoc.missingFrom("verify", written.text()))
                    .as("metrics docs/operations.md lists for verify but the file lacks").isEmpty();
            String topic = "topic=\"" + archive.topic() + "\"";
            assertThat(written.value("auditkeeper_verify_ok", topic)).isEqualTo(1);
            assertThat(written.value("auditkeeper_verify_events_checked", topic)).isEqualTo(EVENTS);
            assertThat(written.sum("auditkeeper_verify_problems", topic)).isZero();
            assertThat(written.count("auditkeeper_verify_problems", topic, "kind=\"HASH_MISMATCH\""))
                    .as("every kind is there at 0, so that no problem differs from no run").isEqualTo(1);
            assertThat(written.value("auditkeeper_verify_last_run_timestamp_seconds", topic))
                    .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(120.0));
            assertThat(Files.list(file.getParent())).as("no temporary file left beside it").containsExactly(file);

            MetricsScrape pushed = new MetricsScrape(HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(pushed.value("auditkeeper_verify_ok", "job=\"auditkeeper_verify\"", topic)).isEqualTo(1);
            assertThat(pushed.value("auditkeeper_verify_events_checked", "job=\"auditkeeper_verify\"", topic))
                    .isEqualTo(EVENTS);
        } finally {
            gateway.destroyForcibly().waitFor();
        }
    }

    @Test
    void shouldSayAndExitTwoWhenThePushgatewayCannotBeReached(LocalStack stack) throws Exception {
        TestArchive archive = archive(stack);
        String nobody;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = "http://127.0.0.1:" + s.getLocalPort();
        }

        CliRun run = CliRun.of(archive.args(VERIFY, "--public-key", archive.publicKey().toString(), "--pushgateway", nobody));

        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.out()).as("the verification itself is still printed").contains("OK: every signature");
        assertThat(run.err()).contains("cannot push the metrics");
    }

    @Test
    void shouldReportEveryObjectCheckedToTheProgressLineWhenOneIsAsked(LocalStack stack) throws Exception {
        TestArchive archive = archive(stack);
        List<String> calls = new ArrayList<>();

        try (S3Client s3 = stack.s3().client()) {
            new ArchiveVerification(s3, archive.bucket(), archive.prefix(),
                    ManifestVerifier.fromPublicKeyPemFile(archive.publicKey()), Duration.ofDays(6 * 365))
                    .withProgress((partition, checked, objects, left) -> calls.add(partition + ":" + checked + "/"
                            + objects + " left " + left))
                    .verify(archive.topic(), TimeWindow.ALL, Instant.now());
        }

        // 20 events a partition in objects of at most 10: two objects each
        assertThat(calls).containsExactly("0:1/2 left 1", "0:2/2 left 1", "1:1/2 left 0", "1:2/2 left 0");
    }

    @Test
    void shouldPrintParseableJsonForThePeriodOnlyWhenFromAndToAreGiven(LocalStack stack) throws Exception {
        TestArchive archive = archive(stack);

        // the first 10 minutes: events 0-9, 5 per partition, in the first object of each partition (10 events each)
        CliRun run = CliRun.of(archive.args(VERIFY, "--json", "--public-key", archive.publicKey().toString(),
                "--from", T0.toString(), "--to", T0.plus(Duration.ofMinutes(10)).toString()));

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.err()).doesNotContain("WARNING");
        JsonNode json = AuditJson.mapper().readTree(run.out());
        assertThat(json.path("ok").asBoolean()).isTrue();
        assertThat(json.path("publicKeyFromBucket").asBoolean()).isFalse();
        assertThat(json.path("partitions")).hasSize(PARTITIONS);
        for (JsonNode p : json.path("partitions")) {
            assertThat(p.path("objects").asInt()).as("objects of %s", p).isEqualTo(1);
            assertThat(p.path("firstOffset").asLong()).isZero();
            assertThat(p.path("problems")).isEmpty();
        }
    }

    @Test
    void shouldExitOneNamingEachObjectWhenAVersionIsWrittenOnTopOrADeleteMarkerHidesIt(LocalStack stack)
            throws Exception {
        TestArchive archive = archive(stack);
        S3Client s3 = stack.s3().client();
        S3ManifestStore manifests = new S3ManifestStore(s3, archive.bucket(), archive.prefix(),
                new ObjectLockArchiveWriter(s3, archive.bucket(), 6, ObjectLockArchiveWriter.Encryption.none()));
        ManifestEntry overwritten = manifests.all(archive.topic(), 0).get(0);
        List<ManifestEntry> chain1 = manifests.all(archive.topic(), 1);
        ManifestEntry hidden = chain1.get(chain1.size() - 1);
        byte[] forged = "{\"forged\":true}\n".getBytes(StandardCharsets.UTF_8);
        String md5 = md5(forged);
        s3.putObject(b -> b.bucket(archive.bucket()).key(overwritten.key()).contentMD5(md5), RequestBody.fromBytes(forged));
        s3.deleteObject(b -> b.bucket(archive.bucket()).key(hidden.key()));

        Path metrics = dir.resolve("verify.prom");
        CliRun run = CliRun.of(archive.args(VERIFY, "--public-key", archive.publicKey().toString()));
        CliRun json = CliRun.of(archive.args(VERIFY, "--public-key", archive.publicKey().toString(), "--json",
                "--metrics-file", metrics.toString()));

        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        MetricsScrape written = new MetricsScrape(Files.readString(metrics));
        String topic = "topic=\"" + archive.topic() + "\"";
        assertThat(written.value("auditkeeper_verify_ok", topic)).isZero();
        assertThat(written.value("auditkeeper_verify_problems", topic, "kind=\"NEWER_VERSION\"")).isEqualTo(2);
        assertThat(run.out())
                .contains("NEWER_VERSION " + overwritten.key() + " offsets " + overwritten.firstOffset() + "-"
                        + overwritten.lastOffset())
                .contains("NEWER_VERSION " + hidden.key() + " offsets " + hidden.firstOffset() + "-" + hidden.lastOffset())
                .contains("FAILED");
        assertThat(json.code()).isEqualTo(1);
        JsonNode doc = AuditJson.mapper().readTree(json.out());
        assertThat(doc.path("ok").asBoolean()).isFalse();
        List<String> keys = new ArrayList<>();
        doc.path("partitions").forEach(p -> p.path("problems").forEach(x -> keys.add(x.path("kind").asText() + " " + x.path("key").asText())));
        assertThat(keys).contains("NEWER_VERSION " + overwritten.key(), "NEWER_VERSION " + hidden.key());
    }

    @Test
    void shouldExitZeroNamingEachLeftoverWhenAnArchiverThatLostItsPartitionWroteADuplicateAndAnUnreferencedObject(
            LocalStack stack) throws Exception {
        TestArchive archive = archive(stack);
        S3Client s3 = stack.s3().client();
        ManifestEntry recorded = archive.manifests().all(archive.topic(), 0).get(0);
        byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(archive.bucket()).key(recorded.key())
                .versionId(recorded.versionId())).asByteArray();
        // a retried PUT of the same batch: the same bytes under the same key, a second locked version
        String duplicate = putLocked(s3, archive, recorded.key(), bytes, Instant.parse(recorded.retainUntil()));
        // a batch PUT by an archiver fenced before its entry: offsets 5-14, which the live writer's 0-9 and 10-19 hold
        String zombieKey = new ArchiveLayout(archive.prefix()).events(archive.topic(), 0, 5, 14, T0.plus(Duration.ofMinutes(10)));
        String zombie = putLocked(s3, archive, zombieKey, "{\"zombie\":true}\n".getBytes(StandardCharsets.UTF_8),
                Instant.parse(recorded.retainUntil()));

        CliRun run = CliRun.of(archive.args(VERIFY, "--public-key", archive.publicKey().toString()));
        CliRun json = CliRun.of(archive.args(VERIFY, "--public-key", archive.publicKey().toString(), "--json",
                "--from", T0.toString(), "--to", T0.plus(Duration.ofMinutes(30)).toString()));

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("leftovers: 2 (1 DUPLICATE_VERSION, 1 UNREFERENCED_OBJECT)")
                .contains("DUPLICATE_VERSION " + recorded.key() + " version " + duplicate + " offsets "
                        + recorded.firstOffset() + "-" + recorded.lastOffset() + ": version " + duplicate
                        + " has the recorded SHA-256 " + recorded.sha256())
                .contains("UNREFERENCED_OBJECT " + zombieKey + " version " + zombie + " offsets 5-14: no manifest entry"
                        + " names this object; its offsets 5-14 are all in the chain's entries")
                .contains("not tampering").contains("see docs/archiver.md")
                .contains("OK: every signature").doesNotContain("NEWER_VERSION").doesNotContain("FAILED");
        assertThat(json.code()).as(json.out() + json.err()).isZero();
        JsonNode doc = AuditJson.mapper().readTree(json.out());
        assertThat(doc.path("ok").asBoolean()).isTrue();
        assertThat(doc.path("problemCount").asInt()).isZero();
        assertThat(doc.path("leftoverCount").asInt()).isEqualTo(2);
        assertThat(doc.path("leftoversByKind").path("DUPLICATE_VERSION").asInt()).isEqualTo(1);
        assertThat(doc.path("leftoversByKind").path("UNREFERENCED_OBJECT").asInt()).isEqualTo(1);
        List<String> leftovers = new ArrayList<>();
        doc.path("partitions").forEach(p -> p.path("leftovers").forEach(x -> leftovers.add(p.path("partition").asInt()
                + " " + x.path("kind").asText() + " " + x.path("key").asText() + " " + x.path("versionId").asText()
                + " " + x.path("firstOffset").asLong() + "-" + x.path("lastOffset").asLong())));
        assertThat(leftovers).containsExactly(
                "0 DUPLICATE_VERSION " + recorded.key() + " " + duplicate + " 0-9",
                "0 UNREFERENCED_OBJECT " + zombieKey + " " + zombie + " 5-14");

        // other bytes on top are still what they were: a write on top of the evidence
        putLocked(s3, archive, recorded.key(), "{\"forged\":true}\n".getBytes(StandardCharsets.UTF_8),
                Instant.parse(recorded.retainUntil()));
        CliRun forged = CliRun.of(archive.args(VERIFY, "--public-key", archive.publicKey().toString()));

        assertThat(forged.code()).as(forged.out() + forged.err()).isEqualTo(1);
        assertThat(forged.out())
                .contains("NEWER_VERSION " + recorded.key() + " offsets " + recorded.firstOffset() + "-"
                        + recorded.lastOffset())
                .contains("leftovers: 2 (1 DUPLICATE_VERSION, 1 UNREFERENCED_OBJECT)")
                .contains("FAILED: 1 problem(s) found; 2 explained leftover(s), not tampering");
    }

    @Test
    void shouldExitZeroNamingADuplicateVersionWhenALaterVersionHoldsTheSameEventsAtAnotherGzipLevel(LocalStack stack)
            throws Exception {
        TestArchive archive = archive(stack);
        S3Client s3 = stack.s3().client();
        ManifestEntry recorded = archive.manifests().all(archive.topic(), 1).get(0);
        byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(archive.bucket()).key(recorded.key())
                .versionId(recorded.versionId())).asByteArray();
        // a fenced archiver at archive.compression-level 1, in an image with another zlib, PUTs the batch the
        // live writer recorded at level 6
        byte[] fastest = regzip(bytes, 1);
        assertThat(fastest).isNotEqualTo(bytes);
        String later = putLocked(s3, archive, recorded.key(), fastest, Instant.parse(recorded.retainUntil()));

        CliRun run = CliRun.of(archive.args(VERIFY, "--public-key", archive.publicKey().toString()));
        CliRun json = CliRun.of(archive.args(VERIFY, "--public-key", archive.publicKey().toString(), "--json"));

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("leftovers: 1 (1 DUPLICATE_VERSION)")
                .contains("DUPLICATE_VERSION " + recorded.key() + " version " + later + " offsets "
                        + recorded.firstOffset() + "-" + recorded.lastOffset() + ": version " + later
                        + " has SHA-256 " + ManifestEntry.sha256Hex(fastest) + ", not the recorded " + recorded.sha256())
                .contains("the same events, compressed differently")
                .contains("OK: every signature").doesNotContain("NEWER_VERSION").doesNotContain("FAILED");
        assertThat(json.code()).as(json.out() + json.err()).isZero();
        JsonNode doc = AuditJson.mapper().readTree(json.out());
        assertThat(doc.path("ok").asBoolean()).isTrue();
        assertThat(doc.path("problemCount").asInt()).isZero();
        assertThat(doc.path("leftoversByKind").path("DUPLICATE_VERSION").asInt()).isEqualTo(1);

        // other events at that level are still a write on top of the evidence
        List<byte[]> lines = new ArrayList<>(io.auditkeeper.evidence.proof.ArchivedEvents.lines(bytes));
        lines.set(0, "{\"forged\":true}".getBytes(StandardCharsets.UTF_8));
        putLocked(s3, archive, recorded.key(), TestArchive.gzippedElsewhere(lines, 1),
                Instant.parse(recorded.retainUntil()));
        CliRun forged = CliRun.of(archive.args(VERIFY, "--public-key", archive.publicKey().toString()));

        assertThat(forged.code()).as(forged.out() + forged.err()).isEqualTo(1);
        assertThat(forged.out())
                .contains("NEWER_VERSION " + recorded.key() + " offsets " + recorded.firstOffset() + "-"
                        + recorded.lastOffset())
                .contains("leftovers: 1 (1 DUPLICATE_VERSION)");
    }

    /** The events of a gzip object gzipped again at {@code level} by another zlib ({@link TestArchive#gzippedElsewhere}). */
    private static byte[] regzip(byte[] gzip, int level) throws Exception {
        return TestArchive.gzippedElsewhere(io.auditkeeper.evidence.proof.ArchivedEvents.lines(gzip), level);
    }


    @Test
    void shouldExitOneNamingTheManifestObjectAndReadItsFirstVersionWhenAManifestIsOverwrittenWithGarbage(LocalStack stack)
            throws Exception {
        TestArchive archive = archive(stack);
        S3Client s3 = stack.s3().client();
        String manifestPrefix = (archive.prefix().isEmpty() ? "" : archive.prefix() + "/") + "manifests/" + archive.topic() + "/";
        List<String> manifestKeys = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket(archive.bucket()).prefix(manifestPrefix)).contents()
                .forEach(o -> manifestKeys.add(o.key()));
        String damaged = manifestKeys.get(0);
        byte[] garbage = "this is not a manifest\n".getBytes(StandardCharsets.UTF_8);
        String md5 = md5(garbage);
        s3.putObject(b -> b.bucket(archive.bucket()).key(damaged).contentMD5(md5), RequestBody.fromBytes(garbage));

        CliRun run = CliRun.of(archive.args(VERIFY, "--public-key", archive.publicKey().toString()));

        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        // the garbage is a version on top: the chain is read at the manifest's first version, and the rewrite named
        assertThat(run.out()).contains("REWRITTEN_MANIFEST " + damaged).contains("2 versions and 0 delete marker(s)")
                .doesNotContain("MALFORMED_ENTRY").contains("FAILED: 1 problem(s) found");
        assertThat(run.err()).doesNotContain("Exception");
    }

    @Test
    void shouldVerifyAndReplayTheDeadLetterArchiveWhenItsTopicIsGiven(LocalStack stack) throws Exception {
        List<TestArchive.Event> deadLetters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            deadLetters.add(new TestArchive.Event(0, T0.plus(Duration.ofMinutes(i)), "{\"kind\":\"EventList\",\"items\":[" + i));
        }
        TestArchive archive = TestArchive.write(stack, dir, "verify-dlq", 1, List.of(new TestArchive.Event(0, T0,
                "{\"schemaVersion\":1,\"cluster\":\"verify\",\"auditID\":\"x\",\"stage\":\"ResponseComplete\"}")), 10,
                false, deadLetters);

        CliRun run = CliRun.of(archive.args(archive.deadLetterTopic(), VERIFY, "--public-key", archive.publicKey().toString()));

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains(archive.deadLetterTopic() + "-0: ").contains("offsets 0-2")
                .contains("OK: every signature");

        // the dead letters of the period, as their verified envelopes: the ingest bodies by hash only
        CliRun replay = CliRun.of(archive.args(archive.deadLetterTopic(), List.of("replay", "archive"), "--public-key",
                archive.publicKey().toString(), "--from", T0.plus(Duration.ofMinutes(1)).toString()));
        assertThat(replay.code()).as(replay.err()).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : replay.out().lines().toList()) {
            lines.add(AuditJson.mapper().readTree(line));
        }
        assertThat(lines).extracting(l -> l.path("offset").asLong()).containsExactly(1L, 2L);
        assertThat(lines).allSatisfy(l -> assertThat(l.has("value")).isFalse())
                .allSatisfy(l -> assertThat(l.path("valueSha256").asText()).hasSize(64));
    }

    @Test
    void shouldExitTwoWhenTheBucketDoesNotExist(LocalStack stack) throws Exception {
        CliRun run = CliRun.of("verify", "--bucket", "no-such-" + UUID.randomUUID().toString().substring(0, 8),
                "--s3-endpoint", stack.s3().endpoint().toString(), "--s3-region", stack.s3().region(), "--path-style",
                "--access-key", stack.s3().accessKey(), "--secret-key-file", secretKey(stack).toString());

        assertThat(run.code()).as(run.err()).isEqualTo(2);
    }

    /** An archive of {@link #EVENTS} events, one a minute from {@link #T0}, written by the real archiver. */
    @Test
    void shouldFailAPeriodWhoseRangeNoLongerLinksToTheDigestThatSealsIt(LocalStack stack) throws Exception {
        TestArchive archive = archive(stack);
        List<ManifestEntry> chain = archive.manifests().all(archive.topic(), 0);
        ManifestEntry inPeriod = chain.get(0);
        // someone with the signing key adds an entry after the period's range that chains onto it: the range and
        // the entry verify alone, but the entry the digest names as the head no longer follows
        ManifestEntry extra = io.auditkeeper.evidence.manifest.ManifestSigner.fromPemFile(archive.signingKey())
                .sign(ManifestEntry.unsigned(archive.topic(), 0, inPeriod.lastOffset() + 1, inPeriod.lastOffset() + 5, 5,
                        Instant.parse(inPeriod.lastEventTime()), Instant.parse(inPeriod.lastEventTime()),
                        inPeriod.key(), inPeriod.versionId(), inPeriod.sha256(), inPeriod.hash(), "COMPLIANCE",
                        Instant.parse(inPeriod.retainUntil()), inPeriod.merkleRoot()));
        archive.manifests().put(extra, Instant.parse(inPeriod.lastEventTime()));

        CliRun run = CliRun.of(archive.args(VERIFY, "--public-key", archive.publicKey().toString(),
                "--from", T0.toString(), "--to", T0.plus(Duration.ofMinutes(10)).toString()));

        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.out()).contains("BROKEN_CHAIN " + chain.get(1).key())
                .contains("the chain from the period to the digest of");
    }

    private static void awaitReady(Process gateway, URI ready) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            assertThat(gateway.isAlive()).as("the Pushgateway is running").isTrue();
            try {
                if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as("the Pushgateway ready within 30 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private TestArchive archive(LocalStack stack) throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        List<TestArchive.Event> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            Instant t = T0.plus(Duration.ofMinutes(i));
            events.add(new TestArchive.Event(i % PARTITIONS, t, "{\"schemaVersion\":1,\"cluster\":\"verify\",\"auditID\":\""
                    + id + "-" + i + "\",\"stage\":\"ResponseComplete\",\"timestamp\":\"" + t
                    + "\",\"verb\":\"get\",\"actor\":\"a\"}"));
        }
        return TestArchive.write(stack, dir, "verify", PARTITIONS, events, 10, true);
    }

    /** A PUT as the archiver makes it (Content-MD5, SHA-256 checksum, COMPLIANCE lock); the new version's id. */
    private static String putLocked(S3Client s3, TestArchive archive, String key, byte[] bytes, Instant retainUntil)
            throws Exception {
        String md5 = md5(bytes);
        String sha256 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        return s3.putObject(b -> b.bucket(archive.bucket()).key(key).contentMD5(md5).checksumSHA256(sha256)
                .objectLockMode(ObjectLockMode.COMPLIANCE).objectLockRetainUntilDate(retainUntil),
                RequestBody.fromBytes(bytes)).versionId();
    }

    private Path secretKey(LocalStack stack) throws java.io.IOException {
        return Files.writeString(dir.resolve("secret-key"), stack.s3().secretKey());
    }

    private static String md5(byte[] bytes) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
    }
}
