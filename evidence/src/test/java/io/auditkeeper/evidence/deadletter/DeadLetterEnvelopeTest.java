package io.auditkeeper.evidence.deadletter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterEnvelopeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldKeepTheValueOnOneLineWhenTheStreamProcessorDeadLetteredAJsonObject() throws Exception {
        String value = "{\n  \"auditID\": \"a-1\",\n  \"requestObject\": {\"data\": {\"password\": \"[REDACTED]\"}}\n}";
        byte[] line = DeadLetterEnvelope.line(record("cluster-a/a-1", value, "stream-processor", "missing-stage"));

        assertThat(new String(line, StandardCharsets.UTF_8)).doesNotContain("\n");
        JsonNode envelope = JSON.readTree(line);
        assertThat(envelope.path("value")).isEqualTo(JSON.readTree(value));
        assertThat(envelope.has("valueOmitted")).isFalse();
        assertThat(envelope.path("valueSha256").asText()).isEqualTo(sha256(value));
        assertThat(envelope.path("valueBytes").asInt()).isEqualTo(value.getBytes(StandardCharsets.UTF_8).length);
        assertThat(envelope.path("topic").asText()).isEqualTo("audit.dlq");
        assertThat(envelope.path("partition").asInt()).isEqualTo(2);
        assertThat(envelope.path("offset").asLong()).isEqualTo(41);
        assertThat(envelope.path("timestamp").asText()).isEqualTo("2025-11-28T10:00:00Z");
        assertThat(envelope.path("key").asText()).isEqualTo("cluster-a/a-1");
    }

    @Test
    void shouldKeepOnlyTheHashWhenIngestDeadLetteredWhatAClientSent() throws Exception {
        String value = "{\"items\":[{\"kind\":\"Secret\",\"data\":{\"password\":\"czNjcmV0LXZhbHVl\"}}]";
        byte[] line = DeadLetterEnvelope.line(record(null, value, "ingest", "malformed-json"));

        String text = new String(line, StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("czNjcmV0LXZhbHVl").doesNotContain("password");
        JsonNode envelope = JSON.readTree(line);
        assertThat(envelope.has("value")).isFalse();
        assertThat(envelope.path("valueOmitted").asText()).contains("ingest").contains("SHA-256");
        assertThat(envelope.path("valueSha256").asText()).isEqualTo(sha256(value));
        assertThat(envelope.path("key").isNull()).isTrue();
    }

    @Test
    void shouldKeepOnlyTheHashWhenTheSourceIsUnnamedOrTheValueIsNotExactlyOneObject() throws Exception {
        for (String value : new String[] {"{\"password\":\"x1\"", "[{\"password\":\"x1\"}]", "{\"a\":1} {\"password\":\"x1\"}",
                "\"password x1\"", "not json x1"}) {
            JsonNode envelope = JSON.readTree(DeadLetterEnvelope.line(record("k", value, "stream-processor", "unparseable-event")));

            assertThat(envelope.has("value")).as(value).isFalse();
            assertThat(envelope.path("valueOmitted").asText()).as(value).contains("not a JSON object");
            assertThat(envelope.toString()).as(value).doesNotContain("x1");
        }
        JsonNode unnamed = JSON.readTree(DeadLetterEnvelope.line(record("k", "{\"password\":\"x1\"}", null, null)));
        assertThat(unnamed.has("value")).isFalse();
        assertThat(unnamed.path("valueOmitted").asText()).contains("unnamed source");
    }

    @Test
    void shouldKeepEveryHeaderInOrderAndBytesThatAreNotUtf8AsBase64() throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add("auditkeeper.dlq.source", bytes("archiver"));
        headers.add("auditkeeper.dlq.detail", bytes("mapper_parsing_exception: failed to parse"));
        headers.add("auditkeeper.dlq.detail", bytes("a second one"));
        headers.add("binary", new byte[] {(byte) 0xff, 0x00});
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("audit.dlq", 0, 7, 1_764_324_000_000L,
                TimestampType.CREATE_TIME, 2, 9, new byte[] {(byte) 0xc3, 0x28}, bytes("{\"auditID\":\"x\"}"), headers,
                Optional.empty());

        JsonNode envelope = JSON.readTree(DeadLetterEnvelope.line(r));

        assertThat(envelope.path("headers")).hasSize(4);
        assertThat(envelope.path("headers").get(1).path("value").asText()).isEqualTo("mapper_parsing_exception: failed to parse");
        assertThat(envelope.path("headers").get(2).path("value").asText()).isEqualTo("a second one");
        assertThat(envelope.path("headers").get(3).path("valueBase64").asText()).isEqualTo("/wA=");
        assertThat(envelope.path("keyBase64").asText()).isEqualTo("wyg=");
        assertThat(envelope.path("value").path("auditID").asText()).isEqualTo("x");
    }

    @Test
    void shouldWriteTheSameBytesForTheSameRecordSoThatARebuiltBatchHasTheSameHash() {
        String value = "{ \"b\" : 1, \"a\" : [ 1, 2 ] }";

        assertThat(DeadLetterEnvelope.line(record("k", value, "stream-processor", "missing-audit-id")))
                .isEqualTo(DeadLetterEnvelope.line(record("k", value, "stream-processor", "missing-audit-id")));
    }

    @Test
    void shouldSayWhenTheRecordHasNoValue() throws Exception {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("audit.dlq", 0, 1, "k".getBytes(StandardCharsets.UTF_8), null);

        JsonNode envelope = JSON.readTree(DeadLetterEnvelope.line(r));

        assertThat(envelope.path("valueBytes").asInt()).isZero();
        assertThat(envelope.path("valueOmitted").asText()).isEqualTo("the record has no value");
    }

    private static ConsumerRecord<byte[], byte[]> record(String key, String value, String source, String reason) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("auditkeeper.cluster", bytes("cluster-a"));
        if (reason != null) {
            headers.add("auditkeeper.dlq.reason", bytes(reason));
        }
        if (source != null) {
            headers.add("auditkeeper.dlq.source", bytes(source));
        }
        return new ConsumerRecord<>("audit.dlq", 2, 41, 1_764_324_000_000L, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : bytes(key), bytes(value), headers, Optional.empty());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes(s)));
    }
}
