package io.auditkeeper.notifier.deliver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.notifier.Alerts;
import io.auditkeeper.notifier.config.AlertSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class PayloadFormatterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final NotificationReader reader = new NotificationReader();

    @Test
    void shouldSendTheAlertUnchangedWithItsIdAsIdempotencyKeyWhenTheReceiverIsAWebhook() throws Exception {
        byte[] alert = Alerts.alert("a1b2c3", "high");

        Payload p = new WebhookPayloadFormatter().format(reader.read(AlertSource.ALERTS, alert));

        assertThat(p.body()).isEqualTo(alert);
        assertThat(p.headers()).containsEntry("Idempotency-Key", "a1b2c3").containsEntry("Content-Type", "application/json")
                .containsEntry("X-Auditkeeper-Source", "alerts");
    }

    @Test
    void shouldTriggerAnIncidentDedupedByTheAlertIdWhenTheReceiverIsPagerDuty() throws Exception {
        Payload p = new PagerDutyPayloadFormatter("RK").format(reader.read(AlertSource.ALERTS, Alerts.alert("a1b2c3", "high")));

        JsonNode n = JSON.readTree(p.body());
        assertThat(n.get("routing_key").asText()).isEqualTo("RK");
        assertThat(n.get("event_action").asText()).isEqualTo("trigger");
        assertThat(n.get("dedup_key").asText()).isEqualTo("a1b2c3");
        JsonNode payload = n.get("payload");
        assertThat(payload.get("severity").asText()).isEqualTo("error");
        assertThat(payload.get("source").asText()).isEqualTo("prod-east");
        assertThat(payload.get("summary").asText()).startsWith("secret-enumeration in prod-east: system:serviceaccount:billing:exporter read 12");
        assertThat(payload.get("timestamp").asText()).isEqualTo("2026-12-06T15:04:10.000Z");
        assertThat(payload.get("class").asText()).isEqualTo("secret-enumeration");
        assertThat(payload.get("custom_details").get("auditIDs").get(0).asText()).isEqualTo("6c1e0f5a-1111-4d4e-9a0b-000000000001");
        assertThat(payload.get("custom_details").get("alertId").asText()).isEqualTo("a1b2c3");
    }

    @Test
    void shouldMapEverySeverityToPagerDutysFourAndAnUnknownOneToError() throws Exception {
        for (String[] m : new String[][]{{"critical", "critical"}, {"high", "error"}, {"medium", "warning"}, {"low", "info"}, {"bogus", "error"}}) {
            Payload p = new PagerDutyPayloadFormatter("RK").format(reader.read(AlertSource.ALERTS, Alerts.alert("x", m[0])));
            assertThat(JSON.readTree(p.body()).get("payload").get("severity").asText()).as(m[0]).isEqualTo(m[1]);
        }
    }

    @Test
    void shouldCutTheSummaryToPagerDutysLimitWhenTheDescriptionIsLong() throws Exception {
        String longAlert = new String(Alerts.alert("x", "high"), StandardCharsets.UTF_8)
                .replace("read 12 distinct", "read " + "very ".repeat(400) + "many");

        Payload p = new PagerDutyPayloadFormatter("RK").format(reader.read(AlertSource.ALERTS, longAlert.getBytes(StandardCharsets.UTF_8)));

        assertThat(JSON.readTree(p.body()).get("payload").get("summary").asText().length()).isLessThanOrEqualTo(1024);
    }

    @Test
    void shouldPutTheAlertIdInSlacksTextAndEscapeWhatCouldFormALink() throws Exception {
        String alert = new String(Alerts.alert("a1b2c3", "medium"), StandardCharsets.UTF_8)
                .replace("system:serviceaccount:billing:exporter read", "<!channel> & <https://evil.example|x> read");

        Payload p = new SlackPayloadFormatter().format(reader.read(AlertSource.ALERTS, alert.getBytes(StandardCharsets.UTF_8)));

        JsonNode n = JSON.readTree(p.body());
        String text = n.get("text").asText();
        assertThat(text).startsWith("[medium] secret-enumeration in prod-east").contains("alert id a1b2c3")
                .contains("&lt;!channel&gt; &amp; &lt;https://evil.example|x&gt;").doesNotContain("<!channel>");
        assertThat(n.get("blocks")).extracting(b -> b.get("type").asText()).containsExactly("header", "section", "section", "context");
        assertThat(n.get("blocks").get(3).toString()).contains("a1b2c3");
        assertThat(n.get("blocks").get(2).get("fields").get(0).get("text").asText()).isEqualTo("*Cluster*\nprod-east");
    }

    @Test
    void shouldDescribeAFlaggedRequestWithItsRulesAndAKeyOfClusterAndAuditId() throws Exception {
        Notification n = reader.read(AlertSource.PHI_ACCESS, Alerts.flaggedRequest("9f0e", "critical"));

        assertThat(n.id()).isEqualTo("phi-access/prod-east/9f0e");
        assertThat(n.summary()).isEqualTo("phi-access in prod-east: alice@example.org get secrets clinical/db (secret-read)");
        JsonNode pd = JSON.readTree(new PagerDutyPayloadFormatter("RK").format(n).body());
        assertThat(pd.get("dedup_key").asText()).isEqualTo("phi-access/prod-east/9f0e");
        assertThat(pd.get("payload").get("severity").asText()).isEqualTo("critical");
        assertThat(pd.get("payload").get("custom_details").has("event")).as("not the whole original event").isFalse();
    }

    @Test
    void shouldGiveTheSameBytesEachTimeSoThatARetryIsTheSameRequest() throws Exception {
        Notification n = reader.read(AlertSource.ALERTS, Alerts.alert("a1", "high"));

        assertThat(new SlackPayloadFormatter().format(n).body()).isEqualTo(new SlackPayloadFormatter().format(n).body());
        assertThat(new PagerDutyPayloadFormatter("k").format(n).body()).isEqualTo(new PagerDutyPayloadFormatter("k").format(n).body());
    }
}
