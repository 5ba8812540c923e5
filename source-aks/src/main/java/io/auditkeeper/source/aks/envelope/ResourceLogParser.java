package io.auditkeeper.source.aks.envelope;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.auditkeeper.model.DeadLetterReason;
import io.auditkeeper.source.aks.envelope.ResourceLogMessage.AuditRecord;
import io.auditkeeper.source.aks.envelope.ResourceLogMessage.Rejected;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Unwraps Azure Monitor's resource-log envelope as AKS's diagnostic setting writes it to an event hub:
 * {@code {"records":[{"time", "resourceId", "category", "operationName", "properties":{"log":"<Event JSON>", ...}}]}}.
 * Each record of an audit category yields the Event text of its {@code properties.log}, kept as Azure delivered it
 * (only the log line's newline is cut), so that what reaches {@code audit.raw} is the apiserver's own event; records
 * of other categories (a diagnostic setting may also send {@code kube-apiserver} or {@code guard} to the same hub) are
 * passed over. What cannot be read goes to the dead-letter topic with a reason, the message's other records going on.
 */
public final class ResourceLogParser {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Set<String> auditCategories;
    private final ClusterResolver clusters;

    public ResourceLogParser(Set<String> auditCategories, ClusterResolver clusters) {
        this.auditCategories = Set.copyOf(auditCategories);
        this.clusters = clusters;
    }

    public ResourceLogMessage parse(byte[] message) {
        List<AuditRecord> events = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        JsonNode root;
        try {
            root = message == null ? null : JSON.readTree(message);
        } catch (IOException e) {
            root = null;
        }
        if (root == null || root.isMissingNode()) {
            rejected.add(new Rejected(-1, DeadLetterReason.MALFORMED_JSON, "the message is not valid JSON",
                    message == null ? new byte[0] : message));
            return new ResourceLogMessage(events, rejected, skipped);
        }
        JsonNode records = root.get("records");
        if (!root.isObject() || records == null || !records.isArray()) {
            rejected.add(new Rejected(-1, DeadLetterReason.NOT_A_RESOURCE_LOG,
                    "the message is JSON but has no \"records\" array", message));
            return new ResourceLogMessage(events, rejected, skipped);
        }
        for (int i = 0; i < records.size(); i++) {
            JsonNode record = records.get(i);
            if (!record.isObject()) {
                rejected.add(new Rejected(i, DeadLetterReason.NOT_A_RESOURCE_LOG,
                        "record " + i + " is not a JSON object", bytes(record)));
                continue;
            }
            String category = text(record, "category");
            if (category == null || !auditCategories.contains(category)) {
                skipped.add(category == null ? "" : category);
                continue;
            }
            JsonNode log = record.path("properties").get("log");
            if (log == null || !log.isTextual()) {
                rejected.add(new Rejected(i, DeadLetterReason.NOT_A_RESOURCE_LOG,
                        "record " + i + " (" + category + ") has no properties.log string", bytes(record)));
                continue;
            }
            String eventText = withoutLineEnd(log.asText());
            JsonNode event;
            try {
                event = JSON.readTree(eventText);
            } catch (JsonProcessingException e) {
                event = null;
            }
            if (event == null || event.isMissingNode()) {
                rejected.add(new Rejected(i, DeadLetterReason.UNPARSEABLE_EVENT,
                        "record " + i + ": properties.log is not valid JSON", bytes(record)));
                continue;
            }
            String apiVersion = text(event, "apiVersion");
            if (!event.isObject() || !"Event".equals(text(event, "kind"))
                    || apiVersion == null || !apiVersion.startsWith("audit.k8s.io/")) {
                rejected.add(new Rejected(i, DeadLetterReason.NOT_AN_AUDIT_EVENT,
                        "record " + i + ": properties.log is not an audit.k8s.io Event", bytes(record)));
                continue;
            }
            String auditID = text(event, "auditID");
            if (auditID == null || auditID.isEmpty()) {
                rejected.add(new Rejected(i, DeadLetterReason.MISSING_AUDIT_ID,
                        "record " + i + ": the Event has no auditID", bytes(record)));
                continue;
            }
            String stage = text(event, "stage");
            if (stage == null || stage.isEmpty()) {
                rejected.add(new Rejected(i, DeadLetterReason.MISSING_STAGE,
                        "record " + i + ": the Event " + auditID + " has no stage", bytes(record)));
                continue;
            }
            String resourceId = text(record, "resourceId");
            var cluster = clusters.clusterOf(resourceId);
            if (cluster.isEmpty()) {
                rejected.add(new Rejected(i, DeadLetterReason.UNKNOWN_CLUSTER, "record " + i + ": resourceId "
                        + (resourceId == null ? "(none)" : "'" + resourceId + "'")
                        + " names no managed cluster with a valid name, and no cluster.mapping entry names it",
                        bytes(record)));
                continue;
            }
            events.add(new AuditRecord(i, cluster.get(), auditID, stage, eventText.getBytes(StandardCharsets.UTF_8)));
        }
        return new ResourceLogMessage(events, rejected, skipped);
    }

    private static String withoutLineEnd(String log) {
        int end = log.length();
        while (end > 0 && (log.charAt(end - 1) == '\n' || log.charAt(end - 1) == '\r')) {
            end--;
        }
        return log.substring(0, end);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree could not be written", e);
        }
    }
}
