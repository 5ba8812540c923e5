package io.auditkeeper.archiver.index;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.auditkeeper.opensearch.schema.EventDocumentIds;
import io.auditkeeper.opensearch.schema.EventIndexNames;

import java.io.IOException;

/**
 * Where a normalized event goes and under which id: the id and index-name scheme of the events, and nothing else.
 * The scheme itself is shared with {@code auditkeeper rehydrate} ({@link EventIndexNames}, {@link EventDocumentIds}
 * in module {@code opensearch-connection}); this class reads the fields it needs from the record's bytes.
 *
 * <p>The index is the UTC day of the event's {@code timestamp} ({@code audit-events-2026.11.27}), falling back to
 * {@code receivedAt}, and to {@code <prefix>-undated} when neither is there or readable. The document id is the
 * lowercase hex SHA-256 of {@code cluster + "\n" + auditID + "\n" + stage}, so a replay of the topic overwrites and
 * never duplicates. Only the five top-level fields needed for both are read, with the streaming parser; the
 * {@code event} subtree is skipped without being built.
 */
final class IndexRouting {
    static final String UNDATED_SUFFIX = EventIndexNames.UNDATED_SUFFIX;

    private static final JsonFactory JSON = new JsonFactory();

    /** What the routing reads from a document: the fields of the id and of the index name. */
    record Target(String cluster, String auditID, String stage, String timestamp, String receivedAt) {
    }

    private IndexRouting() {
    }

    /**
     * The index and id of a normalized event under the prefix.
     *
     * @throws IllegalArgumentException when the bytes are not a JSON object with {@code cluster}, {@code auditID} and
     *                                  {@code stage}
     */
    static DocumentKind.Placement placeEvent(String prefix, byte[] source) throws IOException {
        Target t = target(source);
        return new DocumentKind.Placement(indexName(prefix, t.timestamp(), t.receivedAt()),
                documentId(t.cluster(), t.auditID(), t.stage()));
    }

    /** Lowercase hex SHA-256 of {@code cluster + "\n" + auditID + "\n" + stage} in UTF-8 ({@link EventDocumentIds}). */
    static String documentId(String cluster, String auditID, String stage) {
        return EventDocumentIds.documentId(cluster, auditID, stage);
    }

    /**
     * {@code <prefix>-yyyy.MM.dd} of the UTC day of {@code timestamp}, else of {@code receivedAt}, else
     * {@code <prefix>-undated} ({@link EventIndexNames}).
     */
    static String indexName(String prefix, String timestamp, String receivedAt) {
        return EventIndexNames.indexName(prefix, timestamp, receivedAt);
    }

    /**
     * Reads cluster, auditID, stage, timestamp and receivedAt from the top level of a normalized event with the
     * streaming parser, skipping every other value (the {@code event} subtree in particular) without building it.
     */
    static Target target(byte[] source) throws IOException {
        String cluster = null;
        String auditID = null;
        String stage = null;
        String timestamp = null;
        String receivedAt = null;
        try (JsonParser p = JSON.createParser(source)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "cluster" -> cluster = text(p, value, name);
                    case "auditID" -> auditID = text(p, value, name);
                    case "stage" -> stage = text(p, value, name);
                    case "timestamp" -> timestamp = text(p, value, name);
                    case "receivedAt" -> receivedAt = text(p, value, name);
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new IllegalArgumentException("malformed JSON object");
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("trailing content after the JSON object");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (cluster == null || auditID == null || stage == null) {
            throw new IllegalArgumentException("cluster, auditID and stage are required");
        }
        return new Target(cluster, auditID, stage, timestamp, receivedAt);
    }

    private static String text(JsonParser p, JsonToken value, String name) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException(name + " must be a string");
        }
        return p.getText();
    }
}
