package io.auditkeeper.notifier.deliver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.notifier.Severity;
import io.auditkeeper.notifier.config.AlertSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the records the stream-processor writes into {@link Notification}s: an alert (schema version 1 of
 * {@code audit.alerts}: {@code alertId}, {@code type}, {@code severity}, {@code cluster}, {@code actor},
 * {@code windowEnd}, {@code description}, ...) or a normalized event of {@code audit.phi-access} whose {@code phi}
 * names the rules that flagged it. The reader never guesses an id: a record without one is {@link Unreadable}.
 */
public final class NotificationReader {
    private static final ObjectMapper JSON = AuditJson.mapper();
    private static final int MAX_SUMMARY = 1000;

    /** A record this notifier cannot make a notification of; it goes to the dead-letter topic with the reason. */
    public static final class Unreadable extends Exception {
        public Unreadable(String message) {
            super(message);
        }
    }

    public Notification read(AlertSource source, byte[] value) throws Unreadable {
        JsonNode n;
        try {
            n = value == null ? null : JSON.readTree(value);
        } catch (IOException e) {
            throw new Unreadable("not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new Unreadable("not a JSON object");
        }
        return source == AlertSource.ALERTS ? alert(n, value) : flaggedRequest(n, value);
    }

    private static Notification alert(JsonNode n, byte[] value) throws Unreadable {
        String id = text(n, "alertId");
        if (id == null || id.isBlank()) {
            throw new Unreadable("an alert without alertId");
        }
        String type = Optional.ofNullable(text(n, "type")).orElse("alert");
        String cluster = text(n, "cluster");
        String actor = text(n, "actor");
        String description = Optional.ofNullable(text(n, "description")).orElse(actor + ": " + type);
        String summary = truncate(type + " in " + (cluster == null ? "an unnamed cluster" : cluster) + ": " + description);
        Map<String, Object> details = JSON.convertValue(n, JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class));
        return new Notification(AlertSource.ALERTS, id, type, Severity.of(text(n, "severity")), cluster, actor,
                Optional.ofNullable(text(n, "windowEnd")).orElse(text(n, "windowStart")), summary, details, value);
    }

    private static Notification flaggedRequest(JsonNode n, byte[] value) throws Unreadable {
        String auditId = text(n, "auditID");
        String cluster = text(n, "cluster");
        JsonNode phi = n.path("phi");
        if (auditId == null || cluster == null || !phi.path("flagged").asBoolean(false)) {
            throw new Unreadable("not a flagged request (cluster, auditID and phi.flagged)");
        }
        List<String> rules = new ArrayList<>();
        phi.path("rules").forEach(r -> rules.add(r.asText()));
        String actor = text(n, "actor");
        JsonNode ref = n.path("objectRef");
        String what = join(text(ref, "resource"), text(ref, "subresource"), "/");
        String object = join(text(ref, "namespace"), text(ref, "name"), "/");
        String summary = truncate("phi-access in " + cluster + ": " + actor + " " + Optional.ofNullable(text(n, "verb")).orElse("?")
                + (what == null ? "" : " " + what) + (object == null ? "" : " " + object)
                + " (" + (rules.isEmpty() ? "flagged" : String.join(", ", rules)) + ")");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("cluster", cluster);
        details.put("auditID", auditId);
        details.put("actor", actor);
        for (String f : List.of("verb", "requestURI", "timestamp", "decision")) {
            if (text(n, f) != null) {
                details.put(f, text(n, f));
            }
        }
        if (n.hasNonNull("responseCode")) {
            details.put("responseCode", n.get("responseCode").asInt());
        }
        if (ref.isObject()) {
            details.put("objectRef", JSON.convertValue(ref, Map.class));
        }
        details.put("rules", rules);
        details.put("severity", text(phi, "severity"));
        return new Notification(AlertSource.PHI_ACCESS, "phi-access/" + cluster + "/" + auditId, "phi-access",
                Severity.of(text(phi, "severity")), cluster, actor, text(n, "timestamp"), summary, details, value);
    }

    private static String join(String a, String b, String sep) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a + sep + b;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    private static String truncate(String s) {
        return s.length() <= MAX_SUMMARY ? s : s.substring(0, MAX_SUMMARY - 1) + "…";
    }
}
