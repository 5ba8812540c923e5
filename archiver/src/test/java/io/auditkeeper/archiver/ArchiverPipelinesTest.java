package io.auditkeeper.archiver;

import io.auditkeeper.archiver.config.ArchiverConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the owner and its two pipelines say before they run, and the client settings they share. */
class ArchiverPipelinesTest {
    @TempDir
    Path dir;

    private ArchiverConfig config() throws Exception {
        return ArchiverConfig.of(Map.of("kafka.bootstrap-servers", "k:9092", "s3.bucket", "audit",
                "manifest.signing-key-file", Files.writeString(dir.resolve("k.pem"), "x").toString()));
    }

    @Test
    void shouldBeNotReadyButNotAskedToRestartBeforeStartAndCloseWithoutHavingStarted() throws Exception {
        ArchiverService service = new ArchiverService(config());

        assertThat(service.notReadyReason()).contains("not running");
        assertThat(service.notAliveReason()).isEmpty();
        assertThat(service.isHealthy()).isFalse();
        assertThat(service.archivedRecords()).isZero();
        assertThat(service.indexedDocuments()).isZero();
        assertThat(service.adminPort()).isEqualTo(-1);
        service.close();
    }

    @Test
    void shouldReportAPipelineThatNeverStartedAsStoppedOnlyWhenItIsTheArchive() throws Exception {
        ArchivePipeline archive = new ArchivePipeline(config(), new SimpleMeterRegistry());
        IndexPipeline index = new IndexPipeline(config(), new SimpleMeterRegistry());

        assertThat(archive.notRunning()).contains("archive writer stopped");
        assertThat(archive.isHealthy()).isFalse();
        assertThat(index.notRunning()).isEmpty();
        assertThat(index.indexedDocuments("audit.events")).isZero();
        archive.close();
        index.close();
    }

    @Test
    void shouldReadCommittedRecordsOnlyAndLeaveTheCommitsToTheWriters() throws Exception {
        ArchiverConfig config = config();

        Map<String, Object> index = ArchiverService.consumerProperties(config, "g");
        Map<String, Object> archive = ArchiverService.archiveConsumerProperties(config, "g");
        Map<String, Object> producer = ArchiverClients.producerProperties(config);

        assertThat(index).containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "g")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        assertThat(archive).containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        assertThat(producer).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    }

    @Test
    void shouldSetTheArchiversConsumerTimeoutsUnlessKafkaClientKeysSetThemAndBoundEveryS3Call() throws Exception {
        ArchiverConfig defaults = config();
        ArchiverConfig overridden = ArchiverConfig.of(Map.of("kafka.bootstrap-servers", "k:9092", "s3.bucket", "audit",
                "manifest.signing-key-file", dir.resolve("k.pem").toString(), "kafka.client.session.timeout.ms", "30000",
                "s3.api-call-timeout-ms", "20000", "s3.api-call-attempt-timeout-ms", "10000"));

        assertThat(ArchiverService.archiveConsumerProperties(defaults, "g"))
                .containsEntry(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000)
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 45_000)
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000)
                .containsEntry(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        assertThat(ArchiverService.consumerProperties(overridden, "g"))
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "30000")
                .containsEntry(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000);
        try (S3Client s3 = ArchiverService.s3Client(overridden)) {
            var o = s3.serviceClientConfiguration().overrideConfiguration();
            assertThat(o.apiCallTimeout()).contains(Duration.ofSeconds(20));
            assertThat(o.apiCallAttemptTimeout()).contains(Duration.ofSeconds(10));
        }
    }
}
