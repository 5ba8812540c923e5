package io.auditkeeper.archiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.evidence.manifest.VerificationReport;
import io.auditkeeper.evidence.store.DigestReader;
import io.auditkeeper.evidence.store.S3ObjectStore;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static io.auditkeeper.archiver.ArchiverTestRun.awaitAtLeast;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dead-letter topic kept as long as the events, on the real broker and Ceph: what ingest dead-lettered is archived
 * as its headers and SHA-256 without the secret it held, what the stream-processor dead-lettered (redacted) with its
 * value, in locked objects under {@code dead-letters/} whose manifest chain verifies and which the signed digest
 * covers; the events' archive holds none of it.
 */
@ExtendWith(LocalStackExtension.class)
class DeadLetterArchiveIT {
    private static final String SECRET = "c3VwZXItc2VjcmV0LXBhc3N3b3Jk";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldArchiveDeadLettersWithoutTheSecretsIngestKeptWhenTheArchiverRuns(LocalStack stack) throws Exception {
        ArchiverTestRun run = new ArchiverTestRun(dir, stack, stack.openSearchUrl(), stack.s3().endpoint().toString());
        String dlq = run.topic + ".dlq";
        byte[] ingestBody = ("{\"kind\":\"EventList\",\"items\":[{\"requestObject\":{\"kind\":\"Secret\",\"data\":{\"password\":\""
                + SECRET + "\"}}").getBytes(StandardCharsets.UTF_8);
        byte[] redacted = "{\"auditID\":\"a-7\",\"requestObject\":{\"kind\":\"Secret\",\"data\":{\"password\":\"[REDACTED]\"}}}"
                .getBytes(StandardCharsets.UTF_8);

        try (ArchiverService archiver = run.start(Map.of("digest.interval-ms", "1000"))) {
            run.send(0, 10);
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
                    "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(dlq, 0, null, null, ingestBody, headers("ingest", "malformed-json"))).get();
                p.send(new ProducerRecord<>(dlq, 0, null, "cluster-a/a-7".getBytes(StandardCharsets.UTF_8), redacted,
                        headers("stream-processor", "missing-stage"))).get();
            }
            awaitAtLeast("dead letters archived", archiver::archivedDeadLetters, 2);
            awaitAtLeast("events archived", archiver::archivedRecords, 10);
            awaitAtLeast("a digest naming the dead-letter chain", () -> digestHeads(stack, run).stream()
                    .filter(h -> h.topic().equals(dlq) && h.lastOffset() == 1).count(), 1);
        }

        S3Client s3 = stack.s3().client();
        ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, run.bucket, 6, ObjectLockArchiveWriter.Encryption.none());
        List<ManifestEntry> chain = new S3ManifestStore(s3, run.bucket, "", writer).all(dlq, 0);
        VerificationReport report = ManifestVerifier.fromPublicKeyPemFile(dir.resolve("signing.pub.pem"))
                .verifyPartition(chain, new S3ObjectStore(s3, run.bucket), Instant.now(), Duration.ofDays(6 * 365 + 1));
        assertThat(report.problems()).isEmpty();
        assertThat(report.firstOffset()).isZero();
        assertThat(report.lastOffset()).isEqualTo(1);

        List<String> keys = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket(run.bucket).prefix("dead-letters/")).contents().forEach(o -> keys.add(o.key()));
        assertThat(keys).as("every dead-letter object is in the chain").hasSameSizeAs(chain)
                .allSatisfy(k -> assertThat(k).contains("/" + dlq + "_0000_"));
        assertThat(s3.getObjectRetention(b -> b.bucket(run.bucket).key(chain.get(0).key())).retention().mode())
                .isEqualTo(ObjectLockRetentionMode.COMPLIANCE);
        s3.listObjectsV2Paginator(b -> b.bucket(run.bucket).prefix("events/")).contents()
                .forEach(o -> assertThat(o.key()).as("the events' archive").doesNotContain(dlq));

        List<JsonNode> lines = new ArrayList<>();
        for (ManifestEntry e : chain) {
            byte[] gz = s3.getObjectAsBytes(b -> b.bucket(run.bucket).key(e.key()).versionId(e.versionId())).asByteArray();
            String text;
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(text).as("no secret value kept for six years").doesNotContain(SECRET);
            for (String line : text.lines().toList()) {
                lines.add(JSON.readTree(line));
            }
        }
        assertThat(lines).hasSize(2);
        JsonNode fromIngest = lines.get(0);
        assertThat(fromIngest.path("offset").asLong()).isZero();
        assertThat(fromIngest.has("value")).isFalse();
        assertThat(fromIngest.path("valueSha256").asText()).as("proves an exported copy of the body")
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ingestBody)));
        assertThat(header(fromIngest, "auditkeeper.dlq.reason")).isEqualTo("malformed-json");
        assertThat(header(fromIngest, "auditkeeper.client")).isEqualTo("token:apiserver-a");
        JsonNode fromStreams = lines.get(1);
        assertThat(fromStreams.path("value")).isEqualTo(JSON.readTree(redacted));
        assertThat(fromStreams.path("key").asText()).isEqualTo("cluster-a/a-7");
        assertThat(header(fromStreams, "auditkeeper.dlq.reason")).isEqualTo("missing-stage");
    }

    private static RecordHeaders headers(String source, String reason) {
        RecordHeaders h = new RecordHeaders();
        h.add("auditkeeper.cluster", "cluster-a".getBytes(StandardCharsets.UTF_8));
        h.add("auditkeeper.client", "token:apiserver-a".getBytes(StandardCharsets.UTF_8));
        h.add("auditkeeper.dlq.reason", reason.getBytes(StandardCharsets.UTF_8));
        h.add("auditkeeper.dlq.detail", "a test record".getBytes(StandardCharsets.UTF_8));
        h.add("auditkeeper.dlq.source", source.getBytes(StandardCharsets.UTF_8));
        return h;
    }

    private static String header(JsonNode line, String key) {
        for (JsonNode h : line.path("headers")) {
            if (h.path("key").asText().equals(key)) {
                return h.path("value").asText();
            }
        }
        return null;
    }

    /** The heads of the latest digest, or none yet. */
    private static List<Digest.PartitionHead> digestHeads(LocalStack stack, ArchiverTestRun run) {
        S3Client s3 = stack.s3().client();
        ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, run.bucket, 6, ObjectLockArchiveWriter.Encryption.none());
        List<Digest> all;
        try {
            all = new DigestReader(s3, run.bucket, new ArchiveLayout("")).all();
        } catch (NoSuchKeyException e) {
            // radosgw may list a digest that a GET does not find yet while the archiver writes it (seen in CI): look again
            return List.of();
        }
        return all.isEmpty() ? List.of() : all.get(all.size() - 1).heads();
    }
}
