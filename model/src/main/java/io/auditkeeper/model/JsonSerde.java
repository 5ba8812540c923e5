package io.auditkeeper.model;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;

/**
 * A Kafka serde for a JSON record type, on the project's one {@link AuditJson#mapper()}. A value that does not read
 * raises {@link SerializationException} naming the type, never echoing the bytes (they may hold PHI).
 */
public final class JsonSerde<T> implements Serde<T> {
    private final Class<T> type;
    private final ObjectReader reader;
    private final ObjectWriter writer;

    public JsonSerde(Class<T> type) {
        this.type = type;
        this.reader = AuditJson.mapper().readerFor(type);
        this.writer = AuditJson.mapper().writerFor(type);
    }

    public static JsonSerde<AuditEvent> auditEvent() {
        return new JsonSerde<>(AuditEvent.class);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return writer.writeValueAsBytes(data);
            } catch (IOException e) {
                throw new SerializationException("cannot write " + type.getSimpleName() + " as JSON: " + e.getClass().getSimpleName());
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return reader.readValue(data);
            } catch (IOException e) {
                throw new SerializationException("not a valid " + type.getSimpleName() + " (" + data.length
                        + " bytes from " + topic + "): " + e.getClass().getSimpleName());
            }
        };
    }
}
