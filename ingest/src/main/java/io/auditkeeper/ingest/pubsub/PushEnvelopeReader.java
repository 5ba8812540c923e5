package io.auditkeeper.ingest.pubsub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Reads a Pub/Sub push body, {@code {"message": {"data", "messageId", "publishTime", "attributes"}, "subscription"}}
 * (the default, wrapped payload), whose data is one Cloud Audit Logs {@code LogEntry} of a GKE cluster as a Cloud
 * Logging sink publishes it. The entry's bytes are kept exactly as decoded; only what ingest needs is read from them:
 * {@code insertId} and {@code timestamp} (the entry's identity), {@code resource.type} ({@code k8s_cluster}) and
 * {@code resource.labels} (the cluster, {@link GkeClusters}).
 */
public final class PushEnvelopeReader {
    static final String K8S_CLUSTER = "k8s_cluster";
    private static final Pattern PRINTABLE = Pattern.compile("[\\x20-\\x7e]{1,256}");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final GkeClusters clusters;

    public PushEnvelopeReader(GkeClusters clusters) {
        this.clusters = clusters;
    }

    /**
     * @throws InvalidPushException                  the body can never be an entry (kept in the dead-letter topic)
     * @throws GkeClusters.UnknownClusterException a GKE cluster {@code pubsub.gke.clusters} does not accept, or whose
     *                                             name is no valid cluster name (a change of settings lets it in)
     */
    public GkePush read(byte[] body, int length) throws InvalidPushException, GkeClusters.UnknownClusterException {
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
        JsonNode labels = resource.path("labels");
        String clusterName = text(labels.get("cluster_name"));
        if (clusterName == null) {
            throw new InvalidPushException(messageId, "message " + messageId + " has no resource.labels.cluster_name");
        }
        String cluster = clusters.clusterOf(text(labels.get("project_id")), text(labels.get("location")), clusterName);
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
