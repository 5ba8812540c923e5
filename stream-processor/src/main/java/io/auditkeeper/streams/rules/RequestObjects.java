package io.auditkeeper.streams.rules;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@link RequestTrait}s and the bound role of a request object: Services, Ingresses, Roles, ClusterRoles
 * and their bindings, as whole objects (create, update, server-side apply), merge patches (located by the resource
 * when they carry no {@code kind}) and JSON patches. A patch only counts for what it sets: a merge patch that does
 * not mention {@code spec.tls} leaves an Ingress's TLS as it was, and is no Ingress without TLS.
 */
final class RequestObjects {
    /** The resources whose request bodies {@link #traits} and {@link #roleRef} read; no other body is parsed for them. */
    static final Set<String> RESOURCES = Set.of("services", "ingresses", "roles", "clusterroles", "rolebindings",
            "clusterrolebindings");

    private static final Set<String> AGGREGATION_LABELS = Set.of("rbac.authorization.k8s.io/aggregate-to-view",
            "rbac.authorization.k8s.io/aggregate-to-edit", "rbac.authorization.k8s.io/aggregate-to-admin");
    private static final Set<String> CORE_GROUPS = Set.of("", "*");
    private static final Set<String> EXEC_RESOURCES = Set.of("*", "pods/exec", "pods/attach", "*/exec", "*/attach");
    private static final Set<String> EXEC_VERBS = Set.of("*", "create", "get");
    private static final Set<String> SECRET_RESOURCES = Set.of("*", "secrets");
    private static final Set<String> READ_VERBS = Set.of("*", "get", "list", "watch");

    private enum Shape { SERVICE, INGRESS, ROLE, BINDING, OTHER }

    private static final Map<String, Shape> BY_KIND = Map.of("Service", Shape.SERVICE, "Ingress", Shape.INGRESS,
            "Role", Shape.ROLE, "ClusterRole", Shape.ROLE, "RoleBinding", Shape.BINDING,
            "ClusterRoleBinding", Shape.BINDING);
    private static final Map<String, Shape> BY_RESOURCE = Map.of("services", Shape.SERVICE, "ingresses", Shape.INGRESS,
            "roles", Shape.ROLE, "clusterroles", Shape.ROLE, "rolebindings", Shape.BINDING,
            "clusterrolebindings", Shape.BINDING);

    private RequestObjects() {
    }

    /**
     * @param requestObject the event's {@code requestObject} (absent at audit level Metadata: then no trait)
     * @param resource      {@code objectRef.resource}, used when the object has no {@code kind} (a patch)
     */
    static Set<RequestTrait> traits(JsonNode requestObject, String resource) {
        Set<RequestTrait> out = EnumSet.noneOf(RequestTrait.class);
        if (requestObject == null || resource == null || !RESOURCES.contains(resource)) {
            return out;
        }
        if (requestObject.isArray()) {
            jsonPatch(requestObject, BY_RESOURCE.get(resource), out);
            return out;
        }
        if (!requestObject.isObject()) {
            return out;
        }
        JsonNode kindNode = requestObject.get("kind");
        boolean whole = kindNode != null && kindNode.isTextual();
        Shape shape = whole ? BY_KIND.getOrDefault(kindNode.asText(), Shape.OTHER) : BY_RESOURCE.get(resource);
        switch (shape) {
            case SERVICE -> serviceType(requestObject.path("spec").get("type"), out);
            case INGRESS -> {
                JsonNode spec = requestObject.path("spec");
                JsonNode tls = spec.get("tls");
                if (whole ? !hasEntries(tls) : tls != null && !hasEntries(tls)) {
                    out.add(RequestTrait.INGRESS_WITHOUT_TLS);
                }
            }
            case ROLE -> {
                labels(requestObject.path("metadata").get("labels"), out);
                rules(requestObject.get("rules"), out);
            }
            case BINDING, OTHER -> {
            }
        }
        return out;
    }

    /** {@code roleRef.name} of a RoleBinding or ClusterRoleBinding request object, or null. */
    static String roleRef(JsonNode requestObject, String resource) {
        if (requestObject == null || !requestObject.isObject() || !"rolebindings".equals(resource)
                && !"clusterrolebindings".equals(resource)) {
            return null;
        }
        JsonNode name = requestObject.path("roleRef").get("name");
        return name != null && name.isTextual() ? name.asText() : null;
    }

