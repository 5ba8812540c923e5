package io.auditkeeper.streams.normalize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.auditkeeper.model.AuditEvent;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.RawJson;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an {@link AuditEvent} from the raw bytes of one event with Jackson's streaming parser, without building a
 * tree. Why: at the Request and RequestResponse levels the request and response bodies are most of an event's bytes,
 * yet most events need nothing from them; building them into a tree was the largest cost per event. Here the bodies
 * are tokenized (so malformed JSON is still caught) and skipped, and come back as {@link RawJson} slices of the input
 * with their {@link Span}s, for the caller to parse only when it must.
 *
 * <p>The scan covers the shape the apiserver writes. Anything else (a field of another JSON type than expected,
 * a scalar body, content after the event, invalid JSON) makes {@link #scan} answer {@code null}, and the caller reads
 * the event the slow way with {@link AuditEventReader}, so both ways give the same result for every input.
 */
public final class AuditEventScanner {
    /** The place of a body in the event's bytes. */
    public record Span(int offset, int length) {
    }

    /** The event with its bodies as raw slices, and where those bodies are; a span is null when its body is absent. */
    public record Scanned(AuditEvent event, Span requestObject, Span responseObject) {
    }

    /** Thrown for a shape the scan leaves to the tree reader; preallocated, without a stack trace, as it is not an error. */
    private static final class Unexpected extends RuntimeException {
        private static final Unexpected INSTANCE = new Unexpected();

        private Unexpected() {
            super("unexpected shape", null, false, false);
        }
    }

    private AuditEventScanner() {
    }

    /** The event, or {@code null} when it must be read from a tree instead. */
    public static Scanned scan(byte[] value) {
        if (value == null || value.length == 0) {
            return null;
        }
        try (JsonParser p = AuditJson.factory().createParser(value)) {
            return scan(p, value);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Scanned scan(JsonParser p, byte[] value) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String kind = null, apiVersion = null, level = null, auditID = null, stage = null, requestURI = null;
        String verb = null, userAgent = null, received = null, stageTimestamp = null;
        AuditEvent.UserInfo user = null, impersonated = null;
        List<String> sourceIPs = null;
        AuditEvent.ObjectReference objectRef = null;
        AuditEvent.ResponseStatus status = null;
        Map<String, String> annotations = null;
        Span request = null, response = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "kind" -> kind = text(p, v);
                case "apiVersion" -> apiVersion = text(p, v);
                case "level" -> level = text(p, v);
                case "auditID" -> auditID = text(p, v);
                case "stage" -> stage = text(p, v);
                case "requestURI" -> requestURI = text(p, v);
                case "verb" -> verb = text(p, v);
                case "userAgent" -> userAgent = text(p, v);
                case "requestReceivedTimestamp" -> received = text(p, v);
                case "stageTimestamp" -> stageTimestamp = text(p, v);
                case "user" -> user = user(p, v);
                case "impersonatedUser" -> impersonated = user(p, v);
                case "sourceIPs" -> sourceIPs = v == JsonToken.VALUE_NULL ? null : strings(p, v);
                case "objectRef" -> objectRef = objectRef(p, v);
                case "responseStatus" -> status = responseStatus(p, v);
                case "annotations" -> annotations = annotations(p, v);
                case "requestObject" -> request = span(p, v);
                case "responseObject" -> response = span(p, v);
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
            return null;
        }
        AuditEvent event = new AuditEvent(kind, apiVersion, level, auditID, stage, requestURI, verb, user, impersonated,
                sourceIPs, userAgent, objectRef, status, raw(value, request), raw(value, response), received,
                stageTimestamp, annotations);
        return new Scanned(event, request, response);
    }

    private static com.fasterxml.jackson.databind.JsonNode raw(byte[] value, Span span) {
        return span == null ? null : RawJson.node(value, span.offset(), span.length());
    }

    private static Span span(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.START_OBJECT && v != JsonToken.START_ARRAY) {
            throw Unexpected.INSTANCE;
        }
        long start = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        long end = p.currentLocation().getByteOffset();
        if (start < 0 || end <= start) {
            throw Unexpected.INSTANCE;
        }
        return new Span((int) start, (int) (end - start));
    }

    private static String text(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        throw Unexpected.INSTANCE;
    }

    private static List<String> strings(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw Unexpected.INSTANCE;
        }
        List<String> out = new ArrayList<>(4);
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
            out.add(p.getText());
        }
        if (t != JsonToken.END_ARRAY) {
            throw Unexpected.INSTANCE;
        }
        return out;
    }

    private static void startObject(JsonToken v) {
        if (v != JsonToken.START_OBJECT) {
            throw Unexpected.INSTANCE;
        }
    }

    private static AuditEvent.UserInfo user(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        startObject(v);
        String username = null, uid = null;
        List<String> groups = null;
        Map<String, List<String>> extra = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken f = p.nextToken();
            switch (name) {
                case "username" -> username = text(p, f);
                case "uid" -> uid = text(p, f);
                case "groups" -> groups = f == JsonToken.VALUE_NULL ? null : strings(p, f);
                case "extra" -> extra = extra(p, f);
                default -> p.skipChildren();
            }
        }
        return new AuditEvent.UserInfo(username, uid, groups, extra);
    }

    private static Map<String, List<String>> extra(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        startObject(v);
        Map<String, List<String>> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken f = p.nextToken();
            out.put(name, f == JsonToken.VALUE_NULL ? null : strings(p, f));
        }
        return out;
    }

    private static AuditEvent.ObjectReference objectRef(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        startObject(v);
        String resource = null, namespace = null, name = null, uid = null, apiGroup = null, apiVersion = null;
        String resourceVersion = null, subresource = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken f = p.nextToken();
            switch (field) {
                case "resource" -> resource = text(p, f);
                case "namespace" -> namespace = text(p, f);
                case "name" -> name = text(p, f);
                case "uid" -> uid = text(p, f);
                case "apiGroup" -> apiGroup = text(p, f);
                case "apiVersion" -> apiVersion = text(p, f);
                case "resourceVersion" -> resourceVersion = text(p, f);
                case "subresource" -> subresource = text(p, f);
                default -> p.skipChildren();
            }
        }
        return new AuditEvent.ObjectReference(resource, namespace, name, uid, apiGroup, apiVersion, resourceVersion,
                subresource);
    }

    private static AuditEvent.ResponseStatus responseStatus(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        startObject(v);
        Integer code = null;
        String status = null, reason = null, message = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken f = p.nextToken();
            switch (field) {
                case "code" -> {
                    if (f == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                        code = p.getIntValue();
                    } else if (f == JsonToken.VALUE_NULL) {
                        code = null;
                    } else {
                        throw Unexpected.INSTANCE;
                    }
                }
                case "status" -> status = text(p, f);
                case "reason" -> reason = text(p, f);
                case "message" -> message = text(p, f);
                default -> p.skipChildren();
            }
        }
        return new AuditEvent.ResponseStatus(code, status, reason, message);
    }

    private static Map<String, String> annotations(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        startObject(v);
        Map<String, String> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken f = p.nextToken();
            if (f != JsonToken.VALUE_STRING) {
                throw Unexpected.INSTANCE;
            }
            out.put(name, p.getText());
        }
        return out;
    }
}
