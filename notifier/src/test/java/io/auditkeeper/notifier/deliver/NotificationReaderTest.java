package io.auditkeeper.notifier.deliver;

import io.auditkeeper.notifier.Alerts;
import io.auditkeeper.notifier.Severity;
import io.auditkeeper.notifier.config.AlertSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NotificationReaderTest {
    private final NotificationReader reader = new NotificationReader();

    @Test
    void shouldReadTheAlertIdSeverityAndClusterOfAnAlert() throws Exception {
        Notification n = reader.read(AlertSource.ALERTS, Alerts.alert("0123abcd", "medium"));

        assertThat(n.id()).isEqualTo("0123abcd");
        assertThat(n.severity()).contains(Severity.MEDIUM);
        assertThat(n.cluster()).isEqualTo("prod-east");
        assertThat(n.type()).isEqualTo("secret-enumeration");
    }

    @Test
    void shouldRefuseARecordWithoutAnAlertIdRatherThanInventOne() {
        byte[] noId = "{\"type\":\"denied-burst\",\"severity\":\"high\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> reader.read(AlertSource.ALERTS, noId)).isInstanceOf(NotificationReader.Unreadable.class)
                .hasMessageContaining("alertId");
        assertThatThrownBy(() -> reader.read(AlertSource.ALERTS, "not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(NotificationReader.Unreadable.class);
        assertThatThrownBy(() -> reader.read(AlertSource.ALERTS, null)).isInstanceOf(NotificationReader.Unreadable.class);
    }

    @Test
    void shouldRefuseAPhiAccessRecordThatIsNotFlagged() {
        byte[] unflagged = new String(Alerts.flaggedRequest("x", "high"), StandardCharsets.UTF_8)
                .replace("\"flagged\":true", "\"flagged\":false").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> reader.read(AlertSource.PHI_ACCESS, unflagged)).isInstanceOf(NotificationReader.Unreadable.class);
    }
}
