package io.auditkeeper.evidence.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import io.auditkeeper.model.AuditJson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The file formats: a manifest file is NDJSON, one {@link ManifestEntry} per line with every field present, each line
 * ending in {@code \n}; a digest file is one {@link Digest} JSON document. Reading is strict, since these files are
 * evidence: an unknown, missing or repeated field, a blank line, a {@code \r}, or trailing data is an error with its
 * line number; only the final newline is optional. The file's JSON is not what is signed (see the canonical forms), so
 * reformatting a file does not invalidate it, but editing a value does.
 */
public final class ManifestCodec {
    private static final ObjectReader ENTRY = strict(AuditJson.mapper().readerFor(ManifestEntry.class));
    private static final ObjectReader DIGEST = strict(AuditJson.mapper().readerFor(Digest.class));
    private static final ObjectReader KEY_RECORD = strict(AuditJson.mapper().readerFor(KeyRecord.class));
    private static final ObjectReader REVOCATION = strict(AuditJson.mapper().readerFor(KeyRevocation.class));

    private ManifestCodec() {
    }

    /** One JSON line per entry, in list order. */
    public static byte[] write(List<ManifestEntry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(entries.size() * 768);
        for (ManifestEntry entry : entries) {
            out.writeBytes(json(entry));
            out.write('\n');
        }
        return out.toByteArray();
    }

    /**
     * The entries of a manifest file, in file order.
     *
     * @throws ManifestFormatException naming the 1-based line at fault
     */
    public static List<ManifestEntry> read(byte[] ndjson) {
        String text = new String(ndjson, StandardCharsets.UTF_8);
        if (text.isEmpty()) {
            return List.of();
        }
        String[] lines = text.split("\n", -1);
        int count = text.endsWith("\n") ? lines.length - 1 : lines.length;
        List<ManifestEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int lineNumber = i + 1;
            String line = lines[i];
            if (line.isBlank()) {
                throw new ManifestFormatException(lineNumber, "manifest line " + lineNumber + " is empty", null);
            }
            if (line.indexOf('\r') >= 0) {
                throw new ManifestFormatException(lineNumber, "manifest line " + lineNumber
                        + " contains a carriage return; lines end with \\n only", null);
            }
            try {
                entries.add(ENTRY.readValue(withOptionalFields(ENTRY.readTree(line), "keyId", "merkleRoot")));
            } catch (JsonProcessingException e) {
                throw new ManifestFormatException(lineNumber, "manifest line " + lineNumber + ": "
                        + e.getOriginalMessage(), e);
            } catch (IOException | RuntimeException e) {
                throw new ManifestFormatException(lineNumber, "manifest line " + lineNumber + ": " + e, e);
            }
        }
        return entries;
    }

    /** A digest as one JSON document followed by a newline. */
    public static byte[] writeDigest(Digest digest) {
        return document(digest);
    }

    /**
     * A digest file.
     *
     * @throws ManifestFormatException when it is not exactly one digest
     */
    public static Digest readDigest(byte[] json) {
        return readDocument(DIGEST, json, "digest", true);
    }

    /** A revocation as one JSON document followed by a newline. */
    public static byte[] writeRevocation(KeyRevocation revocation) {
        return document(revocation);
    }

    /**
     * A revocation file.
     *
     * @throws ManifestFormatException when it is not exactly one revocation
     */
    public static KeyRevocation readRevocation(byte[] json) {
        return readDocument(REVOCATION, json, "revocation", false);
    }

    /** A key record as one JSON document followed by a newline. */
    public static byte[] writeKeyRecord(KeyRecord record) {
        return document(record);
    }

    /**
     * A key record file.
     *
     * @throws ManifestFormatException when it is not exactly one key record
     */
    public static KeyRecord readKeyRecord(byte[] json) {
        return readDocument(KEY_RECORD, json, "key record", false);
    }

    /**
     * Format version 1 has no {@code keyId}, and versions before 3 no {@code merkleRoot}; absent, they are made
     * explicit (null) so that every other field stays required. A non-object is left for the typed read to refuse.
     */
    private static com.fasterxml.jackson.databind.JsonNode withOptionalFields(
            com.fasterxml.jackson.databind.JsonNode tree, String... optional) {
        if (tree instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            for (String field : optional) {
                if (!o.has(field)) {
                    o.putNull(field);
                }
            }
        }
        return tree;
    }

    /** One JSON document followed by a newline. */
    private static byte[] document(Object value) {
        byte[] json = json(value);
        byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
        out[json.length] = '\n';
        return out;
    }

    /** One document of a file; {@code versioned}: a format whose version 1 has no {@code keyId}. */
    private static <T> T readDocument(ObjectReader reader, byte[] json, String what, boolean versioned) {
        try {
            return versioned ? reader.readValue(withOptionalFields(reader.readTree(json), "keyId")) : reader.readValue(json);
        } catch (JsonProcessingException e) {
            throw new ManifestFormatException(0, what + ": " + e.getOriginalMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new ManifestFormatException(0, what + ": " + e, e);
        }
    }

    private static byte[] json(Object value) {
        try {
            return AuditJson.mapper().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectReader strict(ObjectReader reader) {
        return reader.with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                        DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
                        DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }
}
