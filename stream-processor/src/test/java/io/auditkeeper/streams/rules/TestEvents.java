package io.auditkeeper.streams.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.model.AuditEvent;
import io.auditkeeper.model.AuditJson;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds the audit events the corpus lacks: one request, ResponseComplete, as a kube-apiserver records it. */
final class TestEvents {
    private String verb = "get";
    private String resource;
    private String subresource;
    private String namespace;
    private String name;
    private String apiGroup;
    private String requestURI = "/api/v1";
    private String username = "alice@example.org";
    private List<String> groups = List.of("system:authenticated");
    private AuditEvent.UserInfo impersonated;
    private Integer code = 200;
    private final Map<String, String> annotations = new HashMap<>(Map.of("authorization.k8s.io/decision", "allow"));
    private JsonNode requestObject;

    private TestEvents() {
    }

    /** A resource request: {@code resource} may be {@code resource/subresource}. */
    static TestEvents request(String verb, String resource) {
        TestEvents b = new TestEvents();
        b.verb = verb;
        int slash = resource.indexOf('/');
        b.resource = slash < 0 ? resource : resource.substring(0, slash);
        b.subresource = slash < 0 ? null : resource.substring(slash + 1);
        return b;
    }

    /** A non-resource request such as {@code GET /livez}. */
    static TestEvents nonResource(String verb, String path) {
        TestEvents b = new TestEvents();
        b.verb = verb;
        b.requestURI = path;
        return b;
    }

    TestEvents in(String namespace) {
        this.namespace = namespace;
        return this;
    }

    TestEvents named(String name) {
        this.name = name;
        return this;
    }

    TestEvents group(String apiGroup) {
        this.apiGroup = apiGroup;
        return this;
    }

    TestEvents by(String username, String... groups) {
        this.username = username;
        this.groups = List.of(groups);
        return this;
    }

    TestEvents as(String impersonatedUser) {
        this.impersonated = new AuditEvent.UserInfo(impersonatedUser, null, List.of("system:authenticated"), null);
        return this;
    }

    TestEvents code(Integer code) {
        this.code = code;
        return this;
    }

    TestEvents decision(String decision) {
        annotations.put("authorization.k8s.io/decision", decision);
        return this;
    }

    TestEvents body(String json) {
        try {
            this.requestObject = AuditJson.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        return this;
    }

    AuditEvent build() {
        AuditEvent.ObjectReference ref = resource == null ? null
                : new AuditEvent.ObjectReference(resource, namespace, name, null, apiGroup,
                "v1", null, subresource);
        String uri = resource == null ? requestURI : "/api/v1/" + (namespace == null ? "" : "namespaces/" + namespace
                + "/") + resource + (name == null ? "" : "/" + name) + (subresource == null ? "" : "/" + subresource);
        return new AuditEvent("Event", "audit.k8s.io/v1", requestObject == null ? "Metadata" : "Request",
                "4f6a3a5e-0d6b-4b3e-9f39-" + String.format("%012d", Math.abs((long) uri.hashCode())),
                "ResponseComplete", uri, verb,
                new AuditEvent.UserInfo(username, null, groups, null), impersonated, List.of("10.0.0.7"),
                "kubectl/v1.31.0", ref,
                code == null ? null : new AuditEvent.ResponseStatus(code, null, null, null),
                requestObject, null, "2025-03-01T10:00:00.000000Z", "2025-03-01T10:00:00.010000Z",
                Map.copyOf(annotations));
    }
}
