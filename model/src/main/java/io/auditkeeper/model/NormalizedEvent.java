package io.auditkeeper.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * One audit event as the pipeline records it on {@code audit.events}: flat, named fields that a compliance officer can
 * query without knowing the apiserver's JSON, the PHI assessment, and the original event with secret values removed.
 * Versioned by {@link #SCHEMA_VERSION}; {@code docs/schema.md} documents every field. A field the apiserver did not
 * send stays absent (null), never invented.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schemaVersion", "cluster", "auditID", "stage", "level", "timestamp", "stageTimestamp", "verb",
        "requestURI", "actor", "user", "impersonatedUser", "sourceIPs", "userAgent", "objectRef", "responseCode",
        "decision", "reason", "receivedAt", "clockSkewSeconds", "client", "source", "phi", "redactions", "event"})
public record NormalizedEvent(
        int schemaVersion,
        String cluster,
        String auditID,
        String stage,
        String level,
        String timestamp,
        String stageTimestamp,
        String verb,
        String requestURI,
        String actor,
        User user,
        User impersonatedUser,
        List<String> sourceIPs,
        String userAgent,
        ObjectRef objectRef,
        Integer responseCode,
        String decision,
        String reason,
        String receivedAt,
        Long clockSkewSeconds,
        String client,
        Source source,
        Phi phi,
        List<String> redactions,
        JsonNode event) {

    public static final int SCHEMA_VERSION = 1;

    /** An identity as the apiserver authenticated it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record User(String username, String uid, List<String> groups) {
    }

    /** What the request was about. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ObjectRef(String resource, String subresource, String namespace, String name, String apiGroup,
                            String apiVersion) {
    }

    /** Where the raw record was on Kafka, so that any normalized record leads back to the bytes the apiserver sent. */
    public record Source(String topic, int partition, long offset) {
    }

    /**
     * The PHI assessment: whether the request's namespace holds PHI (or the request reaches into such namespaces),
     * whether any rule flagged it, which, and the highest severity among them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Phi(boolean namespace, boolean flagged, List<String> rules, String severity) {
    }
}
