package io.auditkeeper.notifier.config;

import io.auditkeeper.config.ConfigDocs;
import io.auditkeeper.notifier.Severity;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NotifierConfigTest {
    private static final String SLACK_URL = "https://hooks.slack.com/services/T000/B000/s3cretXYZ";
    private static final String ROUTING_KEY = "R0UT1NGKEY0123456789abcdefabcdef";

    @TempDir
    Path dir;

    @Test
    void shouldReadEveryReceiverWithItsDefaultsWhenTheFileNamesThreeTypes() throws Exception {
        Path slack = Files.writeString(dir.resolve("slack-url"), SLACK_URL + "\n");
        Path key = Files.writeString(dir.resolve("routing-key"), ROUTING_KEY);
        Path token = Files.writeString(dir.resolve("token"), "t0ken");
        Path yaml = Files.writeString(dir.resolve("notifier.yaml"), """
                kafka:
                  bootstrap-servers: kafka:9092
                receivers:
                  oncall:
                    type: pagerduty
                    routing-key-file: %s
                    min-severity: high
                  chat:
                    type: slack
                    url-file: %s
                  siem:
                    type: webhook
                    url: https://siem.example.org/hooks/auditkeeper
                    token-file: %s
                    sources: [alerts, phi-access]
                    phi-access:
                      min-severity: critical
                    retry:
                      max-attempts: 3
                """.formatted(key, slack, token));

        NotifierConfig c = NotifierConfig.load(yaml, Map.of());

        assertThat(c.receivers()).containsOnlyKeys("oncall", "chat", "siem");
        ReceiverConfig oncall = c.receivers().get("oncall");
        assertThat(oncall.type()).isEqualTo(ReceiverType.PAGERDUTY);
        assertThat(oncall.url()).hasToString(ReceiverConfig.PAGERDUTY_EVENTS_URL);
        assertThat(oncall.routingKey()).contains(ROUTING_KEY);
        assertThat(oncall.minSeverity()).isEqualTo(Severity.HIGH);
        assertThat(oncall.sources()).containsExactly(AlertSource.ALERTS);
        assertThat(oncall.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(oncall.retry()).isEqualTo(new ReceiverConfig.RetryPolicy(8, Duration.ofSeconds(1), Duration.ofMinutes(1)));
        assertThat(oncall.startAt()).isEqualTo("latest");
        assertThat(c.receivers().get("chat").url()).hasToString(SLACK_URL);
        ReceiverConfig siem = c.receivers().get("siem");
        assertThat(siem.bearerToken()).contains("t0ken");
        assertThat(siem.sources()).isEqualTo(Set.of(AlertSource.ALERTS, AlertSource.PHI_ACCESS));
        assertThat(siem.phiAccessMinSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(siem.retry().maxAttempts()).isEqualTo(3);
        assertThat(c.consumerGroup(siem)).isEqualTo("auditkeeper-notifier-siem");
        assertThat(c.admin().port()).isEqualTo(9095);
    }

    @Test
    void shouldTakeAReceiverFromTheEnvironmentWhenItsKeysAreVariables() {
        Map<String, String> env = Map.of(
                "AUDITKEEPER_NOTIFIER_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "AUDITKEEPER_NOTIFIER_RECEIVERS_SIEM_TYPE", "webhook",
                "AUDITKEEPER_NOTIFIER_RECEIVERS_SIEM_URL", "https://siem.example.org/in",
                "AUDITKEEPER_NOTIFIER_RECEIVERS_SIEM_RETRY_MAX_ATTEMPTS", "4",
                "AUDITKEEPER_NOTIFIER_RECEIVERS_SIEM_REQUEST_TIMEOUT_MS", "2500");

        ReceiverConfig siem = NotifierConfig.load(null, env).receivers().get("siem");

        assertThat(siem.retry().maxAttempts()).isEqualTo(4);
        assertThat(siem.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void shouldNameTheKeyButNotTheUrlWhenSlackIsGivenItsSecretUrlInline() {
        Map<String, Object> s = base();
        s.put("receivers.chat.type", "slack");
        s.put("receivers.chat.url", SLACK_URL);

        assertThatThrownBy(() -> NotifierConfig.of(s)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("receivers.chat.url").hasMessageNotContaining("s3cretXYZ");
    }

    @Test
    void shouldNameTheFileButNotItsContentWhenTheSlackUrlIsNotHttps() throws Exception {
        Map<String, Object> s = base();
        s.put("receivers.chat.type", "slack");
        s.put("receivers.chat.url-file", Files.writeString(dir.resolve("u"), "http://hooks.slack.com/services/s3cretXYZ").toString());

        assertThatThrownBy(() -> NotifierConfig.of(s)).hasMessageContaining("receivers.chat.url-file")
                .hasMessageContaining("https").hasMessageNotContaining("s3cretXYZ");
    }

    @Test
    void shouldRequireTheRoutingKeyFileWhenTheReceiverIsPagerDuty() {
        Map<String, Object> s = base();
        s.put("receivers.oncall.type", "pagerduty");

        assertThatThrownBy(() -> NotifierConfig.of(s)).hasMessageContaining("receivers.oncall.routing-key-file");
    }

    @Test
    void shouldRefuseAMissingSecretFileNamingItsKey() {
        Map<String, Object> s = base();
        s.put("receivers.oncall.type", "pagerduty");
        s.put("receivers.oncall.routing-key-file", dir.resolve("absent").toString());

        assertThatThrownBy(() -> NotifierConfig.of(s)).hasMessageContaining("receivers.oncall.routing-key-file")
                .hasMessageContaining("not readable");
    }

    @Test
    void shouldRefuseATokenFileWhereTheTypeTakesNone() throws Exception {
        Map<String, Object> s = base();
        s.put("receivers.oncall.type", "pagerduty");
        s.put("receivers.oncall.routing-key-file", Files.writeString(dir.resolve("k"), ROUTING_KEY).toString());
        s.put("receivers.oncall.token-file", Files.writeString(dir.resolve("t"), "x").toString());

        assertThatThrownBy(() -> NotifierConfig.of(s)).hasMessageContaining("receivers.oncall.token-file");
    }

    @Test
    void shouldRefuseAPlainHttpWebhook() {
        Map<String, Object> s = webhook();
        s.put("receivers.siem.url", "http://siem.example.org/in");

        assertThatThrownBy(() -> NotifierConfig.of(s)).hasMessageContaining("receivers.siem.url").hasMessageContaining("https");
    }

    @Test
    void shouldAcceptTheEdgesOfEachRangeAndRefuseOneBeyond() {
        Map<String, Object> s = webhook();
        s.put("receivers.siem.retry.max-attempts", "1");
        s.put("receivers.siem.request-timeout-ms", "100");
        s.put("receivers.siem.retry.backoff-initial-ms", "10");
        s.put("receivers.siem.retry.backoff-max-ms", "10");
        ReceiverConfig edge = NotifierConfig.of(s).receivers().get("siem");
        assertThat(edge.retry()).isEqualTo(new ReceiverConfig.RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10)));
        assertThat(edge.requestTimeout()).isEqualTo(Duration.ofMillis(100));

        for (Map.Entry<String, String> beyond : Map.of("retry.max-attempts", "0", "request-timeout-ms", "99",
                "retry.backoff-initial-ms", "9", "retry.backoff-max-ms", "3600001").entrySet()) {
            Map<String, Object> bad = webhook();
            bad.put("receivers.siem." + beyond.getKey(), beyond.getValue());
            assertThatThrownBy(() -> NotifierConfig.of(bad)).as(beyond.getKey())
                    .hasMessageContaining("receivers.siem." + beyond.getKey());
        }
        Map<String, Object> upside = webhook();
        upside.put("receivers.siem.retry.backoff-initial-ms", "5000");
        upside.put("receivers.siem.retry.backoff-max-ms", "4999");
        assertThatThrownBy(() -> NotifierConfig.of(upside)).hasMessageContaining("receivers.siem.retry.backoff-max-ms");
    }

    @Test
    void shouldNameTheKeyWhenAReceiverKeyOrNameIsMisspelt() {
        Map<String, Object> typo = webhook();
        typo.put("receivers.siem.min-severty", "high");
        assertThatThrownBy(() -> NotifierConfig.of(typo)).hasMessageContaining("receivers.siem.min-severty");

        Map<String, Object> badName = base();
        badName.put("receivers.On_Call.type", "webhook");
        assertThatThrownBy(() -> NotifierConfig.of(badName)).hasMessageContaining("receivers.On_Call.type");

        Map<String, Object> badSource = webhook();
        badSource.put("receivers.siem.sources", "alerts,events");
        assertThatThrownBy(() -> NotifierConfig.of(badSource)).hasMessageContaining("receivers.siem.sources");
    }

    @Test
    void shouldRefuseToStartWithoutAReceiver() {
        assertThatThrownBy(() -> NotifierConfig.of(base())).hasMessageContaining("no receiver");
    }

    @Test
    void shouldRefuseACaFileWithoutACertificate() throws Exception {
        Map<String, Object> s = webhook();
        s.put("receivers.siem.ca-file", Files.writeString(dir.resolve("ca.pem"), "not a certificate").toString());

        assertThatThrownBy(() -> NotifierConfig.of(s)).hasMessageContaining("receivers.siem.ca-file");
    }

    @Test
    void shouldRefuseAnUnknownVariableWhenTheEnvironmentHasATypo() {
        Map<String, String> env = Map.of("AUDITKEEPER_NOTIFIER_KAFKA_BOOTSTRAP_SERVER", "x");

        assertThatThrownBy(() -> NotifierConfig.load(null, env)).hasMessageContaining("AUDITKEEPER_NOTIFIER_KAFKA_BOOTSTRAP_SERVER");
    }

    @Test
    void shouldDocumentEveryKeyWhenTheReferenceIsRead() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "operations.md"));
        Files.writeString(Files.createDirectories(Path.of("target")).resolve("notifier-config-table.md"),
                ConfigDocs.markdownTable(NotifierConfig.DEFINITION, NotifierConfig.LOADER) + "\n"
                        + ConfigDocs.markdownTable(NotifierConfig.RECEIVER_DEFINITION, NotifierConfig.RECEIVER_LOADER));

        assertThat(doc).as("docs/operations.md, Alert routing, configuration reference (regenerate it from NotifierConfig.DEFINITION)")
                .contains(ConfigDocs.markdownTable(NotifierConfig.DEFINITION, NotifierConfig.LOADER));
        assertThat(doc).as("docs/operations.md, Alert routing, receiver keys (regenerate from NotifierConfig.RECEIVER_DEFINITION)")
                .contains(ConfigDocs.markdownTable(NotifierConfig.RECEIVER_DEFINITION, NotifierConfig.RECEIVER_LOADER));
    }

    private static Map<String, Object> base() {
        Map<String, Object> s = new HashMap<>();
        s.put("kafka.bootstrap-servers", "kafka:9092");
        return s;
    }

    private static Map<String, Object> webhook() {
        Map<String, Object> s = base();
        s.put("receivers.siem.type", "webhook");
        s.put("receivers.siem.url", "https://siem.example.org/in");
        return s;
    }
}
