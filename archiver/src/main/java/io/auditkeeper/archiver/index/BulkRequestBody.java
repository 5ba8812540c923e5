package io.auditkeeper.archiver.index;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The NDJSON body of {@code _bulk} requests, built from the records' bytes: an action line and the source line per
 * document, split into requests by bytes and by count. The hot path stays in bytes: a compact source is copied
 * unchanged, the {@code record} field is spliced in before the closing brace, and only a source with line breaks
 * (possible only as whitespace) is re-emitted, token by token, without building a tree.
 */
final class BulkRequestBody {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

    /** One document ready to send: its position in the input, id, index and the bytes of its source line. */
    record Item(int position, String id, String index, byte[] source) {
        long ndjsonSize() {
            return actionLine(index, id).length + source.length + 1L;
        }
    }

    private BulkRequestBody() {
    }

    /**
     * The source line of one document: the source on one line, with its record's place as {@code record} when the
     * topic is known.
     */
    static byte[] sourceLine(byte[] source, String topic, int partition, long offset) throws IOException {
        byte[] line = singleLine(source);
        return topic == null ? line : withRecord(line, topic, partition, offset);
    }

    /** Splits into requests of at most {@code maxDocs} documents and {@code maxBytes} of NDJSON (never empty ones). */
    static List<List<Item>> chunks(List<Item> items, long maxBytes, int maxDocs) {
        List<List<Item>> out = new ArrayList<>();
        List<Item> current = new ArrayList<>();
        long bytes = 0;
        for (Item item : items) {
            long size = item.ndjsonSize();
            if (!current.isEmpty() && (current.size() >= maxDocs || bytes + size > maxBytes)) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(item);
            bytes += size;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    /** The body of one request: action line and source line of each item, each ending with a line break. */
    static byte[] ndjson(List<Item> chunk) {
        long size = 0;
        for (Item item : chunk) {
            size += item.ndjsonSize();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(size, Integer.MAX_VALUE - 8));
        for (Item item : chunk) {
            out.writeBytes(actionLine(item.index(), item.id()));
            out.writeBytes(item.source());
            out.write('\n');
        }
        return out.toByteArray();
    }

    /**
     * The object with {@code "record":{"topic":..,"partition":..,"offset":..}} added as its last field, spliced into
     * the bytes (which {@link DocumentKind#place} has read as one JSON object) without rebuilding them.
     */
    static byte[] withRecord(byte[] object, String topic, int partition, long offset) {
        int end = object.length - 1;
        while (end >= 0 && (object[end] == ' ' || object[end] == '\t' || object[end] == '\n' || object[end] == '\r')) {
            end--;
        }
        if (end < 1 || object[end] != '}') {
            throw new IllegalArgumentException("not a JSON object");
        }
        int before = end - 1;
        while (before >= 0 && (object[before] == ' ' || object[before] == '\t' || object[before] == '\n' || object[before] == '\r')) {
            before--;
        }
        boolean empty = before >= 0 && object[before] == '{';
        byte[] field = ((empty ? "" : ",") + "\"record\":{\"topic\":" + quoted(topic) + ",\"partition\":" + partition
                + ",\"offset\":" + offset + "}}").getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(object, end + field.length);
        System.arraycopy(field, 0, out, end, field.length);
        return out;
    }

    private static String quoted(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] actionLine(String index, String id) {
        // index names and hex ids need no JSON escaping
        return ("{\"index\":{\"_index\":\"" + index + "\",\"_id\":\"" + id + "\"}}\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The source as one NDJSON line: unchanged unless it has line breaks (only possible as whitespace). */
    static byte[] singleLine(byte[] source) throws IOException {
        boolean breaks = false;
        for (byte b : source) {
            if (b == '\n' || b == '\r') {
                breaks = true;
                break;
            }
        }
        if (!breaks) {
            return source;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(source.length);
        try (JsonParser p = JSON.createParser(source); JsonGenerator g = JSON.createGenerator(out)) {
            p.nextToken();
            g.copyCurrentStructure(p);
        }
        return out.toByteArray();
    }
}