    private static void serviceType(JsonNode type, Set<RequestTrait> out) {
        if (type == null || !type.isTextual()) {
            return;
        }
        switch (type.asText()) {
            case "NodePort" -> out.add(RequestTrait.NODE_PORT_SERVICE);
            case "LoadBalancer" -> out.add(RequestTrait.LOAD_BALANCER_SERVICE);
            default -> {
            }
        }
    }

    private static void labels(JsonNode labels, Set<RequestTrait> out) {
        if (labels == null || !labels.isObject()) {
            return;
        }
        for (String key : AGGREGATION_LABELS) {
            if (isTrueString(labels.get(key))) {
                out.add(RequestTrait.AGGREGATED_ROLE);
                return;
            }
        }
    }

    private static void rules(JsonNode rules, Set<RequestTrait> out) {
        if (rules == null || !rules.isArray()) {
            return;
        }
        for (JsonNode rule : rules) {
            rule(rule, out);
        }
    }

    /** One PolicyRule, read as RBAC reads it: {@code *}, exact names, and <code>&#42;/subresource</code>. */
    private static void rule(JsonNode rule, Set<RequestTrait> out) {
        if (!rule.isObject() || !anyOf(rule.get("apiGroups"), CORE_GROUPS)) {
            return;
        }
        JsonNode resources = rule.get("resources");
        JsonNode verbs = rule.get("verbs");
        if (anyOf(resources, EXEC_RESOURCES) && anyOf(verbs, EXEC_VERBS)) {
            out.add(RequestTrait.GRANTS_POD_EXEC);
        }
        if (anyOf(resources, SECRET_RESOURCES) && anyOf(verbs, READ_VERBS)) {
            out.add(RequestTrait.GRANTS_SECRET_READ);
        }
    }

    /** RFC 6902: the operations that set a Service type, remove TLS, add an aggregation label or add rules. */
    private static void jsonPatch(JsonNode ops, Shape shape, Set<RequestTrait> out) {
        for (JsonNode op : ops) {
            String kind = op.path("op").asText("");
            String path = op.path("path").asText("");
            JsonNode value = op.get("value");
            boolean sets = (kind.equals("add") || kind.equals("replace")) && value != null;
            switch (shape) {
                case SERVICE -> {
                    if (sets && path.equals("/spec/type")) {
                        serviceType(value, out);
                    } else if (sets && path.equals("/spec")) {
                        serviceType(value.get("type"), out);
                    }
                }
                case INGRESS -> {
                    if (path.equals("/spec/tls") && (kind.equals("remove") || sets && !hasEntries(value))
                            || path.equals("/spec") && sets && !hasEntries(value.get("tls"))) {
                        out.add(RequestTrait.INGRESS_WITHOUT_TLS);
                    }
                }
                case ROLE -> {
                    if (!sets) {
                        continue;
                    }
                    if (path.startsWith("/metadata/labels/")) {
                        String key = path.substring("/metadata/labels/".length()).replace("~1", "/")
                                .replace("~0", "~");
                        if (AGGREGATION_LABELS.contains(key) && isTrueString(value)) {
                            out.add(RequestTrait.AGGREGATED_ROLE);
                        }
                    } else if (path.equals("/metadata/labels")) {
                        labels(value, out);
                    } else if (path.equals("/metadata")) {
                        labels(value.get("labels"), out);
                    } else if (path.equals("/rules")) {
                        rules(value, out);
                    } else if (path.startsWith("/rules/") && path.indexOf('/', "/rules/".length()) < 0) {
                        rule(value, out);
                    }
                }
                case BINDING, OTHER -> {
                    return;
                }
            }
        }
    }

    private static boolean hasEntries(JsonNode list) {
        return list != null && list.isArray() && !list.isEmpty();
    }

    private static boolean isTrueString(JsonNode v) {
        return v != null && v.isTextual() && v.asText().equals("true");
    }

    private static boolean anyOf(JsonNode list, Set<String> values) {
        if (list == null || !list.isArray()) {
            return false;
        }
        for (JsonNode v : list) {
            if (v.isTextual() && values.contains(v.asText())) {
                return true;
            }
        }
        return false;
    }
}
