package io.auditkeeper.ingest.pubsub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.model.ClusterNames;

import java.io.IOException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Reads a Pub/Sub push body, {@code {"message": {"data", "messageId", "publishTime", "attributes"}, "subscription"}}
 * (the default, wrapped payload), whose data is one Cloud Audit Logs {@code LogEntry} of a GKE cluster as a Cloud
 * Logging sink publishes it. The entry's bytes are kept exactly as decoded; only what ingest needs is read from them:
 * {@code insertId} and {@code timestamp} (the entry's identity), {@code resource.type} ({@code k8s_cluster}) and
 * {@code resource.labels.cluster_name} (the cluster, which must be a valid cluster name).
 */
public final class PushEnvelopeReader {
    static final String K8S_CLUSTER = "k8s_cluster";
    private static final Pattern PRINTABLE = Pattern.compile("[\\x20-\\x7e]{1,256}");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public GkePush read(byte[] body, int length) throws InvalidPushException {
        JsonNode envelope = object(body, length, "the body");
        JsonNode message = envelope.get("message");
        if (message == null || !message.isObject()) {
            throw new InvalidPushException("the body is not a Pub/Sub push envelope ({\"message\": {...}, \"subscription\"})");
        }
        String messageId = message.path("messageId").asText("");
        if (!PRINTABLE.matcher(messageId).matches()) {
            throw new InvalidPushException("the push message has no messageId");
        }
        JsonNode data = message.get("data");
        if (data == null || !data.isTextual() || data.asText().isEmpty()) {
            throw new InvalidPushException(messageId, "message " + messageId + " has no data (a wrapped payload is expected,"
                    + " not --push-no-wrapper)");
        }
        byte[] entry;
        try {
            entry = Base64.getDecoder().decode(data.asText());
        } catch (IllegalArgumentException e) {
            throw new InvalidPushException(messageId, "message " + messageId + "'s data is not valid base64");
        }
        JsonNode logEntry = object(entry, entry.length, messageId, "message " + messageId + "'s data");
        String insertId = text(logEntry.get("insertId"));
        String timestamp = text(logEntry.get("timestamp"));
        if (insertId == null || timestamp == null) {
            throw new InvalidPushException(messageId, "message " + messageId + " is not a LogEntry with an insertId and a timestamp");
        }
        JsonNode resource = logEntry.path("resource");
        if (!K8S_CLUSTER.equals(resource.path("type").asText())) {
            throw new InvalidPushException(messageId, "message " + messageId + " is not a GKE cluster's log entry (resource.type is not "
                    + K8S_CLUSTER + ")");
        }
        String cluster = text(resource.path("labels").get("cluster_name"));
        if (cluster == null || !ClusterNames.isValid(cluster)) {
            throw new InvalidPushException(messageId, "message " + messageId + "'s resource.labels.cluster_name is missing or not"
                    + " a valid cluster name (" + ClusterNames.RULE + ")");
        }
        return new GkePush(messageId, entry, entryId(insertId, timestamp), cluster);
    }

    /** {@code <insertId>@<timestamp>}: what Cloud Logging itself treats as one entry (same timestamp and insertId). */
    public static String entryId(String insertId, String timestamp) {
        return insertId + "@" + timestamp;
    }

    private static JsonNode object(byte[] bytes, int length, String what) throws InvalidPushException {
        return object(bytes, length, null, what);
    }

    private static JsonNode object(byte[] bytes, int length, String messageId, String what) throws InvalidPushException {
        try {
            JsonNode node = MAPPER.readTree(bytes, 0, length);
            if (node == null || !node.isObject()) {
                throw new InvalidPushException(messageId, what + " is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidPushException(messageId, what + " is not valid JSON");
        } catch (IOException e) {
            throw new InvalidPushException(messageId, what + " does not read");
        }
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() && PRINTABLE.matcher(node.asText()).matches() ? node.asText() : null;
    }
}
