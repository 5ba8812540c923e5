package io.auditkeeper.streams.redact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static io.auditkeeper.streams.redact.RedactionRules.DATA;
import static io.auditkeeper.streams.redact.RedactionRules.DATA_IF_PHI;
import static io.auditkeeper.streams.redact.RedactionRules.TOKEN_REQUEST;
import static io.auditkeeper.streams.redact.RedactionRules.TOKEN_REVIEW;

/**
 * One pass over one event: walks {@code requestObject} and {@code responseObject}, replaces values in place and
 * collects the JSON Pointers of what it replaced. Not thread-safe; one instance per event.
 */
final class RedactionWalk {
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    static final String OPENSHIFT_TOKEN_VALUE = "openshift.io/token-secret.value";
    static final String WEBHOOK_PATCH_PREFIX = "patch.webhook.admission.k8s.io/";
    static final TextNode REDACTED_NODE = TextNode.valueOf(SecretRedactor.REDACTED);

    /** As deep as the project's parser lets an event be; a deeper (hand-built) subtree is replaced whole. */
    private static final int MAX_DEPTH = 500;

    private final RedactionRules rules;
    private final int resourceMask;
    private final boolean eventNamespacePhi;
    private final StringBuilder path = new StringBuilder(96);
    private List<String> redacted;

    RedactionWalk(RedactionRules rules, int resourceMask, String eventNamespace) {
        this.rules = rules;
        this.resourceMask = resourceMask;
        this.eventNamespacePhi = rules.phi.contains(eventNamespace);
    }

    List<String> result() {
        return redacted == null ? List.of() : Collections.unmodifiableList(redacted);
    }

    /** Whether the event's resource alone (objectRef and its namespace) calls for redacting data. */
    boolean resourceDataActive() {
        return (resourceMask & DATA) != 0 || ((resourceMask & DATA_IF_PHI) != 0 && eventNamespacePhi);
    }

    void body(ObjectNode event, String field, JsonNode value) {
        if (!value.isContainerNode()) {
            if (resolve(resourceMask, null) != 0) {
                replace(event, field, value);
            }
            return;
        }
        int mark = push(field);
        if (value instanceof ObjectNode o) {
            walkObject(o, null, true, 1);
        } else if (field.equals("requestObject")) {
            JsonPatchRedactor.redact(this, (ArrayNode) value, 1);
        } else {
            walkArray((ArrayNode) value, 1);
        }
        pop(mark);
    }

    /** Mutating webhooks' patches are copied into event annotations; for a redacted resource they repeat values. */
    void eventAnnotations(JsonNode annotations) {
        if (!resourceDataActive() || !hasWebhookPatch(annotations)) {
            return;
        }
        int mark = push("annotations");
        for (Map.Entry<String, JsonNode> e : annotations.properties()) {
            if (e.getKey().startsWith(WEBHOOK_PATCH_PREFIX)) {
                replace((ObjectNode) annotations, e.getKey(), e.getValue());
            }
        }
        pop(mark);
    }

    static boolean hasWebhookPatch(JsonNode annotations) {
        if (annotations instanceof ObjectNode a) {
            for (Map.Entry<String, JsonNode> e : a.properties()) {
                if (e.getKey().startsWith(WEBHOOK_PATCH_PREFIX)) {
                    return true;
                }
            }
        }
        return false;
    }

    void walk(JsonNode node, int depth) {
        if (node instanceof ObjectNode o) {
            walkObject(o, null, false, depth);
        } else if (node instanceof ArrayNode a) {
            walkArray(a, depth);
        }
    }

