package io.auditkeeper.streams.redact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Redacts an RFC 6902 JSON Patch request body ({@code kubectl patch --type=json}). The values travel in the
 * {@code value} member of each operation, and where they land is only known from {@code path}: an operation on
 * {@code /data}, {@code /stringData}, {@code /binaryData} or below, on an annotation that repeats secrets, or on the whole
 * document has its value redacted when the event's resource calls for it. {@code from} is a pointer, not a value, and
 * is kept. Every other value is still walked, so a Secret embedded in it is found by its kind.
 */
final class JsonPatchRedactor {
    private enum Target { OTHER, UNKNOWN, ROOT, DATA_MAP, DATA_ENTRY, METADATA, ANNOTATIONS, SECRET_ANNOTATION }

    private JsonPatchRedactor() {
    }

    static void redact(RedactionWalk walk, ArrayNode patch, int depth) {
        boolean active = walk.resourceDataActive();
        for (int i = 0, n = patch.size(); i < n; i++) {
            JsonNode op = patch.get(i);
            if (!op.isContainerNode()) {
                continue;
            }
            int mark = walk.push(i);
            if (op instanceof ObjectNode o && o.has("value")) {
                operation(walk, o, active, depth + 1);
            } else {
                walk.walk(op, depth + 1);
            }
            walk.pop(mark);
        }
    }

    private static void operation(RedactionWalk walk, ObjectNode op, boolean active, int depth) {
        JsonNode value = op.get("value");
        if (RedactionWalk.isEmpty(value)) {
            return;
        }
        Target target = active ? target(RedactionWalk.text(op.get("path"))) : Target.OTHER;
        switch (target) {
            case UNKNOWN, DATA_ENTRY, SECRET_ANNOTATION -> walk.replace(op, "value", value);
            case DATA_MAP -> walk.redactDataField(op, "value", value);
            case ROOT -> {
                int mark = walk.push("value");
                if (value instanceof ObjectNode o) {
                    walk.walkObject(o, null, true, depth + 1);
                    walk.pop(mark);
                } else {
                    walk.pop(mark);
                    walk.replace(op, "value", value);
                }
            }
            case METADATA, ANNOTATIONS -> {
                int mark = walk.push("value");
                if (value instanceof ObjectNode o) {
                    if (target == Target.METADATA) {
                        walk.secretAnnotations(o, true);
                    } else {
                        walk.annotationMap(o, true);
                    }
                }
                walk.walk(value, depth + 1);
                walk.pop(mark);
            }
            default -> {
                int mark = walk.push("value");
                walk.walk(value, depth + 1);
                walk.pop(mark);
            }
        }
    }

    /** Where an operation's path points, for a document of a redacted kind. */
    private static Target target(String pointer) {
        if (pointer == null || (!pointer.isEmpty() && pointer.charAt(0) != '/')) {
            return Target.UNKNOWN;
        }
        if (pointer.isEmpty()) {
            return Target.ROOT;
        }
        int end1 = segmentEnd(pointer, 1);
        String first = unescape(pointer, 1, end1);
        if (RedactionWalk.isDataField(first)) {
            return end1 == pointer.length() ? Target.DATA_MAP : Target.DATA_ENTRY;
        }
        if (!first.equalsIgnoreCase("metadata")) {
            return Target.OTHER;
        }
        if (end1 == pointer.length()) {
            return Target.METADATA;
        }
        int end2 = segmentEnd(pointer, end1 + 1);
        if (!unescape(pointer, end1 + 1, end2).equalsIgnoreCase("annotations")) {
            return Target.OTHER;
        }
        if (end2 == pointer.length()) {
            return Target.ANNOTATIONS;
        }
        int end3 = segmentEnd(pointer, end2 + 1);
        return RedactionWalk.isSecretAnnotation(unescape(pointer, end2 + 1, end3)) ? Target.SECRET_ANNOTATION : Target.OTHER;
    }

    private static int segmentEnd(String pointer, int from) {
        int slash = pointer.indexOf('/', from);
        return slash < 0 ? pointer.length() : slash;
    }

    private static String unescape(String pointer, int from, int to) {
        String segment = pointer.substring(from, to);
        return segment.indexOf('~') < 0 ? segment : segment.replace("~1", "/").replace("~0", "~");
    }
}
