package io.auditkeeper.streams.alerts;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** The few fields of a flagged request (from {@code audit.phi-access}) that the detections look at. */
public record FlaggedRequest(String cluster, String actor, String auditId, long timestamp, List<String> rules,
                             String namespace, String resourceName) {

    /** Reads a normalized event; null if it lacks what a detection needs (an actor and an auditID). */
    public static FlaggedRequest from(JsonNode e, long timestamp) {
        String actor = text(e, "actor");
        String auditId = text(e, "auditID");
        if (actor == null || auditId == null) {
            return null;
        }
        List<String> rules = new ArrayList<>();
        e.path("phi").path("rules").forEach(r -> rules.add(r.asText()));
        JsonNode ref = e.path("objectRef");
        return new FlaggedRequest(text(e, "cluster"), actor, auditId, timestamp, rules,
                ref.hasNonNull("namespace") ? ref.get("namespace").asText() : null,
                ref.hasNonNull("name") ? ref.get("name").asText() : null);
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}
