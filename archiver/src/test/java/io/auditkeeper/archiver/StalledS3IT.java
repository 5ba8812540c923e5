package io.auditkeeper.archiver;

import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.s3.ArchiveBucketBootstrap;
import io.auditkeeper.archiver.s3.ObjectLockArchiveWriter;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.localstack.TcpProxy;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.auditkeeper.archiver.ArchiverTestRun.awaitAtLeast;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A stalled S3, one that accepts connections and never answers (a {@link TcpProxy} in front of radosgw that forwards
 * nothing), is where the library defaults fail: without an API-call timeout a PUT or HEAD waits forever, past
 * {@code max.poll.interval.ms}, and the group takes the partitions away. With {@code s3.api-call-timeout-ms} the call
 * fails, the partition waits and is retried, the writer never leaves its group, and once S3 answers again every
 * record is archived exactly once. Only outcomes are checked, never how long anything took.
 */
@ExtendWith(LocalStackExtension.class)
class StalledS3IT {
    /**
     * Short S3 timeouts, and a poll interval just above the longest step they allow (6 x 2 s + 3 x 30 s + 2 x 30 s =
     * 162 s), so that the writer's turn budget is 1 s and a turn with both partitions due postpones the second.
     */
    private static final Map<String, Object> TIMEOUTS = Map.of(
            "s3.api-call-timeout-ms", "2000",
            "s3.api-call-attempt-timeout-ms", "1000",
            "kafka.client.max.poll.interval.ms", "163000",
            // the S3 archive alone
            "opensearch.url", "");

    @TempDir
    Path dir;

    @Test
    void shouldFailAStalledWriteRetryItWithoutLeavingTheGroupAndArchiveEveryRecordOnceWhenS3AnswersAgain(LocalStack stack)
            throws Exception {
        URI s3 = stack.s3().endpoint();
        try (TcpProxy proxy = TcpProxy.start(s3.getHost(), s3.getPort())) {
            ArchiverTestRun run = new ArchiverTestRun(dir, stack, null, "http://127.0.0.1:" + proxy.port());
            try (ArchiverService archiver = run.start(TIMEOUTS);
                 Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
                run.send(0, 100);
                awaitAtLeast("archived", archiver::archivedRecords, 100);
                Set<String> members = members(admin, "archive-" + run.id);
                assertThat(members).hasSize(1);

                proxy.stall();
                run.send(100, 300);
                // several failures: the first write, then the partitions' retries after their backoff
                awaitAtLeast("S3 calls failed by their timeout", () -> (long) failures(archiver).count(), 4);
                assertThat(archiver.archivedRecords()).as("records archived while S3 did not answer").isEqualTo(100);
                assertThat(archiver.isHealthy()).as("the archive writer waits for S3, it does not stop").isTrue();

                proxy.restore();
                awaitAtLeast("archived after S3 answered again", archiver::archivedRecords, 300);

                assertThat(members(admin, "archive-" + run.id)).as("the same member throughout: never out of the group")
                        .isEqualTo(members);
                assertThat(archiver.registry().find("auditkeeper.archiver.writes.fenced").counter().count())
                        .as("no write lost its partition to a rebalance").isZero();
            }
            run.assertArchivedOnce(stack, 300);
        }
    }

    @Test
    void shouldEndAPutToAStalledS3WithAnApiCallTimeoutAndLeaveNoObject(LocalStack stack) throws Exception {
        String bucket = "stalled-" + UUID.randomUUID().toString().substring(0, 8);
        S3Client direct = stack.s3().client();
        ArchiveBucketBootstrap.ensure(direct, bucket, 6, true);
        URI s3 = stack.s3().endpoint();
        try (TcpProxy proxy = TcpProxy.start(s3.getHost(), s3.getPort());
             S3Client viaProxy = ArchiverService.s3Client(config(stack, bucket, "http://127.0.0.1:" + proxy.port()))) {
            ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(viaProxy, bucket, 6,
                    ObjectLockArchiveWriter.Encryption.none());

            proxy.stall();
            assertThatThrownBy(() -> writer.put("events/stalled.jsonl.gz", "{}\n".getBytes(StandardCharsets.UTF_8),
                    "application/gzip", Map.of(), Instant.now())).isInstanceOf(ApiCallTimeoutException.class);
            proxy.restore();

            assertThat(direct.listObjectVersions(b -> b.bucket(bucket).prefix("events/")).versions())
                    .as("nothing reached radosgw").isEmpty();
        }
    }

    private ArchiverConfig config(LocalStack stack, String bucket, String endpoint) throws Exception {
        Path key = dir.resolve("signing.pem");
        io.auditkeeper.evidence.manifest.ManifestSigner.generate(key, dir.resolve("signing.pub.pem"));
        Map<String, Object> s = new HashMap<>(TIMEOUTS);
        s.put("kafka.bootstrap-servers", stack.kafkaBootstrap());
        s.put("s3.bucket", bucket);
        s.put("s3.endpoint", endpoint);
        s.put("s3.region", stack.s3().region());
        s.put("s3.path-style", "true");
        s.put("s3.access-key", stack.s3().accessKey());
        s.put("s3.secret-key", stack.s3().secretKey());
        s.put("manifest.signing-key-file", key.toString());
        return ArchiverConfig.of(s);
    }

    private static Counter failures(ArchiverService archiver) {
        return archiver.registry().find("auditkeeper.archiver.s3.write.failures").counter();
    }

    /** The member ids of a group: a member that leaves (kicked for a slow poll, or its session expired) comes back under a new one. */
    private static Set<String> members(Admin admin, String group) throws Exception {
        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
        return d.members().stream().map(MemberDescription::consumerId).collect(Collectors.toSet());
    }
}
