package io.auditkeeper.streams.normalize;

import io.auditkeeper.model.json.JsonByteCursor;
import io.auditkeeper.model.AuditEvent;
import io.auditkeeper.model.RawJson;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an {@link AuditEvent} from the raw bytes of one event, without building a tree. Why: at the Request and
 * RequestResponse levels the request and response bodies are most of an event's bytes, yet most events need nothing
 * from them. Here the bodies are checked (so malformed JSON is still caught) and skipped by a {@link JsonByteCursor},
 * and come back as {@link RawJson} slices of the input with their {@link Span}s, for the caller to parse only when it
 * must.
 *
 * <p>The scan covers the shape the apiserver writes, in the JSON the cursor takes. Anything else (a field of another
 * JSON type than expected, a scalar body, content after the event, invalid JSON, an escaped field name) makes
 * {@link #scan} answer {@code null}, and the caller reads the event the slow way with {@link AuditEventReader}, so
 * both ways give the same result for every input.
 */
public final class AuditEventScanner {
    /** The place of a body in the event's bytes. */
    public record Span(int offset, int length) {
    }

    /** The event with its bodies as raw slices, and where those bodies are; a span is null when its body is absent. */
    public record Scanned(AuditEvent event, Span requestObject, Span responseObject) {
    }

    private static final byte[] KIND = ascii("kind");
    private static final byte[] API_VERSION = ascii("apiVersion");
    private static final byte[] LEVEL = ascii("level");
    private static final byte[] AUDIT_ID = ascii("auditID");
    private static final byte[] STAGE = ascii("stage");
    private static final byte[] REQUEST_URI = ascii("requestURI");
    private static final byte[] VERB = ascii("verb");
    private static final byte[] USER_AGENT = ascii("userAgent");
    private static final byte[] RECEIVED = ascii("requestReceivedTimestamp");
    private static final byte[] STAGE_TIMESTAMP = ascii("stageTimestamp");
    private static final byte[] USER = ascii("user");
    private static final byte[] IMPERSONATED = ascii("impersonatedUser");
    private static final byte[] SOURCE_IPS = ascii("sourceIPs");
    private static final byte[] OBJECT_REF = ascii("objectRef");
    private static final byte[] RESPONSE_STATUS = ascii("responseStatus");
    private static final byte[] ANNOTATIONS = ascii("annotations");
    private static final byte[] REQUEST_OBJECT = ascii("requestObject");
    private static final byte[] RESPONSE_OBJECT = ascii("responseObject");
    private static final byte[] USERNAME = ascii("username");
    private static final byte[] UID = ascii("uid");
    private static final byte[] GROUPS = ascii("groups");
    private static final byte[] EXTRA = ascii("extra");
    private static final byte[] RESOURCE = ascii("resource");
    private static final byte[] NAMESPACE = ascii("namespace");
    private static final byte[] NAME = ascii("name");
    private static final byte[] API_GROUP = ascii("apiGroup");
    private static final byte[] RESOURCE_VERSION = ascii("resourceVersion");
    private static final byte[] SUBRESOURCE = ascii("subresource");
    private static final byte[] CODE = ascii("code");
    private static final byte[] STATUS = ascii("status");
    private static final byte[] REASON = ascii("reason");
    private static final byte[] MESSAGE = ascii("message");

    private AuditEventScanner() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The event, or {@code null} when it must be read from a tree instead. */
    public static Scanned scan(byte[] value) {
        if (value == null || value.length == 0) {
            return null;
        }
        try {
            return scan(new JsonByteCursor(value, 0, value.length), value);
        } catch (RuntimeException e) {
            // the cursor's refusal, or a bound it did not foresee: either way, the tree reader decides
            return null;
        }
    }

    private static Scanned scan(JsonByteCursor in, byte[] value) {
        in.expect('{');
        String kind = null, apiVersion = null, level = null, auditID = null, stage = null, requestURI = null;
        String verb = null, userAgent = null, received = null, stageTimestamp = null;
        AuditEvent.UserInfo user = null, impersonated = null;
        List<String> sourceIPs = null;
        AuditEvent.ObjectReference objectRef = null;
        AuditEvent.ResponseStatus status = null;
        Map<String, String> annotations = null;
        Span request = null, response = null;
        if (!in.consume('}')) {
            do {
                in.name();
                if (in.nameIs(KIND)) {
                    kind = in.textOrNull();
                } else if (in.nameIs(API_VERSION)) {
                    apiVersion = in.textOrNull();
                } else if (in.nameIs(LEVEL)) {
                    level = in.textOrNull();
                } else if (in.nameIs(AUDIT_ID)) {
                    auditID = in.textOrNull();
                } else if (in.nameIs(STAGE)) {
                    stage = in.textOrNull();
                } else if (in.nameIs(REQUEST_URI)) {
                    requestURI = in.textOrNull();
                } else if (in.nameIs(VERB)) {
                    verb = in.textOrNull();
                } else if (in.nameIs(USER_AGENT)) {
                    userAgent = in.textOrNull();
                } else if (in.nameIs(RECEIVED)) {
                    received = in.textOrNull();
                } else if (in.nameIs(STAGE_TIMESTAMP)) {
                    stageTimestamp = in.textOrNull();
                } else if (in.nameIs(USER)) {
                    user = user(in);
                } else if (in.nameIs(IMPERSONATED)) {
                    impersonated = user(in);
                } else if (in.nameIs(SOURCE_IPS)) {
                    sourceIPs = in.consumeNull() ? null : strings(in);
                } else if (in.nameIs(OBJECT_REF)) {
                    objectRef = objectRef(in);
                } else if (in.nameIs(RESPONSE_STATUS)) {
                    status = responseStatus(in);
                } else if (in.nameIs(ANNOTATIONS)) {
                    annotations = annotations(in);
                } else if (in.nameIs(REQUEST_OBJECT)) {
                    request = span(in);
                } else if (in.nameIs(RESPONSE_OBJECT)) {
                    response = span(in);
                } else {
                    in.skipValue(1);
                }
            } while (in.consume(','));
            in.expect('}');
        }
        if (!in.atEnd()) {
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

    private static Span span(JsonByteCursor in) {
        if (in.consumeNull()) {
            return null;
        }
        int c = in.peek();
        if (c != '{' && c != '[') {
            throw JsonByteCursor.fail();
        }
        int start = in.skipValue(1);
        return new Span(start, in.position() - start);
    }

    private static List<String> strings(JsonByteCursor in) {
        in.expect('[');
        List<String> out = new ArrayList<>(4);
        if (!in.consume(']')) {
            do {
                out.add(in.text());
            } while (in.consume(','));
            in.expect(']');
        }
        return out;
    }

    /** Starts an object that may be null: false when it was null. */
    private static boolean object(JsonByteCursor in) {
        if (in.consumeNull()) {
            return false;
        }
        in.expect('{');
        return true;
    }

    private static AuditEvent.UserInfo user(JsonByteCursor in) {
        if (!object(in)) {
            return null;
        }
        String username = null, uid = null;
        List<String> groups = null;
        Map<String, List<String>> extra = null;
        if (!in.consume('}')) {
            do {
                in.name();
                if (in.nameIs(USERNAME)) {
                    username = in.textOrNull();
                } else if (in.nameIs(UID)) {
                    uid = in.textOrNull();
                } else if (in.nameIs(GROUPS)) {
                    groups = in.consumeNull() ? null : strings(in);
                } else if (in.nameIs(EXTRA)) {
                    extra = extra(in);
                } else {
                    in.skipValue(2);
                }
            } while (in.consume(','));
            in.expect('}');
        }
        return new AuditEvent.UserInfo(username, uid, groups, extra);
    }

    private static Map<String, List<String>> extra(JsonByteCursor in) {
        if (!object(in)) {
            return null;
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (!in.consume('}')) {
            do {
                in.name();
                String key = in.nameText();
                out.put(key, in.consumeNull() ? null : strings(in));
            } while (in.consume(','));
            in.expect('}');
        }
        return out;
    }

    private static AuditEvent.ObjectReference objectRef(JsonByteCursor in) {
        if (!object(in)) {
            return null;
        }
        String resource = null, namespace = null, name = null, uid = null, apiGroup = null, apiVersion = null;
        String resourceVersion = null, subresource = null;
        if (!in.consume('}')) {
            do {
                in.name();
                if (in.nameIs(RESOURCE)) {
                    resource = in.textOrNull();
                } else if (in.nameIs(NAMESPACE)) {
                    namespace = in.textOrNull();
                } else if (in.nameIs(NAME)) {
                    name = in.textOrNull();
                } else if (in.nameIs(UID)) {
                    uid = in.textOrNull();
                } else if (in.nameIs(API_GROUP)) {
                    apiGroup = in.textOrNull();
                } else if (in.nameIs(API_VERSION)) {
                    apiVersion = in.textOrNull();
                } else if (in.nameIs(RESOURCE_VERSION)) {
                    resourceVersion = in.textOrNull();
                } else if (in.nameIs(SUBRESOURCE)) {
                    subresource = in.textOrNull();
                } else {
                    in.skipValue(2);
                }
            } while (in.consume(','));
            in.expect('}');
        }
        return new AuditEvent.ObjectReference(resource, namespace, name, uid, apiGroup, apiVersion, resourceVersion,
                subresource);
    }

    private static AuditEvent.ResponseStatus responseStatus(JsonByteCursor in) {
        if (!object(in)) {
            return null;
        }
        Integer code = null;
        String status = null, reason = null, message = null;
        if (!in.consume('}')) {
            do {
                in.name();
                if (in.nameIs(CODE)) {
                    code = in.consumeNull() ? null : in.intValue();
                } else if (in.nameIs(STATUS)) {
                    status = in.textOrNull();
                } else if (in.nameIs(REASON)) {
                    reason = in.textOrNull();
                } else if (in.nameIs(MESSAGE)) {
                    message = in.textOrNull();
                } else {
                    in.skipValue(2);
                }
            } while (in.consume(','));
            in.expect('}');
        }
        return new AuditEvent.ResponseStatus(code, status, reason, message);
    }

    private static Map<String, String> annotations(JsonByteCursor in) {
        if (!object(in)) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (!in.consume('}')) {
            do {
                in.name();
                String key = in.nameText();
                out.put(key, in.text());
            } while (in.consume(','));
            in.expect('}');
        }
        return out;
    }
}
