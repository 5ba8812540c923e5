package io.auditkeeper.archiver.index;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Documents that go to one index (not one per day) with an id built from top-level fields of the document: alerts
 * ({@code audit-alerts}, id from {@code alertId}) and archive manifest entries ({@code audit-archive}, id from topic,
 * partition and offsets). Both are few (one per detection, one per S3 object), so a single index is enough and its
 * template maps them explicitly. The id is the lowercase hex SHA-256 of the fields joined by {@code \n}, so it is
 * safe in a URL and a replay overwrites.
 */
public final class SingleIndexDocuments implements DocumentKind {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

    private final String index;
    private final String templateResource;
    private final List<String> idFields;

    private SingleIndexDocuments(String index, String templateResource, List<String> idFields) {
        this.index = Objects.requireNonNull(index, "index");
        if (index.isBlank() || !index.equals(index.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("index name must be non-blank lowercase: " + index);
        }
        this.templateResource = templateResource;
        this.idFields = List.copyOf(idFields);
    }

    /** Alerts from {@code audit.alerts}: id from {@code alertId}, which the stream-processor derives deterministically. */
    public static SingleIndexDocuments alerts(String index) {
        return new SingleIndexDocuments(index, "audit-alerts-template.json", List.of("alertId"));
    }

    /** Manifest entries of the S3 archive, one per object: id from topic, partition and the object's offsets. */
    public static SingleIndexDocuments archiveEntries(String index) {
        return new SingleIndexDocuments(index, "audit-archive-template.json",
                List.of("topic", "partition", "firstOffset", "lastOffset"));
    }

    @Override
    public Placement place(byte[] source) throws IOException {
        String[] values = new String[idFields.size()];
        try (JsonParser p = JSON.createParser(source)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                int at = idFields.indexOf(p.currentName());
                JsonToken v = p.nextToken();
                if (at >= 0 && v.isScalarValue() && v != JsonToken.VALUE_NULL) {
                    values[at] = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException("malformed JSON object");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null || values[i].isEmpty()) {
                throw new IllegalArgumentException(String.join(", ", idFields) + " required; missing " + idFields.get(i));
            }
        }
        return new Placement(index, sha256(String.join("\n", values)));
    }

    @Override
    public String templateName() {
        return index;
    }

    @Override
    public byte[] templateJson(int replicas) throws IOException {
        ObjectNode root;
        try (InputStream in = SingleIndexDocuments.class.getResourceAsStream(templateResource)) {
            if (in == null) {
                throw new IOException("missing resource " + templateResource);
            }
            root = (ObjectNode) MAPPER.readTree(in);
        }
        root.putArray("index_patterns").add(index);
        ((ObjectNode) root.get("template").get("settings").get("index")).put("number_of_replicas", replicas);
        return MAPPER.writeValueAsBytes(root);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
