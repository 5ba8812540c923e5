package io.auditkeeper.ingest.config;

import io.auditkeeper.config.ConfigDocs;
import io.auditkeeper.kafka.TopicCheck;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IngestConfigTest {
    @TempDir
    Path dir;
    private Path cert;
    private Path key;
    private Path ca;
    private Path tokens;

    @BeforeEach
    void files() throws Exception {
        cert = Files.writeString(dir.resolve("tls.crt"), "x");
        key = Files.writeString(dir.resolve("tls.key"), "x");
        ca = Files.writeString(dir.resolve("ca.crt"), "x");
        tokens = Files.writeString(dir.resolve("tokens.csv"), "x");
    }

    @Test
    void shouldReadNestedYamlKeysAndApplyDefaults() throws Exception {
        Path file = yaml("""
                kafka:
                  bootstrap-servers: broker-1:9092,broker-2:9092
                  producer:
                    linger.ms: 20
                tls:
                  cert-file: %s
                  key-file: %s
                auth:
                  client-ca-file: %s
                  allowed-subjects: [kube-apiserver, "CN=other"]
                """.formatted(cert, key, ca));

        IngestConfig c = IngestConfig.load(file, Map.of());

        assertThat(c.kafkaBootstrapServers()).isEqualTo("broker-1:9092,broker-2:9092");
        assertThat(c.allowedSubjects()).containsExactly("kube-apiserver", "CN=other");
        assertThat(c.kafkaProducerOverrides()).containsEntry("linger.ms", "20");
        assertThat(c.authMode()).isEqualTo(IngestConfig.AuthMode.MTLS);
        assertThat(c.listenPort()).isEqualTo(8443);
        assertThat(c.ackTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.rawTopic().name()).isEqualTo("audit.raw");
        assertThat(c.tlsProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(c.maxBodyBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(c.maxEventBytes()).isEqualTo(8L * 1024 * 1024);
    }

    @Test
    void shouldWantAnEventOnTheRawTopicAndABodyOnTheDeadLetterTopicWhenCheckingTopics() {
        IngestConfig c = IngestConfig.of(valid(Map.of("topics.raw.replication-factor", "3",
                "topics.min-insync-replicas", "2", "topics.min-retention-ms", "3600000")));

        assertThat(io.auditkeeper.ingest.kafka.KafkaClientSettings.wantedTopics(c)).containsExactly(
                new TopicCheck.Wanted("audit.raw", 9L * 1024 * 1024, 3, 2, 3_600_000L),
                new TopicCheck.Wanted("audit.dlq", 33L * 1024 * 1024, 2, 2, 3_600_000L));
    }

    @Test
    void shouldRefuseTopicsItWouldCreateWhenTheyCouldNotPassItsOwnCheck() {
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("topics.min-insync-replicas", "2",
                "topics.dlq.replication-factor", "1"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("topics.dlq.replication-factor");
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("topics.min-retention-ms", "604800001"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("topics.raw.retention-ms");
    }

    @Test
    void shouldKeepEveryRecordWithinTheRecordSizeOfTheTopicsItCreates() {
        IngestConfig c = IngestConfig.of(valid(Map.of()));

        assertThat(c.maxEventBytes() + 64 * 1024).as("an event and its headers")
                .isLessThanOrEqualTo(io.auditkeeper.ingest.kafka.KafkaClientSettings.maxRecordBytes(c));
        assertThat(c.maxBodyBytes() + 64 * 1024).as("a whole refused body and its headers")
                .isLessThanOrEqualTo(io.auditkeeper.ingest.kafka.KafkaClientSettings.maxRecordBytes(c));
    }

    @Test
    void shouldLetEnvironmentVariablesOverrideTheFile() throws Exception {
        Path file = yaml("""
                kafka.bootstrap-servers: from-file:9092
                listen.port: 8443
                tls: {cert-file: %s, key-file: %s}
                auth: {client-ca-file: %s}
                """.formatted(cert, key, ca));

        IngestConfig c = IngestConfig.load(file, Map.of(
                "AUDITKEEPER_INGEST_KAFKA_BOOTSTRAP_SERVERS", "from-env:9092",
                "AUDITKEEPER_INGEST_LIMITS_ACK_TIMEOUT_MS", "2500",
                "AUDITKEEPER_INGEST_KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"));

        assertThat(c.kafkaBootstrapServers()).isEqualTo("from-env:9092");
        assertThat(c.ackTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.kafkaClientOverrides()).containsEntry("security.protocol", "SSL");
    }

    @Test
    void shouldNameTheKeyOfAMissingRequiredSetting() {
        assertThatThrownBy(() -> IngestConfig.of(Map.of("tls.cert-file", cert.toString(), "tls.key-file", key.toString(),
                "auth.client-ca-file", ca.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("kafka.bootstrap-servers");
    }

    @Test
    void shouldNameTheKeyOfABadValue() {
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("limits.ack-timeout-ms", "30000"))))
                .hasMessageContaining("limits.ack-timeout-ms");
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("listen.port", "eighty"))))
                .hasMessageContaining("listen.port");
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("tls.protocols", "TLSv1.2,TLSv1.1"))))
                .hasMessageContaining("tls.protocols");
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("tls.cipher-suites", "TLS_RSA_WITH_AES_128_CBC_SHA"))))
                .hasMessageContaining("tls.cipher-suites");
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("auth.mode", "none"))))
                .hasMessageContaining("auth.mode");
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("cluster.default", "Prod Cluster"))))
                .hasMessageContaining("cluster.default");
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("topics.raw.replication-factor", "0"))))
                .hasMessageContaining("topics.raw.replication-factor");
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("topics.dlq.name", "audit.raw"))))
                .hasMessageContaining("topics.dlq.name");
    }

    @Test
    void shouldNameAMissingOrUnreadableFile() {
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("tls.key-file", dir.resolve("nope.key").toString()))))
                .hasMessageContaining("tls.key-file").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("auth.mode", "token"))))
                .hasMessageContaining("auth.token-file");
        assertThat(IngestConfig.of(valid(Map.of("auth.mode", "token", "auth.token-file", tokens.toString()))).authMode())
                .isEqualTo(IngestConfig.AuthMode.TOKEN);
    }

    @Test
    void shouldNameClusterBindingsWhenAnEntryIsMalformed() {
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("auth.cluster-bindings", "apiserver-east=East"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auth.cluster-bindings")
                .hasMessageContaining("East");
        assertThat(IngestConfig.of(valid(Map.of("auth.cluster-bindings", "apiserver-east=east|east-dr,relay=*")))
                .clusterBindings().restricts()).isTrue();
    }

    @Test
    void shouldLeaveTheFirehoseEndpointOffWhenNotAskedFor() {
        IngestConfig c = IngestConfig.of(valid(Map.of()));

        assertThat(c.firehoseEksEnabled()).isFalse();
        assertThat(c.firehoseEksAccessKeyFile()).isEmpty();
    }

    @Test
    void shouldRequireAnAccessKeyFileWhenTheFirehoseEndpointIsOn() {
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("firehose.eks.enabled", "true",
                "auth.mode", "mtls-or-token", "auth.token-file", tokens.toString()))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("firehose.eks.access-key-file");
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("firehose.eks.enabled", "true",
                "auth.mode", "mtls-or-token", "auth.token-file", tokens.toString(),
                "firehose.eks.access-key-file", dir.resolve("nope").toString()))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("firehose.eks.access-key-file")
                .hasMessageContaining("does not exist");
    }

    @Test
    void shouldRefuseTheFirehoseEndpointWhenEveryConnectionMustPresentACertificate() {
        for (String mode : new String[]{"mtls", "mtls-and-token"}) {
            assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("firehose.eks.enabled", "true", "auth.mode", mode,
                    "auth.token-file", tokens.toString(), "firehose.eks.access-key-file", tokens.toString()))))
                    .as(mode).isInstanceOf(ConfigException.class).hasMessageContaining("firehose.eks.enabled")
                    .hasMessageContaining("mtls-or-token");
        }
        IngestConfig c = IngestConfig.of(valid(Map.of("firehose.eks.enabled", "true", "auth.mode", "mtls-or-token",
                "auth.token-file", tokens.toString(), "firehose.eks.access-key-file", tokens.toString(),
                "firehose.eks.log-groups", "/aws/eks/PhiProd/cluster=phi-prod")));
        assertThat(c.firehoseEksEnabled()).isTrue();
        assertThat(c.firehoseEksAccessKeyFile()).contains(tokens);
    }

    @Test
    void shouldRequireAReadableKeySetAndAnAudienceWhenThePubSubEndpointIsOn() throws Exception {
        Path jwks = new io.auditkeeper.ingest.pubsub.PushFixtures().writeJwks(dir.resolve("google-certs.json"));
        Map<String, String> on = Map.of("pubsub.gke.enabled", "true", "auth.mode", "mtls-or-token",
                "auth.token-file", tokens.toString());

        assertThatThrownBy(() -> IngestConfig.of(valid(with(on, "pubsub.gke.audience", "https://a.example/pubsub/gke"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pubsub.gke.jwks-file");
        assertThatThrownBy(() -> IngestConfig.of(valid(with(on, "pubsub.gke.jwks-file", jwks.toString()))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pubsub.gke.audience");
        assertThatThrownBy(() -> IngestConfig.of(valid(with(with(on, "pubsub.gke.jwks-file", tokens.toString()),
                "pubsub.gke.audience", "https://a.example/pubsub/gke"))))
                .as("a token file is no key set").isInstanceOf(ConfigException.class)
                .hasMessageContaining("pubsub.gke.jwks-file");
        IngestConfig c = IngestConfig.of(valid(with(with(with(on, "pubsub.gke.jwks-file", jwks.toString()),
                "pubsub.gke.audience", "https://a.example/pubsub/gke"), "pubsub.gke.service-accounts", "push@p.iam.gserviceaccount.com")));
        assertThat(c.pubsubGkeEnabled()).isTrue();
        assertThat(c.pubsubGkeServiceAccounts()).containsExactly("push@p.iam.gserviceaccount.com");
        assertThat(c.pubsubGkeClockLeeway()).hasSeconds(60);
        assertThatThrownBy(() -> IngestConfig.of(valid(with(with(with(on, "pubsub.gke.jwks-file", jwks.toString()),
                "pubsub.gke.audience", "https://a.example/pubsub/gke"), "auth.mode", "mtls"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pubsub.gke.enabled")
                .hasMessageContaining("mtls-or-token");
    }

    @Test
    void shouldNameGkeClustersWhenAnEntryIsMalformed() {
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("pubsub.gke.clusters", "phi-prod-project/ehr=phi-ehr"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pubsub.gke.clusters")
                .hasMessageContaining("<project>/<location>/<cluster_name>=<cluster>");
        assertThat(IngestConfig.of(valid(Map.of("pubsub.gke.clusters", "p/us-central1/ehr=phi-ehr"))).pubsubGkeClusters())
                .isNotNull();
    }

    private static Map<String, String> with(Map<String, String> m, String key, String value) {
        Map<String, String> copy = new java.util.HashMap<>(m);
        copy.put(key, value);
        return copy;
    }

    @Test
    void shouldNameFirehoseLogGroupsWhenAnEntryIsMalformed() {
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("firehose.eks.log-groups", "/aws/eks/PhiProd/cluster=PhiProd"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("firehose.eks.log-groups")
                .hasMessageContaining("PhiProd");
        assertThatThrownBy(() -> IngestConfig.of(valid(Map.of("firehose.eks.log-groups", "/aws/eks/x/cluster"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("firehose.eks.log-groups");
    }

    @Test
    void shouldRefuseMutualTlsOverPlainHttp() {
        assertThatThrownBy(() -> IngestConfig.of(Map.of("kafka.bootstrap-servers", "k:9092", "listen.plaintext", "true")))
                .hasMessageContaining("auth.mode").hasMessageContaining("plaintext");
        assertThat(IngestConfig.of(Map.of("kafka.bootstrap-servers", "k:9092", "listen.plaintext", "true",
                "auth.mode", "token", "auth.token-file", tokens.toString())).plaintext()).isTrue();
    }

    @Test
    void shouldRefuseAnUnknownKeySoThatATypoIsNotIgnored() throws Exception {
        Path file = yaml("kafka.bootstrap-servers: k:9092\nlimits:\n  max-body-byte: 10\n");

        assertThatThrownBy(() -> IngestConfig.load(file, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.max-body-byte");
    }

    @Test
    void shouldDocumentEveryKeyInTheConfigurationReference() throws Exception {
        String table = ConfigDocs.markdownTable(IngestConfig.DEFINITION, IngestConfig.LOADER);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "ingest-config-table.md"), table);

        assertThat(Files.readString(Path.of("..", "docs", "ingest.md")))
                .as("docs/ingest.md must hold the table in ingest/target/ingest-config-table.md")
                .contains(table);
    }

    @Test
    void shouldKeepTheConfigurationReferenceInOnePlaceWhichTheReadmeLinks() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));

        assertThat(readme).as("README.md links the reference in docs/ingest.md")
                .contains("(docs/ingest.md#configuration-reference)");
        assertThat(readme).as("README.md holds no copy of the reference, which could drift from the code")
                .doesNotContain("| `listen.host` |").doesNotContain("AUDITKEEPER_INGEST_LISTEN_HOST");
    }

    private Map<String, Object> valid(Map<String, String> overrides) {
        Map<String, Object> m = new java.util.HashMap<>(Map.of("kafka.bootstrap-servers", "k:9092",
                "tls.cert-file", cert.toString(), "tls.key-file", key.toString(), "auth.client-ca-file", ca.toString()));
        m.putAll(overrides);
        return m;
    }

    private Path yaml(String content) throws Exception {
        return Files.writeString(dir.resolve("ingest.yaml"), content);
    }
}
