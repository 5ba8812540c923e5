package io.auditkeeper.evidence.deadletter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.DeadLetterSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;

/**
 * One dead-letter record as a line of the archive: where it was in Kafka, its key and headers (reason, detail, source,
 * cluster, client), the SHA-256 and size of its value, and the value itself only where it holds no secret that could
 * have been removed. A dead letter is kept for six years like the events, so it must not carry a secret that long:
 * the stream-processor and the archiver redact a JSON object before they dead-letter it, but ingest stores what a
 * client sent as it came, and bytes that are not a JSON object cannot be redacted by anyone. For those, the SHA-256
 * stands in for the value: a copy exported from {@code audit.dlq} while the topic still holds it can be proven to be
 * the record that was received.
 *
 * <p>The same record always gives the same bytes (fields in a fixed order, a JSON value re-written compactly), so a
 * batch rebuilt after a crash has the same SHA-256.
 */
public final class DeadLetterEnvelope {
    /** Sources whose dead letters hold secret values redacted, when they are JSON objects. */
    static final Set<String> REDACTING_SOURCES = Set.of(DeadLetterSource.STREAM_PROCESSOR.code(),
            DeadLetterSource.ARCHIVER.code());
    private static final JsonFactory JSON = new JsonFactory();

    private DeadLetterEnvelope() {
    }

    /** The record's line of NDJSON, without the line break. */
    public static byte[] line(ConsumerRecord<byte[], byte[]> record) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        String source = AuditHeaders.get(record.headers(), AuditHeaders.DLQ_SOURCE).orElse(null);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + value.length);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("topic", record.topic());
            g.writeNumberField("partition", record.partition());
            g.writeNumberField("offset", record.offset());
            g.writeStringField("timestamp", Instant.ofEpochMilli(record.timestamp()).toString());
            bytesField(g, "key", record.key());
            g.writeArrayFieldStart("headers");
            for (Header h : record.headers()) {
                g.writeStartObject();
                g.writeStringField("key", h.key());
                bytesField(g, "value", h.value());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("valueBytes", value.length);
            g.writeStringField("valueSha256", sha256(value));
            String omitted = omission(source, value);
            if (omitted == null) {
                g.writeFieldName("value");
                copyObject(value, g);
            } else {
                g.writeStringField("valueOmitted", omitted);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Why the value is not kept, or null when it is. */
    static String omission(String source, byte[] value) {
        if (value.length == 0) {
            return "the record has no value";
        }
        if (source == null || !REDACTING_SOURCES.contains(source)) {
            return "written by " + (source == null ? "an unnamed source" : source)
                    + ", which keeps what it received as it came (secret values included): only its SHA-256 is archived";
        }
        if (!isSingleObject(value)) {
            return "not a JSON object, so secret values could not be redacted: only its SHA-256 is archived";
        }
        return null;
    }

    private static boolean isSingleObject(byte[] value) {
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    private static void copyObject(byte[] value, JsonGenerator g) throws IOException {
        try (JsonParser p = JSON.createParser(value)) {
            p.nextToken();
            g.copyCurrentStructure(p);
        }
    }

    /** A UTF-8 text as {@code name}, anything else as {@code nameBase64}, nothing as null. */
    private static void bytesField(JsonGenerator g, String name, byte[] bytes) throws IOException {
        if (bytes == null) {
            g.writeNullField(name);
            return;
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            g.writeStringField(name, text);
        } catch (CharacterCodingException e) {
            g.writeStringField(name + "Base64", Base64.getEncoder().encodeToString(bytes));
        }
    }

    private static String sha256(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
