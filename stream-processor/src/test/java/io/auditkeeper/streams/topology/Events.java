package io.auditkeeper.streams.topology;

import java.nio.charset.StandardCharsets;

/** Audit events as an apiserver writes them, for the cases the corpus lacks. */
final class Events {
    private Events() {
    }

    static String event(String auditId, String stage, String verb, String resource, String subresource, String namespace,
                        String name, String user, Integer code, String extra) {
        StringBuilder sb = new StringBuilder("{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\",");
        sb.append("\"auditID\":\"").append(auditId).append("\",\"stage\":\"").append(stage).append("\",");
        String path = "/api/v1" + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + resource
                + (name == null ? "" : "/" + name) + (subresource == null ? "" : "/" + subresource);
        sb.append("\"requestURI\":\"").append(path).append("\",\"verb\":\"").append(verb).append("\",");
        sb.append("\"user\":{\"username\":\"").append(user).append("\",\"groups\":[\"system:authenticated\"]},");
        sb.append("\"sourceIPs\":[\"10.1.2.3\"],\"userAgent\":\"kubectl/v1.29.0\",");
        sb.append("\"objectRef\":{\"resource\":\"").append(resource).append("\"");
        if (namespace != null) {
            sb.append(",\"namespace\":\"").append(namespace).append("\"");
        }
        if (name != null) {
            sb.append(",\"name\":\"").append(name).append("\"");
        }
        if (subresource != null) {
            sb.append(",\"subresource\":\"").append(subresource).append("\"");
        }
        sb.append(",\"apiVersion\":\"v1\"},");
        if (code != null) {
            sb.append("\"responseStatus\":{\"metadata\":{},\"code\":").append(code).append("},");
        }
        if (extra != null) {
            sb.append(extra).append(",");
        }
        sb.append("\"requestReceivedTimestamp\":\"2026-11-27T10:00:00.000001Z\",\"stageTimestamp\":\"2026-11-27T10:00:00.000900Z\",");
        sb.append("\"annotations\":{\"authorization.k8s.io/decision\":\"allow\",\"authorization.k8s.io/reason\":\"RBAC: allowed\"}}");
        return sb.toString();
    }

    static String secretGet(String auditId, String stage, String namespace) {
        return event(auditId, stage, "get", "secrets", null, namespace, "db-password", "jane@example.org",
                stage.equals("RequestReceived") ? null : 200, null);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
