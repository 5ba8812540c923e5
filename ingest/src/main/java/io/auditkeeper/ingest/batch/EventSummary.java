package io.auditkeeper.ingest.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * What the dead-letter topic keeps of an item too large to forward: its size and SHA-256 and, for an event, the
 * fields the apiserver writes at the {@code Metadata} audit level (who did what to which object, when, with which
 * answer), each only if it is small. Never {@code requestObject} or {@code responseObject}, which may hold secret
 * values and are what makes an event large. The SHA-256 lets whoever holds the apiserver's own copy (a log backend)
 * prove which event it was.
 *
 * <p>Only built for items over the limit, so it may parse the item again; the hot path never does.
 */
final class EventSummary {
    /** Top-level fields of an {@code audit.k8s.io} Event kept in a summary: the Metadata level. */
    static final Set<String> METADATA_FIELDS = Set.of("kind", "apiVersion", "level", "auditID", "stage", "requestURI",
            "verb", "user", "impersonatedUser", "sourceIPs", "userAgent", "objectRef", "responseStatus",
            "requestReceivedTimestamp", "stageTimestamp", "annotations");
    /** A metadata field larger than this is left out (and named in {@code omitted}), so a summary stays small. */
    static final int MAX_FIELD_BYTES = 8 * 1024;
    private static final int MAX_OMITTED_NAMES = 32;
    private static final int MAX_NAME_CHARS = 64;

    private EventSummary() {
    }

    /**
     * The summary of the item at {@code body[offset..offset+length)}, item {@code index} of its batch, as UTF-8 JSON:
     * {@code {"item":3,"bytes":N,"limit":L,"sha256":"...","event":{...},"omitted":["requestObject",...]}}.
     * {@code event} and {@code omitted} only when the item is a JSON object.
     */
    static byte[] of(JsonFactory factory, byte[] body, int offset, int length, int index, long limit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("item", index);
            g.writeNumberField("bytes", length);
            g.writeNumberField("limit", limit);
            g.writeStringField("sha256", sha256(body, offset, length));
            if (body[offset] == '{') {
                writeMetadata(factory, g, body, offset, length);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeMetadata(JsonFactory factory, JsonGenerator g, byte[] body, int offset, int length)
            throws IOException {
        List<String> omitted = new ArrayList<>();
        g.writeObjectFieldStart("event");
        try (JsonParser p = factory.createParser(body, offset, length)) {
            p.nextToken();
            long base = p.currentTokenLocation().getByteOffset();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                long from = p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                p.finishToken();
                long to = p.currentLocation().getByteOffset();
                if (!METADATA_FIELDS.contains(field) || to - from > MAX_FIELD_BYTES) {
                    if (omitted.size() < MAX_OMITTED_NAMES && field.length() <= MAX_NAME_CHARS) {
                        omitted.add(field);
                    }
                    continue;
                }
                int valueOffset = (int) (offset + from - base);
                try (JsonParser value = factory.createParser(body, valueOffset, (int) (to - from))) {
                    value.nextToken();
                    g.writeFieldName(field);
                    g.copyCurrentStructure(value);
                }
            }
        }
        g.writeEndObject();
        g.writeArrayFieldStart("omitted");
        for (String field : omitted) {
            g.writeString(field);
        }
        g.writeEndArray();
    }

    static String sha256(byte[] bytes, int offset, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, offset, length);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
