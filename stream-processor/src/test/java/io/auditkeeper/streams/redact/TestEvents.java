package io.auditkeeper.streams.redact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.streams.rules.PhiNamespaces;

import java.io.UncheckedIOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

final class TestEvents {
    static final ObjectMapper MAPPER = AuditJson.mapper();
    static final PhiNamespaces PHI = new PhiNamespaces(List.of("patients-*", "ehr"));

    private TestEvents() {
    }

    static ObjectNode event(String json) {
        try {
            return (ObjectNode) MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertNowhere(ObjectNode event, String... secretValues) {
        String out = write(event);
        for (String s : secretValues) {
            assertThat(out).as("serialized event must not contain a secret value").doesNotContain(s);
        }
    }
}
