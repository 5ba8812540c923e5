package io.auditkeeper.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * A Kubernetes audit event ({@code audit.k8s.io/v1 Event}) as the apiserver sends it. Timestamps stay strings so that
 * an event with an odd timestamp still reads; fields that are absent stay {@code null}, nothing is invented.
 * Ingest does not use this type (it forwards the original bytes); downstream stages do.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AuditEvent(
        String kind,
        String apiVersion,
        String level,
        String auditID,
        String stage,
        String requestURI,
        String verb,
        UserInfo user,
        UserInfo impersonatedUser,
        List<String> sourceIPs,
        String userAgent,
        ObjectReference objectRef,
        ResponseStatus responseStatus,
        JsonNode requestObject,
        JsonNode responseObject,
        String requestReceivedTimestamp,
        String stageTimestamp,
        Map<String, String> annotations) {

    /** The stages an apiserver emits for one request, in the order they happen. */
    public static final List<String> STAGES = List.of("RequestReceived", "ResponseStarted", "ResponseComplete", "Panic");

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UserInfo(String username, String uid, List<String> groups, Map<String, List<String>> extra) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ObjectReference(String resource, String namespace, String name, String uid, String apiGroup,
                                  String apiVersion, String resourceVersion, String subresource) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ResponseStatus(Integer code, String status, String reason, String message) {
    }
}
