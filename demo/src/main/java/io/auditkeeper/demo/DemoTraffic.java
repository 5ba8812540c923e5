package io.auditkeeper.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Synthetic audit events for the demo's PHI namespaces (the real corpus holds none): ordinary work by a clinician's
 * app, and the suspicious patterns the rules and alerts exist for — a secret enumeration, exec into a PHI pod, a
 * burst of denied requests, an RBAC grant, a privileged pod, and a secret created with values that must be redacted.
 * All names are invented.
 */
final class DemoTraffic {
    static final List<String> PHI_NAMESPACES = List.of("phi-records", "phi-imaging");

    private final Instant now;

    DemoTraffic(Instant now) {
        this.now = now;
    }

    /** One EventList body with every stage an apiserver would send for these requests. */
    byte[] eventList() {
        ArrayNode items = AuditJson.mapper().createArrayNode();
        int t = 0;
        items.addAll(request("get", "pods", null, "phi-records", "ehr-api-0", "system:serviceaccount:phi-records:ehr-api", 200, null, t++));
        items.addAll(request("get", "secrets", null, "phi-records", "ehr-db-credentials", "dr.ana@clinic.example", 200, null, t++));
        for (int i = 0; i < 12; i++) {
            items.addAll(request("get", "secrets", null, i % 2 == 0 ? "phi-records" : "phi-imaging", "secret-" + i,
                    "mallory@contractor.example", 200, null, t++));
        }
        items.addAll(request("list", "secrets", null, null, null, "mallory@contractor.example", 200, null, t++));
        items.addAll(longRunning("create", "pods", "exec", "phi-records", "ehr-db-0", "ops.bob@clinic.example", t++));
        for (int i = 0; i < 22; i++) {
            items.addAll(request("get", "secrets", null, "phi-imaging", "pacs-key-" + i,
                    "system:serviceaccount:default:scanner", 403, null, t++));
        }
        ObjectNode binding = obj("{\"kind\":\"RoleBinding\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
                + "\"metadata\":{\"name\":\"contractor-edit\",\"namespace\":\"phi-records\"},"
                + "\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"edit\"},"
                + "\"subjects\":[{\"kind\":\"User\",\"name\":\"mallory@contractor.example\"}]}");
        items.addAll(request("create", "rolebindings", null, "phi-records", "contractor-edit", "admin@clinic.example", 201, binding, t++));
        ObjectNode pod = obj("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"debug\",\"namespace\":\"phi-imaging\"},"
                + "\"spec\":{\"hostPID\":true,\"containers\":[{\"name\":\"sh\",\"image\":\"busybox\","
                + "\"securityContext\":{\"privileged\":true}}]}}");
        items.addAll(request("create", "pods", null, "phi-imaging", "debug", "ops.bob@clinic.example", 201, pod, t++));
        ObjectNode secret = obj("{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"pacs-api\",\"namespace\":\"phi-imaging\"},"
                + "\"type\":\"Opaque\",\"data\":{\"password\":\"ZGVtby1ub3QtYS1yZWFsLXBhc3N3b3Jk\"}}");
        items.addAll(request("create", "secrets", null, "phi-imaging", "pacs-api", "admin@clinic.example", 201, secret, t++));
        items.addAll(request("get", "configmaps", null, "default", "app-settings", "dr.ana@clinic.example", 200, null, t));
        ObjectNode list = AuditJson.mapper().createObjectNode();
        list.put("kind", "EventList");
        list.put("apiVersion", "audit.k8s.io/v1");
        list.set("items", items);
        try {
            return AuditJson.mapper().writeValueAsBytes(list);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** RequestReceived and ResponseComplete of an ordinary request. */
    private List<ObjectNode> request(String verb, String resource, String sub, String ns, String name, String user,
                                     int code, ObjectNode body, int offsetSeconds) {
        String id = UUID.randomUUID().toString();
        ObjectNode received = base(id, "RequestReceived", verb, resource, sub, ns, name, user, offsetSeconds);
        ObjectNode complete = base(id, "ResponseComplete", verb, resource, sub, ns, name, user, offsetSeconds);
        complete.put("stageTimestamp", stageTime(offsetSeconds, 12_000));
        complete.putObject("responseStatus").put("code", code);
        ObjectNode annotations = complete.putObject("annotations");
        annotations.put("authorization.k8s.io/decision", code == 403 ? "forbid" : "allow");
        annotations.put("authorization.k8s.io/reason", code == 403 ? "" : "RBAC: allowed by RoleBinding");
        if (body != null) {
            received.put("level", "RequestResponse");
            received.set("requestObject", body);
            complete.put("level", "RequestResponse");
            complete.set("requestObject", body.deepCopy());
            complete.set("responseObject", body.deepCopy());
        }
        return List.of(received, complete);
    }

    /** An exec: RequestReceived, ResponseStarted (the session opens), ResponseComplete (it ends). */
    private List<ObjectNode> longRunning(String verb, String resource, String sub, String ns, String name, String user,
                                         int offsetSeconds) {
        String id = UUID.randomUUID().toString();
        List<ObjectNode> out = new ArrayList<>();
        out.add(base(id, "RequestReceived", verb, resource, sub, ns, name, user, offsetSeconds));
        for (String stage : List.of("ResponseStarted", "ResponseComplete")) {
            ObjectNode e = base(id, stage, verb, resource, sub, ns, name, user, offsetSeconds);
            // the session opens after a few milliseconds and ends when the shell exits, here 40 s later
            e.put("stageTimestamp", stageTime(offsetSeconds, stage.equals("ResponseStarted") ? 8_000 : 40_000_000));
            e.putObject("responseStatus").put("code", 101);
            e.putObject("annotations").put("authorization.k8s.io/decision", "allow");
            out.add(e);
        }
        return out;
    }

    /** The time of a later stage, {@code micros} after the request was received (apiservers write microseconds). */
    private String stageTime(int offsetSeconds, long micros) {
        return now.plusSeconds(offsetSeconds).plusNanos(micros * 1000).toString();
    }

    private ObjectNode base(String id, String stage, String verb, String resource, String sub, String ns, String name,
                            String user, int offsetSeconds) {
        ObjectNode e = AuditJson.mapper().createObjectNode();
        e.put("kind", "Event");
        e.put("apiVersion", "audit.k8s.io/v1");
        e.put("level", "Metadata");
        e.put("auditID", id);
        e.put("stage", stage);
        e.put("requestURI", "/api/v1" + (ns == null ? "" : "/namespaces/" + ns) + "/" + resource
                + (name == null ? "" : "/" + name) + (sub == null ? "" : "/" + sub));
        e.put("verb", verb);
        ObjectNode u = e.putObject("user");
        u.put("username", user);
        u.putArray("groups").add("system:authenticated");
        e.putArray("sourceIPs").add("10.20.30.40");
        e.put("userAgent", "kubectl/v1.31.0 (linux/amd64)");
        ObjectNode ref = e.putObject("objectRef");
        ref.put("resource", resource);
        if (ns != null) {
            ref.put("namespace", ns);
        }
        if (name != null) {
            ref.put("name", name);
        }
        if (sub != null) {
            ref.put("subresource", sub);
        }
        ref.put("apiVersion", "v1");
        if (resource.equals("rolebindings")) {
            ref.put("apiGroup", "rbac.authorization.k8s.io");
        }
        String ts = now.plusSeconds(offsetSeconds).toString();
        e.put("requestReceivedTimestamp", ts);
        e.put("stageTimestamp", ts);
        return e;
    }

    private static ObjectNode obj(String json) {
        try {
            return (ObjectNode) AuditJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
