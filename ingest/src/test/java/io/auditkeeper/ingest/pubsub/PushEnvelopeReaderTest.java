package io.auditkeeper.ingest.pubsub;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.auditkeeper.ingest.pubsub.PushFixtures.envelope;
import static io.auditkeeper.ingest.pubsub.PushFixtures.logEntry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PushEnvelopeReaderTest {
    private final PushEnvelopeReader reader = new PushEnvelopeReader(GkeClusters.BY_NAME);

    @Test
    void shouldKeepTheLogEntryBytesExactlyAndKeyThemByInsertIdAndTimestamp() throws Exception {
        byte[] entry = logEntry("phi-prod").getBytes(StandardCharsets.UTF_8);
        byte[] body = envelope("2070443601311540", entry);

        GkePush push = reader.read(body, body.length);

        assertThat(push.logEntry()).isEqualTo(entry);
        assertThat(push.messageId()).isEqualTo("2070443601311540");
        assertThat(push.entryId()).isEqualTo("8f5b1c3e-2a4d-4f6e-9b7a-1c2d3e4f5a6b@2026-12-06T09:15:27.123456Z");
        assertThat(push.cluster()).isEqualTo("phi-prod");
    }

    @Test
    void shouldRefuseABodyThatIsNoPushEnvelope() {
        assertInvalid("{\"records\":[]}", "not a Pub/Sub push envelope");
        assertInvalid("[1,2]", "not a JSON object");
        assertInvalid("{\"message\":", "not valid JSON");
    }

    @Test
    void shouldRefuseDataThatIsNotBase64OrAbsent() {
        assertInvalid("{\"message\":{\"messageId\":\"1\",\"data\":\"%%%\"}}", "not valid base64");
        assertInvalid("{\"message\":{\"messageId\":\"1\",\"attributes\":{}}}", "has no data");
    }

    @Test
    void shouldRefuseALogEntryOfAnotherResourceOrWithoutItsIdentity() {
        String entry = logEntry("phi-prod");
        assertInvalid(entry.replace("\"k8s_cluster\"", "\"gce_instance\""), "resource.type");
        assertInvalid(entry.replace("\"insertId\"", "\"otherId\""), "insertId");
        assertInvalid(entry.replace("\"cluster_name\"", "\"other_name\""), "cluster_name");
        assertInvalid("\"just a string\"", "not a JSON object");
    }

    @Test
    void shouldRefuseAClusterNameThatIsNoValidNameUnlessItIsMapped() throws Exception {
        byte[] body = envelope("7", logEntry("PhiProd").getBytes(StandardCharsets.UTF_8));
        PushEnvelopeReader mapped = new PushEnvelopeReader(GkeClusters.parse(
                java.util.List.of("phi-prod-project/us-central1/PhiProd=phi-prod")));

        assertThatThrownBy(() -> reader.read(body, body.length)).isInstanceOf(GkeClusters.UnknownClusterException.class)
                .hasMessageContaining("pubsub.gke.clusters");
        assertThat(mapped.read(body, body.length).cluster()).isEqualTo("phi-prod");
    }

    @Test
    void shouldRefuseAClusterThatTheListDoesNotHold() {
        byte[] body = envelope("8", logEntry("phi-dev").getBytes(StandardCharsets.UTF_8));
        PushEnvelopeReader listed = new PushEnvelopeReader(GkeClusters.parse(
                java.util.List.of("phi-prod-project/us-central1/phi-prod=phi-prod")));

        assertThatThrownBy(() -> listed.read(body, body.length)).isInstanceOf(GkeClusters.UnknownClusterException.class)
                .hasMessageContaining("phi-prod-project/us-central1/phi-dev");
    }

    @Test
    void shouldNameAMalformedClusterEntry() {
        for (String entry : new String[]{"p/l=phi", "p/l/c=Not Valid", "/l/c=x", "p/l/c"}) {
            assertThatThrownBy(() -> GkeClusters.parse(java.util.List.of(entry))).as(entry)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(entry.contains("Not") ? "Not Valid" : entry);
        }
    }

    private void assertInvalid(String entryOrBody, String reason) {
        byte[] body = entryOrBody.startsWith("{\"message\"") || entryOrBody.startsWith("{\"records") || entryOrBody.startsWith("[")
                ? entryOrBody.getBytes(StandardCharsets.UTF_8)
                : envelope("42", entryOrBody.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> reader.read(body, body.length)).isInstanceOf(InvalidPushException.class)
                .hasMessageContaining(reason);
    }
}
