package io.auditkeeper.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.regex.Pattern;

/**
 * Reads a GKE Cloud Audit Logs {@code LogEntry} (what ingest's Pub/Sub endpoint writes, format
 * {@code gke-log-entry}) as the {@code audit.k8s.io/v1} Event it records, so that dedupe, redaction, the PHI rules and
 * the alerts see it exactly as they see a webhook's event. Only what the entry says is carried over; what it does
 * not hold (groups, impersonation, requestURI, the exact HTTP status of a success, RequestReceived) stays absent.
 * The mapping, field by field, is in docs/managed-clusters.md.
 *
 * <p>The Event's {@code requestObject} and {@code responseObject} are the entry's own {@code protoPayload.request}
 * and {@code protoPayload.response} nodes, so that what redaction removes from the one, {@link #writeBack} puts into
 * the other.
 */
public final class GkeLogEntryTranslator {
    /** {@code io.k8s.<group parts>.<version>.<resource>[.<subresource>].<verb>}: the verb is the last part. */
    private static final Pattern METHOD = Pattern.compile("io\\.k8s\\.[A-Za-z0-9.-]+\\.[a-z]+");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]*");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private GkeLogEntryTranslator() {
    }

    /**
     * The Event the entry records.
     *
     * @param auditId the entry's identity, {@code <insertId>@<timestamp>}, as ingest keyed it
     * @throws UnmappableLogEntryException when the entry is no Kubernetes API call (its message says why, never
     *                                     quoting the entry)
     */
    public static ObjectNode toEvent(ObjectNode entry) throws UnmappableLogEntryException {
        String insertId = text(entry.get("insertId"));
        String timestamp = text(entry.get("timestamp"));
        if (insertId == null || timestamp == null) {
            throw new UnmappableLogEntryException("the entry has no insertId or timestamp");
        }
        JsonNode payload = entry.get("protoPayload");
        if (payload == null || !payload.isObject()) {
            throw new UnmappableLogEntryException("the entry has no protoPayload (an AuditLog)");
        }
        String method = text(payload.get("methodName"));
        if (method == null || !METHOD.matcher(method).matches()) {
            throw new UnmappableLogEntryException("protoPayload.methodName is not a Kubernetes API method"
                    + " (io.k8s.<group>.<version>.<resource>.<verb>)");
        }
        String principal = text(payload.path("authenticationInfo").get("principalEmail"));
        if (principal == null) {
            throw new UnmappableLogEntryException("the entry names no principal (authenticationInfo.principalEmail)");
        }
        ObjectNode objectRef = objectRef(text(payload.get("resourceName")));

        ObjectNode e = NODES.objectNode();
        e.put("kind", "Event");
        e.put("apiVersion", "audit.k8s.io/v1");
        JsonNode request = payload.get("request");
        JsonNode response = payload.get("response");
        e.put("level", response != null && !response.isNull() ? "RequestResponse"
                : request != null && !request.isNull() ? "Request" : "Metadata");
        e.put("auditID", entryId(insertId, timestamp));
        e.put("stage", "ResponseComplete");
        e.put("verb", method.substring(method.lastIndexOf('.') + 1));
        e.putObject("user").put("username", principal);
        String callerIp = text(payload.path("requestMetadata").get("callerIp"));
        if (callerIp != null) {
            e.putArray("sourceIPs").add(callerIp);
        }
        String agent = text(payload.path("requestMetadata").get("callerSuppliedUserAgent"));
        if (agent != null) {
            e.put("userAgent", agent);
        }
        e.set("objectRef", objectRef);
        ObjectNode status = e.putObject("responseStatus");
        JsonNode code = payload.path("status").get("code");
        status.put("code", httpStatus(code == null || !code.canConvertToInt() ? 0 : code.asInt()));
        String message = text(payload.path("status").get("message"));
        if (message != null) {
            status.put("message", message);
        }
        if (request != null && !request.isNull()) {
            e.set("requestObject", request);
        }
        if (response != null && !response.isNull()) {
            e.set("responseObject", response);
        }
        e.put("requestReceivedTimestamp", timestamp);
        e.put("stageTimestamp", timestamp);
        JsonNode authorization = payload.path("authorizationInfo").path(0).get("granted");
        if (authorization != null && authorization.isBoolean()) {
            e.putObject("annotations").put("authorization.k8s.io/decision", authorization.asBoolean() ? "allow" : "forbid");
        }
        return e;
    }

    /** The entry's identity: {@code <insertId>@<timestamp>}, the same as ingest's Kafka key for it. */
    public static String entryId(String insertId, String timestamp) {
        return insertId + "@" + timestamp;
    }

    /** Puts what redaction left of the Event's bodies back into the entry they came from. */
    public static void writeBack(ObjectNode event, ObjectNode entry) {
        ObjectNode payload = (ObjectNode) entry.get("protoPayload");
        if (event.has("requestObject")) {
            payload.set("request", event.get("requestObject"));
        }
        if (event.has("responseObject")) {
            payload.set("response", event.get("responseObject"));
        }
    }

    /**
     * {@code resourceName}, {@code <group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]}, with
     * {@code core} for the core group.
     */
    static ObjectNode objectRef(String resourceName) throws UnmappableLogEntryException {
        if (resourceName == null) {
            throw new UnmappableLogEntryException("the entry has no protoPayload.resourceName");
        }
        String[] s = resourceName.split("/", -1);
        for (String part : s) {
            if (!SEGMENT.matcher(part).matches()) {
                throw new UnmappableLogEntryException("protoPayload.resourceName is not <group>/<version>/...");
            }
        }
        if (s.length < 3) {
            throw new UnmappableLogEntryException("protoPayload.resourceName names no resource");
        }
        ObjectNode ref = NODES.objectNode();
        int i = 2;
        String namespace = null;
        if (s[2].equals("namespaces") && s.length >= 5) {
            namespace = s[3];
            i = 4;
        }
        ref.put("resource", s[i]);
        if (namespace != null) {
            ref.put("namespace", namespace);
        }
        if (i + 1 < s.length) {
            ref.put("name", s[i + 1]);
        }
        if (i + 2 < s.length) {
            ref.put("subresource", s[i + 2]);
        }
        if (i + 3 < s.length) {
            throw new UnmappableLogEntryException("protoPayload.resourceName has more parts than a Kubernetes resource");
        }
        ref.put("apiGroup", s[0].equals("core") ? "" : s[0]);
        ref.put("apiVersion", s[1]);
        return ref;
    }

    /** The HTTP status a gRPC status code stands for (google.rpc.Code's documented mapping); 0 (OK) is 200. */
    static int httpStatus(int grpc) {
        return switch (grpc) {
            case 0 -> 200;
            case 1 -> 499;
            case 3, 9, 11 -> 400;
            case 4 -> 504;
            case 5 -> 404;
            case 6, 10 -> 409;
            case 7 -> 403;
            case 8 -> 429;
            case 12 -> 501;
            case 14 -> 503;
            case 16 -> 401;
            default -> 500;
        };
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
    }

    /** A LogEntry that does not record a Kubernetes API call; the message never quotes it. */
    public static final class UnmappableLogEntryException extends Exception {
        public UnmappableLogEntryException(String message) {
            super(message, null, false, false);
        }
    }
}
