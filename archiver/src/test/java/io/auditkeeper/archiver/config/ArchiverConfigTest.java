package io.auditkeeper.archiver.config;

import io.auditkeeper.config.ConfigDocs;
import io.auditkeeper.kafka.TopicCheck;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchiverConfigTest {
    @TempDir
    Path dir;

    private Map<String, Object> valid(Map<String, String> overrides) throws Exception {
        Map<String, Object> m = new HashMap<>(Map.of("kafka.bootstrap-servers", "k:9092", "s3.bucket", "audit",
                "manifest.signing-key-file", Files.writeString(dir.resolve("k.pem"), "x").toString()));
        m.putAll(overrides);
        return m;
    }

    @Test
    void shouldKeepSixYearsUnlessAShorterRetentionIsExplicitlyAllowed() throws Exception {
        assertThat(ArchiverConfig.of(valid(Map.of())).retentionYears()).isEqualTo(6);
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("retention.years", "1"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retention.years").hasMessageContaining("HIPAA");
        assertThat(ArchiverConfig.of(valid(Map.of("retention.years", "1", "retention.allow-shorter", "true"))).retentionYears())
                .isEqualTo(1);
    }

    @Test
    void shouldNameTheKeyOfAnIncompleteOrInvalidSetting() throws Exception {
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("s3.sse", "aws:kms")))).hasMessageContaining("s3.sse-kms-key-id");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("s3.sse", "DES")))).hasMessageContaining("s3.sse");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("s3.access-key", "AKIA")))).hasMessageContaining("s3.secret-key")
                .hasMessageNotContaining("AKIA");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("manifest.signing-key-file", "/no/such.pem"))))
                .hasMessageContaining("manifest.signing-key-file");
    }

    @Test
    void shouldCompressAtLevelSixUnlessSetAndRefuseALevelOutsideOneToNineNamingTheKey() throws Exception {
        assertThat(ArchiverConfig.of(valid(Map.of())).compressionLevel()).isEqualTo(6);
        assertThat(ArchiverConfig.of(valid(Map.of("archive.compression-level", "1"))).compressionLevel()).isEqualTo(1);
        assertThat(ArchiverConfig.of(valid(Map.of("archive.compression-level", "9"))).compressionLevel()).isEqualTo(9);
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("archive.compression-level", "0"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("archive.compression-level");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("archive.compression-level", "10"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("archive.compression-level");
    }

    @Test
    void shouldReadThePasswordFromAFileWithoutItsLineBreakWhenPasswordFileIsSet() throws Exception {
        Path secret = Files.writeString(dir.resolve("password"), "from-the-secret\n");

        ArchiverConfig config = ArchiverConfig.of(valid(Map.of("opensearch.url", "https://os:9200",
                "opensearch.username", "archiver", "opensearch.password-file", secret.toString())));

        assertThat(config.openSearchPassword()).contains("from-the-secret");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("opensearch.username", "archiver",
                "opensearch.password", "pw", "opensearch.password-file", secret.toString()))))
                .hasMessageContaining("opensearch.password-file").hasMessageNotContaining("pw,");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("opensearch.username", "archiver"))))
                .hasMessageContaining("opensearch.password");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("opensearch.username", "archiver",
                "opensearch.password-file", "/no/such/file")))).hasMessageContaining("opensearch.password-file");
    }

    @Test
    void shouldNameTheTlsKeyWhenATlsFileIsMissingInvalidOrUnpaired() throws Exception {
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        Map<String, String> https = Map.of("opensearch.url", "https://os:9200");

        assertThatThrownBy(() -> ArchiverConfig.of(valid(with(https, "opensearch.tls.ca-file", "/no/ca.pem"))))
                .hasMessageContaining("opensearch.tls.ca-file");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(with(https, "opensearch.tls.ca-file", notPem.toString()))))
                .hasMessageContaining("opensearch.tls.ca-file").hasMessageContaining("PEM");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(with(https, "opensearch.tls.cert-file", notPem.toString()))))
                .hasMessageContaining("opensearch.tls.key-file");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("opensearch.url", "http://os:9200",
                "opensearch.tls.ca-file", notPem.toString())))).hasMessageContaining("https");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("opensearch.url", "ftp://os"))))
                .hasMessageContaining("opensearch.url");
    }

    @Test
    void shouldRequireARegionAndRefuseBasicCredentialsWhenAuthIsSigV4() throws Exception {
        Map<String, String> sigv4 = Map.of("opensearch.url", "https://search-x.eu-west-1.es.amazonaws.com",
                "opensearch.auth", "sigv4");

        assertThatThrownBy(() -> ArchiverConfig.of(valid(sigv4))).hasMessageContaining("opensearch.aws.region");
        ArchiverConfig config = ArchiverConfig.of(valid(with(sigv4, "opensearch.aws.region", "eu-west-1")));
        assertThat(config.openSearchAuth()).isEqualTo("sigv4");
        assertThat(config.openSearchAwsService()).isEqualTo("es");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(with(with(with(sigv4, "opensearch.aws.region", "eu-west-1"),
                "opensearch.username", "u"), "opensearch.password", "p")))).hasMessageContaining("opensearch.username");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(with(with(sigv4, "opensearch.aws.region", "eu-west-1"),
                "opensearch.aws.service", "s3")))).hasMessageContaining("opensearch.aws.service");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(with(sigv4, "opensearch.auth", "kerberos"))))
                .hasMessageContaining("opensearch.auth");
    }

    @Test
    void shouldArchiveTheDeadLettersInTheirOwnGroupAndNameTheKeyWhenTheyWouldShareTheEventsGroupOrTopic() throws Exception {
        ArchiverConfig defaults = ArchiverConfig.of(valid(Map.of()));
        assertThat(defaults.archiveDeadLetters()).isTrue();
        assertThat(defaults.deadLetterTopic()).isEqualTo("audit.dlq");
        assertThat(defaults.deadLetterGroupId()).isEqualTo("auditkeeper-archiver-dead-letters");

        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("dead-letters.group-id", "auditkeeper-archiver-s3"))))
                .hasMessageContaining("dead-letters.group-id").hasMessageContaining("must differ");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("dead-letters.group-id", "auditkeeper-archiver-index"))))
                .hasMessageContaining("dead-letters.group-id");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("topics.dlq.name", "audit.events"))))
                .hasMessageContaining("topics.dlq.name").hasMessageContaining("topics.events.name");
        assertThat(ArchiverConfig.of(valid(Map.of("dead-letters.archive", "false", "dead-letters.group-id",
                "auditkeeper-archiver-s3"))).archiveDeadLetters()).as("not archived: no clash").isFalse();
    }

    @Test
    void shouldKeepNinetyDaysAndAllowForeverWhenRetentionDaysIsDefaultOrZero() throws Exception {
        assertThat(ArchiverConfig.of(valid(Map.of())).openSearchRetentionDays()).isEqualTo(90);
        assertThat(ArchiverConfig.of(valid(Map.of("opensearch.retention-days", "0"))).openSearchRetentionDays()).isZero();
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("opensearch.retention-days", "-1"))))
                .hasMessageContaining("opensearch.retention-days");
    }

    @Test
    void shouldBoundEveryStoreCallAndKeepTheLongestArchiveStepWithinTheMaxPollIntervalWhenTheDefaultsAreKept() throws Exception {
        ArchiverConfig config = ArchiverConfig.of(valid(Map.of()));

        assertThat(config.s3ApiCallTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.s3ApiCallAttemptTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.openSearchTimeouts().connect()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.openSearchTimeouts().socket()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.consumerTimeouts()).containsEntry("max.poll.interval.ms", 600_000)
                .containsEntry("session.timeout.ms", 45_000).containsEntry("heartbeat.interval.ms", 3_000)
                .containsEntry("default.api.timeout.ms", 30_000);
        // 6 S3 calls of 60 s, 3 Kafka calls of 30 s, 2 publishes of 30 s
        assertThat(config.archiveStepBound()).isEqualTo(Duration.ofSeconds(510));
        assertThat(config.archiveTurnBudget()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void shouldTakeTheConsumerTimeoutsFromKafkaClientKeysAndNameTheKeyWhenOneIsNotANumber() throws Exception {
        ArchiverConfig config = ArchiverConfig.of(valid(Map.of("kafka.client.session.timeout.ms", "30000",
                "kafka.client.max.poll.interval.ms", "900000")));

        assertThat(config.consumerTimeouts()).containsEntry("session.timeout.ms", 30_000)
                .containsEntry("max.poll.interval.ms", 900_000).containsEntry("heartbeat.interval.ms", 3_000);
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("kafka.client.max.poll.interval.ms", "ten minutes"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("kafka.client.max.poll.interval.ms");
    }

    @Test
    void shouldAcceptAnS3CallTimeoutUpToTheMaxPollIntervalAndNameItOneMillisecondPast() throws Exception {
        // 210 s = 6 S3 calls of 10 s + 3 Kafka calls of 30 s + 2 publishes of 30 s
        Map<String, String> poll = Map.of("kafka.client.max.poll.interval.ms", "210000", "s3.api-call-attempt-timeout-ms", "5000");

        ArchiverConfig atTheLimit = ArchiverConfig.of(valid(with(poll, "s3.api-call-timeout-ms", "10000")));

        assertThat(atTheLimit.archiveStepBound()).isEqualTo(Duration.ofMillis(210_000));
        assertThat(atTheLimit.archiveTurnBudget()).isZero();
        assertThatThrownBy(() -> ArchiverConfig.of(valid(with(poll, "s3.api-call-timeout-ms", "10001"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("s3.api-call-timeout-ms")
                .hasMessageContaining("kafka.client.max.poll.interval.ms");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(with(with(poll, "s3.api-call-timeout-ms", "10000"),
                "kafka.client.default.api.timeout.ms", "30001"))))
                .as("the Kafka calls count too").hasMessageContaining("s3.api-call-timeout-ms");
    }

    @Test
    void shouldNameTheAttemptTimeoutWhenItExceedsTheCallTimeout() throws Exception {
        assertThat(ArchiverConfig.of(valid(Map.of("s3.api-call-timeout-ms", "30000"))).s3ApiCallAttemptTimeout())
                .isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("s3.api-call-timeout-ms", "29999"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("s3.api-call-attempt-timeout-ms");
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("s3.api-call-timeout-ms", "99"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("s3.api-call-timeout-ms");
    }

    @Test
    void shouldNameTheHeartbeatWhenItExceedsAThirdOfTheSession() throws Exception {
        assertThat(ArchiverConfig.of(valid(Map.of("kafka.client.heartbeat.interval.ms", "15000"))).consumerTimeouts())
                .containsEntry("heartbeat.interval.ms", 15_000);
        assertThatThrownBy(() -> ArchiverConfig.of(valid(Map.of("kafka.client.heartbeat.interval.ms", "15001"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("kafka.client.heartbeat.interval.ms");
    }

    @Test
    void shouldAcceptAnOpenSearchSocketTimeoutUpToTheMaxPollIntervalAndNameItOneMillisecondPast() throws Exception {
        Map<String, String> os = Map.of("opensearch.url", "http://os:9200");
        // 6 attempts of (5 s + socket), 7.44 s of backoffs (0.2 s doubling, a fifth more as jitter), a 30 s commit
        long limit = (600_000 - 7_440 - 30_000) / 6 - 5_000;

        ArchiverConfig atTheLimit = ArchiverConfig.of(valid(with(os, "opensearch.socket-timeout-ms", Long.toString(limit))));

        assertThat(atTheLimit.indexStepBound()).isEqualTo(Duration.ofMillis(600_000));
        assertThatThrownBy(() -> ArchiverConfig.of(valid(with(os, "opensearch.socket-timeout-ms", Long.toString(limit + 1)))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("opensearch.socket-timeout-ms")
                .hasMessageContaining("kafka.client.max.poll.interval.ms");
        assertThat(ArchiverConfig.of(valid(Map.of("opensearch.socket-timeout-ms", Long.toString(limit + 1))))
                .openSearchSocketTimeout()).as("no indexer without opensearch.url: nothing to check").isNotNull();
    }

    @Test
    void shouldCheckTheRecordSizeOnlyOfTheArchiveTopicWhichItWrites() throws Exception {
        ArchiverConfig c = ArchiverConfig.of(valid(Map.of("topics.min-insync-replicas", "2")));

        assertThat(c.wantedTopics()).containsExactly(
                new TopicCheck.Wanted("audit.events", 0, 2, 2, 86_400_000L),
                new TopicCheck.Wanted("audit.dlq", 0, 2, 2, 86_400_000L),
                new TopicCheck.Wanted("audit.archive", 1024 * 1024, 2, 2, 86_400_000L));
    }

    private static Map<String, String> with(Map<String, String> m, String key, String value) {
        Map<String, String> out = new HashMap<>(m);
        out.put(key, value);
        return out;
    }

    @Test
    void shouldDocumentEveryKeyInTheConfigurationReference() throws Exception {
        String table = ConfigDocs.markdownTable(ArchiverConfig.DEFINITION, ArchiverConfig.LOADER);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "archiver-config-table.md"), table);

        assertThat(Files.readString(Path.of("..", "docs", "archiver.md")))
                .as("docs/archiver.md must hold the table in archiver/target/archiver-config-table.md").contains(table);
    }
}
