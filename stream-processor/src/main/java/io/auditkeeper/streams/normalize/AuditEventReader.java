package io.auditkeeper.streams.normalize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditEvent;
import io.auditkeeper.model.AuditJson;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an {@link AuditEvent} view over an already parsed event tree without copying it: the request and response
 * bodies (the bulk of a RequestResponse event, up to megabytes) are the tree's own nodes, and only the small parts
 * (user, objectRef, status) are converted. Binding the whole tree with Jackson would deep-copy the bodies once more.
 */
public final class AuditEventReader {
    private static final ObjectMapper MAPPER = AuditJson.mapper();

    private AuditEventReader() {
    }

    public static AuditEvent read(ObjectNode e) throws JsonProcessingException {
        return new AuditEvent(text(e, "kind"), text(e, "apiVersion"), text(e, "level"), text(e, "auditID"),
                text(e, "stage"), text(e, "requestURI"), text(e, "verb"),
                small(e, "user", AuditEvent.UserInfo.class), small(e, "impersonatedUser", AuditEvent.UserInfo.class),
                strings(e.get("sourceIPs")), text(e, "userAgent"),
                small(e, "objectRef", AuditEvent.ObjectReference.class),
                small(e, "responseStatus", AuditEvent.ResponseStatus.class),
                body(e, "requestObject"), body(e, "responseObject"),
                text(e, "requestReceivedTimestamp"), text(e, "stageTimestamp"), annotations(e.get("annotations")));
    }

    private static String text(ObjectNode e, String field) {
        JsonNode n = e.get(field);
        return n == null || n.isNull() ? null : n.isValueNode() ? n.asText() : n.toString();
    }

    private static <T> T small(ObjectNode e, String field, Class<T> type) throws JsonProcessingException {
        JsonNode n = e.get(field);
        return n == null || n.isNull() ? null : MAPPER.treeToValue(n, type);
    }

    private static JsonNode body(ObjectNode e, String field) {
        JsonNode n = e.get(field);
        return n == null || n.isNull() ? null : n;
    }

    private static List<String> strings(JsonNode n) {
        if (n == null || !n.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>(n.size());
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static Map<String, String> annotations(JsonNode n) {
        if (n == null || !n.isObject()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString()));
        return out;
    }
}