    /**
     * @param impliedKind the kind an object has by position when it does not say (items of a {@code SecretList})
     * @param byResource  whether the event's objectRef applies to this object (the top-level body, its list items,
     *                    watch-event objects and table rows)
     */
    void walkObject(ObjectNode o, String impliedKind, boolean byResource, int depth) {
        String kind = text(o.get("kind"));
        int mask = rules.kindMask(kind);
        if (impliedKind != null && !impliedKind.equalsIgnoreCase(kind)) {
            mask |= rules.kindMask(impliedKind);
        }
        if (byResource) {
            mask |= resourceMask;
        }
        mask = resolve(mask, o);
        boolean data = (mask & DATA) != 0;
        boolean listLike = kind == null || endsWithIgnoreCase(kind, "List");
        boolean table = "Table".equalsIgnoreCase(kind);
        boolean watchEvent = o.get("type") instanceof TextNode && o.get("object") instanceof ObjectNode;

        for (Map.Entry<String, JsonNode> e : o.properties()) {
            String name = e.getKey();
            JsonNode child = e.getValue();
            if (data && isDataField(name)) {
                redactDataField(o, name, child);
                continue;
            }
            boolean tokenHolder = (mask & TOKEN_REQUEST) != 0 && name.equalsIgnoreCase("status")
                    || (mask & TOKEN_REVIEW) != 0 && name.equalsIgnoreCase("spec");
            if (tokenHolder && !(child instanceof ObjectNode)) {
                replace(o, name, child);
                continue;
            }
            if (!child.isContainerNode()) {
                continue;
            }
            if (depth >= MAX_DEPTH) {
                replace(o, name, child);
                continue;
            }
            int mark = push(name);
            if (tokenHolder) {
                token((ObjectNode) child);
            } else if (child instanceof ObjectNode c && name.equalsIgnoreCase("metadata")) {
                secretAnnotations(c, data);
            }
            if (name.equals("items") && listLike && child instanceof ArrayNode items) {
                String itemKind = kind != null && kind.length() > 4 ? kind.substring(0, kind.length() - 4) : impliedKind;
                walkElements(items, itemKind, byResource, depth + 1);
            } else if (name.equals("object") && watchEvent) {
                walkObject((ObjectNode) child, impliedKind, byResource, depth + 1);
            } else if (name.equals("rows") && table && child instanceof ArrayNode rows) {
                walkRows(rows, impliedKind, byResource, depth + 1);
            } else {
                walk(child, depth + 1);
            }
            pop(mark);
        }
    }

    private void walkArray(ArrayNode a, int depth) {
        walkElements(a, null, false, depth);
    }

    private void walkElements(ArrayNode a, String impliedKind, boolean byResource, int depth) {
        for (int i = 0, n = a.size(); i < n; i++) {
            JsonNode child = a.get(i);
            if (!child.isContainerNode()) {
                continue;
            }
            if (depth >= MAX_DEPTH) {
                replace(a, i, child);
                continue;
            }
            int mark = push(i);
            if (child instanceof ObjectNode c) {
                walkObject(c, impliedKind, byResource, depth + 1);
            } else {
                walk(child, depth + 1);
            }
            pop(mark);
        }
    }

    private void walkRows(ArrayNode rows, String impliedKind, boolean byResource, int depth) {
        for (int i = 0, n = rows.size(); i < n; i++) {
            JsonNode row = rows.get(i);
            if (!row.isContainerNode()) {
                continue;
            }
            if (depth >= MAX_DEPTH) {
                replace(rows, i, row);
                continue;
            }
            int mark = push(i);
            if (row instanceof ObjectNode r) {
                for (Map.Entry<String, JsonNode> e : r.properties()) {
                    JsonNode child = e.getValue();
                    if (!child.isContainerNode()) {
                        continue;
                    }
                    int inner = push(e.getKey());
                    if (e.getKey().equals("object") && child instanceof ObjectNode obj) {
                        walkObject(obj, impliedKind, byResource, depth + 2);
                    } else {
                        walk(child, depth + 2);
                    }
                    pop(inner);
                }
            } else {
                walk(row, depth + 1);
            }
            pop(mark);
        }
    }

