package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.model.AuditJson;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Which normalized events (docs/schema.md) an investigation wants: by cluster, namespace ({@code objectRef.namespace}),
 * actor, verb, resource ({@code objectRef.resource}) and PHI rule id ({@code phi.rules}). Values of one criterion are
 * alternatives, criteria must all hold; an empty criterion does not filter. Matching is exact, as the values are
 * identifiers, not text. A record that is not JSON matches only a filter with no criteria, so that an unfiltered
 * replay copies a topic whole.
 */
public record EventFilter(Set<String> clusters, Set<String> namespaces, Set<String> actors, Set<String> verbs,
                          Set<String> resources, Set<String> rules) {
    public EventFilter {
        clusters = Set.copyOf(clusters);
        namespaces = Set.copyOf(namespaces);
        actors = Set.copyOf(actors);
        verbs = Set.copyOf(verbs);
        resources = Set.copyOf(resources);
        rules = Set.copyOf(rules);
    }

    public static EventFilter none() {
        return new EventFilter(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of());
    }

    public boolean isEmpty() {
        return clusters.isEmpty() && namespaces.isEmpty() && actors.isEmpty() && verbs.isEmpty()
                && resources.isEmpty() && rules.isEmpty();
    }

    /** Whether the record value, a normalized event in UTF-8 JSON, is wanted. */
    public boolean matches(byte[] value) {
        if (isEmpty()) {
            return true;
        }
        if (value == null) {
            return false;
        }
        JsonNode event;
        try {
            event = AuditJson.mapper().readTree(value);
        } catch (IOException e) {
            return false;
        }
        return matches(event);
    }

    /** Whether the already parsed event is wanted (callers that read the event anyway parse it only once). */
    public boolean matches(JsonNode event) {
        if (isEmpty()) {
            return true;
        }
        if (event == null || !event.isObject()) {
            return false;
        }
        return wanted(clusters, event.path("cluster"))
                && wanted(namespaces, event.path("objectRef").path("namespace"))
                && wanted(actors, event.path("actor"))
                && wanted(verbs, event.path("verb"))
                && wanted(resources, event.path("objectRef").path("resource"))
                && anyRule(event.path("phi").path("rules"));
    }

    private static boolean wanted(Set<String> values, JsonNode field) {
        return values.isEmpty() || (field.isTextual() && values.contains(field.asText()));
    }

    private boolean anyRule(JsonNode ids) {
        if (rules.isEmpty()) {
            return true;
        }
        if (!ids.isArray()) {
            return false;
        }
        for (JsonNode id : ids) {
            if (id.isTextual() && rules.contains(id.asText())) {
                return true;
            }
        }
        return false;
    }

    static Set<String> of(List<String> values) {
        return values == null ? Set.of() : Set.copyOf(values);
    }
}
