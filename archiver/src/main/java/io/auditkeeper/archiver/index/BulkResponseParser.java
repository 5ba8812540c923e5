package io.auditkeeper.archiver.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the answer to one {@code _bulk} request (asked with a {@code filter_path} that keeps only the items' ids,
 * indices, statuses and errors) into what became of each document sent: indexed, to be sent again (a transient
 * status, {@link BulkRetryStrategy#transientItemStatus}), or refused for good with OpenSearch's error type and reason.
 */
final class BulkResponseParser {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * What became of one request's documents.
     *
     * @param indexed    documents created or overwritten
     * @param retry      documents to send again, in request order
     * @param rejected   documents refused for good, in request order
     * @param lastReason status and error of the last transient item, or null when there was none
     */
    record Outcome(int indexed, List<BulkRequestBody.Item> retry, List<OpenSearchIndexer.Rejected> rejected,
                   String lastReason) {
    }

    /** The response does not have one item per document sent. */
    static final class ItemCountMismatch extends IOException {
        ItemCountMismatch(int items, int documents) {
            super("bulk response has " + items + " items for " + documents + " documents");
        }
    }

    private BulkResponseParser() {
    }

    /**
     * @param body  the response body of a 2xx answer
     * @param chunk the documents of the request, in the order they were sent
     * @throws ItemCountMismatch when the response has not one item per document
     * @throws IOException       when the body is not JSON
     */
    static Outcome parse(InputStream body, List<BulkRequestBody.Item> chunk) throws IOException {
        JsonNode items = MAPPER.readTree(body).path("items");
        if (items.size() != chunk.size()) {
            throw new ItemCountMismatch(items.size(), chunk.size());
        }
        int indexed = 0;
        List<BulkRequestBody.Item> retry = new ArrayList<>();
        List<OpenSearchIndexer.Rejected> rejected = new ArrayList<>();
        String lastReason = null;
        for (int k = 0; k < chunk.size(); k++) {
            BulkRequestBody.Item item = chunk.get(k);
            JsonNode outcome = first(items.get(k));
            int status = outcome.path("status").asInt(0);
            if (status / 100 == 2) {
                indexed++;
            } else if (BulkRetryStrategy.transientItemStatus(status)) {
                lastReason = status + " " + outcome.path("error");
                retry.add(item);
            } else {
                JsonNode error = outcome.path("error");
                rejected.add(new OpenSearchIndexer.Rejected(item.position(), item.id(), item.index(), status,
                        error.path("type").asText("unknown"), reason(error)));
            }
        }
        return new Outcome(indexed, retry, rejected, lastReason);
    }

    /** The single action object of an item ({@code {"index": {...}}}), or an empty object. */
    private static JsonNode first(JsonNode item) {
        if (item == null || !item.isObject() || item.size() == 0) {
            return MAPPER.createObjectNode();
        }
        return item.elements().next();
    }

    /** The error's reason, with its cause's type and reason where OpenSearch gives one. */
    static String reason(JsonNode error) {
        String reason = error.path("reason").asText("");
        JsonNode cause = error.path("caused_by");
        if (cause.isObject()) {
            String c = cause.path("type").asText("") + ": " + cause.path("reason").asText("");
            reason = reason.isEmpty() ? c : reason + " (caused by " + c + ")";
        }
        return reason.isEmpty() ? error.toString() : reason;
    }
}
