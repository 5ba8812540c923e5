package io.auditkeeper.streams.rules;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Whether a request object asks for a pod that can escape to its node: a container with
 * {@code securityContext.privileged: true} (or Windows {@code hostProcess: true}), {@code hostNetwork}, {@code hostPID}
 * or {@code hostIPC}, or a {@code hostPath} volume. Reads pods and the pod templates of workload controllers, whole
 * objects or merge patches (located by {@code kind}, or by the resource when a patch has no kind), and JSON patches.
 */
final class PrivilegedPods {
    private static final Set<String> HOST_FLAGS = Set.of("hostNetwork", "hostPID", "hostIPC");
    private static final Set<String> CONTAINER_LISTS = Set.of("containers", "initContainers", "ephemeralContainers");
    private static final Set<String> TRUE_KEYS = Set.of("privileged", "hostNetwork", "hostPID", "hostIPC",
            "hostProcess");
    private static final int MAX_DEPTH = 64;

    private enum Shape { POD, TEMPLATE, CRONJOB, POD_TEMPLATE, OTHER }

    private static final Map<String, Shape> BY_KIND = Map.of(
            "Pod", Shape.POD,
            "Deployment", Shape.TEMPLATE, "StatefulSet", Shape.TEMPLATE, "DaemonSet", Shape.TEMPLATE,
            "ReplicaSet", Shape.TEMPLATE, "ReplicationController", Shape.TEMPLATE, "Job", Shape.TEMPLATE,
            "CronJob", Shape.CRONJOB,
            "PodTemplate", Shape.POD_TEMPLATE);
    private static final Map<String, Shape> BY_RESOURCE = Map.of(
            "pods", Shape.POD,
            "deployments", Shape.TEMPLATE, "statefulsets", Shape.TEMPLATE, "daemonsets", Shape.TEMPLATE,
            "replicasets", Shape.TEMPLATE, "replicationcontrollers", Shape.TEMPLATE, "jobs", Shape.TEMPLATE,
            "cronjobs", Shape.CRONJOB,
            "podtemplates", Shape.POD_TEMPLATE);

    private PrivilegedPods() {
    }

    /**
     * Whether {@link #isPrivileged} could be true for a request body of these bytes, without parsing them: every
     * flag it looks for is a key or patch path containing {@code host} or {@code privileged}, spelled as is unless
     * escaped (a backslash-u escape). False guarantees that {@link #isPrivileged} is false; the caller then need not
     * build the body into a tree.
     */
    static boolean mayBePrivileged(byte[] bytes, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            if (b == '\\' && i + 1 < end && bytes[i + 1] == 'u'
                    || b == 'h' && startsWith(bytes, i, end, HOST)
                    || b == 'p' && startsWith(bytes, i, end, PRIVILEGED)) {
                return true;
            }
        }
        return false;
    }

    private static final byte[] HOST = "host".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PRIVILEGED = "privileged".getBytes(StandardCharsets.US_ASCII);

    private static boolean startsWith(byte[] bytes, int at, int end, byte[] prefix) {
        if (end - at < prefix.length) {
            return false;
        }
        for (int j = 1; j < prefix.length; j++) {
            if (bytes[at + j] != prefix[j]) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param requestObject the event's {@code requestObject} (absent at audit level Metadata: then false)
     * @param resource      {@code objectRef.resource}, used when the object has no {@code kind} (a merge patch)
     */
    static boolean isPrivileged(JsonNode requestObject, String resource) {
        if (requestObject == null || requestObject.isNull() || requestObject.isMissingNode()) {
            return false;
        }
        if (requestObject.isArray()) {
            return jsonPatchIsPrivileged(requestObject);
        }
        if (!requestObject.isObject()) {
            return false;
        }
        JsonNode kindNode = requestObject.get("kind");
        Shape shape;
        if (kindNode != null && kindNode.isTextual()) {
            shape = BY_KIND.getOrDefault(kindNode.asText(), Shape.OTHER);
        } else {
            shape = resource == null ? Shape.OTHER : BY_RESOURCE.getOrDefault(resource, Shape.OTHER);
        }
        JsonNode podSpec = switch (shape) {
            case POD -> requestObject.path("spec");
            case TEMPLATE -> requestObject.path("spec").path("template").path("spec");
            case CRONJOB -> requestObject.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
            case POD_TEMPLATE -> requestObject.path("template").path("spec");
            case OTHER -> null;
        };
        return podSpec != null && podSpec.isObject() && podSpecIsPrivileged(podSpec);
    }

    static boolean podSpecIsPrivileged(JsonNode spec) {
        for (String flag : HOST_FLAGS) {
            if (isTrue(spec.get(flag))) {
                return true;
            }
        }
        if (isTrue(spec.path("securityContext").path("windowsOptions").get("hostProcess"))) {
            return true;
        }
        JsonNode volumes = spec.get("volumes");
        if (volumes != null && volumes.isArray()) {
            for (JsonNode v : volumes) {
                JsonNode hp = v.get("hostPath");
                if (hp != null && hp.isObject()) {
                    return true;
                }
            }
        }
        for (String list : CONTAINER_LISTS) {
            JsonNode containers = spec.get(list);
            if (containers == null || !containers.isArray()) {
                continue;
            }
            for (JsonNode c : containers) {
                JsonNode sc = c.path("securityContext");
                if (isTrue(sc.get("privileged")) || isTrue(sc.path("windowsOptions").get("hostProcess"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** RFC 6902 patch: an add or replace that sets one of the flags, or adds a value that contains one. */
    private static boolean jsonPatchIsPrivileged(JsonNode ops) {
        for (JsonNode op : ops) {
            String kind = op.path("op").asText("");
            if (!kind.equals("add") && !kind.equals("replace")) {
                continue;
            }
            String path = op.path("path").asText("");
            String last = path.substring(path.lastIndexOf('/') + 1);
            JsonNode value = op.get("value");
            if (value == null) {
                continue;
            }
            if (TRUE_KEYS.contains(last) && isTrue(value)) {
                return true;
            }
            if (last.equals("hostPath") && value.isObject()) {
                return true;
            }
            if (containsPrivileged(value, 0)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsPrivileged(JsonNode node, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (TRUE_KEYS.contains(e.getKey()) && isTrue(e.getValue())) {
                    return true;
                }
                if (e.getKey().equals("hostPath") && e.getValue().isObject()) {
                    return true;
                }
                if (e.getValue().isContainerNode() && containsPrivileged(e.getValue(), depth + 1)) {
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode v : node) {
                if (v.isContainerNode() && containsPrivileged(v, depth + 1)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isTrue(JsonNode node) {
        return node != null && node.isBoolean() && node.booleanValue();
    }
}