    /** Replaces every value of a {@code data}-like field, keeping its keys; a value of another shape goes whole. */
    void redactDataField(ObjectNode parent, String name, JsonNode value) {
        if (value instanceof ObjectNode map) {
            int mark = push(name);
            for (Map.Entry<String, JsonNode> e : map.properties()) {
                replace(map, e.getKey(), e.getValue());
            }
            pop(mark);
        } else {
            replace(parent, name, value);
        }
    }

    /**
     * Annotations that repeat secret values: kubectl's last-applied configuration holds the whole object as sent, and
     * OpenShift (up to 4.15) copies a service-account token into the dockercfg Secret it generates. Of a redacted
     * object they go whole; of any other object (an OpenShift Template, a wrapper custom resource) the last-applied
     * configuration goes when it embeds a Secret.
     */
    void secretAnnotations(ObjectNode metadata, boolean redactedObject) {
        if (metadata.get("annotations") instanceof ObjectNode annotations) {
            int mark = push("annotations");
            annotationMap(annotations, redactedObject);
            pop(mark);
        }
    }

    void annotationMap(ObjectNode annotations, boolean redactedObject) {
        for (Map.Entry<String, JsonNode> e : annotations.properties()) {
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (redactedObject ? isSecretAnnotation(key)
                    : key.equals(LAST_APPLIED) && (!value.isTextual() || value.textValue().contains("\"Secret\""))) {
                replace(annotations, key, value);
            }
        }
    }

    static boolean isSecretAnnotation(String key) {
        return key.equals(LAST_APPLIED) || key.equals(OPENSHIFT_TOKEN_VALUE);
    }

    private void token(ObjectNode holder) {
        for (Map.Entry<String, JsonNode> e : holder.properties()) {
            if (e.getKey().equalsIgnoreCase("token")) {
                replace(holder, e.getKey(), e.getValue());
            }
        }
    }

    /** Replaces {@code parent[name]} unless it holds nothing or is already redacted; records the pointer. */
    void replace(ObjectNode parent, String name, JsonNode value) {
        if (nothingToHide(value)) {
            return;
        }
        parent.set(name, REDACTED_NODE);
        int mark = push(name);
        record();
        pop(mark);
    }

    void replace(ArrayNode parent, int index, JsonNode value) {
        if (nothingToHide(value)) {
            return;
        }
        parent.set(index, REDACTED_NODE);
        int mark = push(index);
        record();
        pop(mark);
    }

    int resolve(int mask, ObjectNode o) {
        if ((mask & DATA_IF_PHI) != 0 && (mask & DATA) == 0 && (eventNamespacePhi || objectNamespacePhi(o))) {
            mask |= DATA;
        }
        return mask;
    }

    private boolean objectNamespacePhi(ObjectNode o) {
        return o != null && rules.phi.contains(text(o.path("metadata").path("namespace")));
    }

    int push(String key) {
        int mark = path.length();
        path.append('/');
        if (key.indexOf('~') < 0 && key.indexOf('/') < 0) {
            path.append(key);
        } else {
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                switch (c) {
                    case '~' -> path.append("~0");
                    case '/' -> path.append("~1");
                    default -> path.append(c);
                }
            }
        }
        return mark;
    }

    int push(int index) {
        int mark = path.length();
        path.append('/').append(index);
        return mark;
    }

    void pop(int mark) {
        path.setLength(mark);
    }

    private void record() {
        if (redacted == null) {
            redacted = new ArrayList<>(4);
        }
        redacted.add(path.toString());
    }

    static boolean isDataField(String name) {
        return name.equalsIgnoreCase("data") || name.equalsIgnoreCase("stringData") || name.equalsIgnoreCase("binaryData");
    }

    private static boolean nothingToHide(JsonNode value) {
        return isEmpty(value) || value.isTextual() && (value.textValue().isEmpty() || value.equals(REDACTED_NODE));
    }

    static boolean isEmpty(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode();
    }

    static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    private static boolean endsWithIgnoreCase(String s, String suffix) {
        return s.regionMatches(true, s.length() - suffix.length(), suffix, 0, suffix.length());
    }
}
