package io.auditkeeper.model;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class AuditHeadersTest {
    private final Headers headers = new RecordHeaders();

    @Test
    void shouldReadBackValueWhenPutAsUtf8() {
        String client = "mtls:CN=kube-apiserver,O=Klinik Zürich,L=東京";

        AuditHeaders.put(headers, AuditHeaders.CLIENT, client);

        assertThat(AuditHeaders.get(headers, AuditHeaders.CLIENT)).contains(client);
        assertThat(headers.lastHeader(AuditHeaders.CLIENT).value()).isEqualTo(client.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldReadEachHeaderWhenSeveralArePut() {
        AuditHeaders.put(headers, AuditHeaders.CLUSTER, "prod-eu");
        AuditHeaders.put(headers, AuditHeaders.RECEIVED_AT, "2024-11-13T18:34:10.595Z");
        AuditHeaders.put(headers, AuditHeaders.DLQ_REASON, DeadLetterReason.MISSING_AUDIT_ID.code());

        assertThat(AuditHeaders.get(headers, AuditHeaders.CLUSTER)).contains("prod-eu");
        assertThat(AuditHeaders.get(headers, AuditHeaders.RECEIVED_AT)).contains("2024-11-13T18:34:10.595Z");
        assertThat(AuditHeaders.get(headers, AuditHeaders.DLQ_REASON)).contains("missing-audit-id");
    }

    @Test
    void shouldReadEmptyStringWhenValueIsEmpty() {
        AuditHeaders.put(headers, AuditHeaders.DLQ_DETAIL, "");

        assertThat(AuditHeaders.get(headers, AuditHeaders.DLQ_DETAIL)).contains("");
    }

    @Test
    void shouldGiveEmptyWhenHeaderIsMissing() {
        AuditHeaders.put(headers, AuditHeaders.CLUSTER, "prod-eu");

        assertThat(AuditHeaders.get(headers, AuditHeaders.CLIENT)).isEmpty();
        assertThat(AuditHeaders.get(new RecordHeaders(), AuditHeaders.CLUSTER)).isEmpty();
    }

    @Test
    void shouldGiveEmptyWhenHeaderValueIsNull() {
        headers.add(AuditHeaders.CLUSTER, null);

        assertThat(AuditHeaders.get(headers, AuditHeaders.CLUSTER)).isEmpty();
    }

    @Test
    void shouldGiveLastValueWhenHeaderIsPutTwice() {
        AuditHeaders.put(headers, AuditHeaders.CLUSTER, "first");
        AuditHeaders.put(headers, AuditHeaders.CLUSTER, "second");

        assertThat(AuditHeaders.get(headers, AuditHeaders.CLUSTER)).contains("second");
    }
}
