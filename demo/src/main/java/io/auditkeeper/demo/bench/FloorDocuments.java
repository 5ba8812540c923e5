package io.auditkeeper.demo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.opensearch.schema.EventDocumentIds;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The documents of {@code bench opensearch}: normalized events as the indexer sends them, each with an auditID of its
 * own (so every document is new to OpenSearch and its {@code _id} is the indexer's), made from a few thousand
 * templates by replacing the template's auditID in the bytes. Why not normalize every document: the client shares
 * the two cores with OpenSearch, and the floor should leave OpenSearch all it can.
 */
final class FloorDocuments {
    /** A normalized event with where its auditID stands (as a JSON string, quotes included). */
    private record Template(byte[] json, int[] idAt, int idLength, String cluster, String stage) {
    }

    private final List<Template> templates;
    private final String index;

    private FloorDocuments(List<Template> templates, String index) {
        this.templates = templates;
        this.index = index;
    }

    /**
     * Templates from normalized events, each naming its auditID once or more; every document goes into {@code index}.
     * With {@code withoutEvent}, the whole event (field {@code event}) is left out of every document.
     */
    static FloorDocuments of(List<byte[]> normalized, String index, boolean withoutEvent) throws IOException {
        List<Template> templates = new ArrayList<>(normalized.size());
        for (byte[] original : normalized) {
            JsonNode e = AuditJson.mapper().readTree(original);
            byte[] json = original;
            if (withoutEvent) {
                ((ObjectNode) e).remove("event");
                json = AuditJson.mapper().writeValueAsBytes(e);
            }
            byte[] quoted = ("\"" + e.path("auditID").asText() + "\"").getBytes(StandardCharsets.UTF_8);
            templates.add(new Template(json, occurrences(json, quoted), quoted.length, e.path("cluster").asText(),
                    e.path("stage").asText()));
        }
        return new FloorDocuments(templates, index);
    }

    /** The auditID of document {@code n} of {@code round}: unique in a run. */
    static String auditId(String round, long n) {
        return round + "-" + n;
    }

    /** A {@code _bulk} body of documents {@code first} to {@code first + count - 1} of {@code round}. */
    byte[] bulk(String round, long first, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(count * 3600);
        for (long n = first; n < first + count; n++) {
            Template t = templates.get((int) (n % templates.size()));
            String auditId = auditId(round, n);
            out.writeBytes(("{\"index\":{\"_index\":\"" + index + "\",\"_id\":\""
                    + EventDocumentIds.documentId(t.cluster(), auditId, t.stage()) + "\"}}\n").getBytes(StandardCharsets.UTF_8));
            byte[] quoted = ("\"" + auditId + "\"").getBytes(StandardCharsets.UTF_8);
            int from = 0;
            for (int at : t.idAt()) {
                out.write(t.json(), from, at - from);
                out.writeBytes(quoted);
                from = at + t.idLength();
            }
            out.write(t.json(), from, t.json().length - from);
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** The average size of a document, in bytes. */
    double averageBytes() {
        return templates.stream().mapToInt(t -> t.json().length).average().orElse(0);
    }

    private static int[] occurrences(byte[] in, byte[] what) {
        List<Integer> at = new ArrayList<>();
        outer:
        for (int i = 0; i + what.length <= in.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (in[i + j] != what[j]) {
                    continue outer;
                }
            }
            at.add(i);
            i += what.length - 1;
        }
        if (at.isEmpty()) {
            throw new IllegalArgumentException("a template does not name its auditID");
        }
        return at.stream().mapToInt(Integer::intValue).toArray();
    }
}
