package io.auditkeeper.streams.alerts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * A detection over time on {@code audit.alerts}: who, what pattern, in which window, how many requests, and the
 * auditIDs behind it so that an investigator can pull each request from {@code audit.events} or the archive.
 * {@code alertId} is derived from the type, cluster, actor and the first request of the window, so a replay of the
 * same input yields the same id.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schemaVersion", "alertId", "type", "severity", "cluster", "actor", "windowStart", "windowEnd",
        "count", "threshold", "auditIDs", "namespaces", "description"})
public record Alert(int schemaVersion, String alertId, String type, String severity, String cluster, String actor,
                    String windowStart, String windowEnd, int count, int threshold, List<String> auditIDs,
                    List<String> namespaces, String description) {
    public static final int SCHEMA_VERSION = 1;
}
