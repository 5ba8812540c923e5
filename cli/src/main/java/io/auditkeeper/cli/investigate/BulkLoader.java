package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Indexes documents with {@code _bulk} for {@code rehydrate}, until each one is indexed or refused for good. A cluster
 * busy with the hot indices answers 429 (or 5xx) to a request or to some of its items: those are sent again after a
 * backoff that doubles from {@code initialBackoff} (capped at 30 s) for up to {@code maxRetries} rounds. Any other
 * error of an item (a mapping error) refuses that document for good; it is returned, never dropped in silence.
 */
final class BulkLoader {
    /** One document: its index, deterministic id and JSON source on one line. */
    record Item(String index, String id, byte[] source) {
    }

    /** A document refused for good, with OpenSearch's status and reason. */
    record Refused(Item item, int status, String reason) {
    }

    /** Some documents still failed with 429/5xx after every retry, or a whole request was refused. */
    static final class BulkException extends IOException {
        BulkException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, String> PARAMS =
            Map.of("filter_path", "errors,items.*._id,items.*.status,items.*.error");
    private static final long MAX_BACKOFF_MS = 30_000;

    private final OpenSearchRest rest;
    private final int maxRetries;
    private final Duration initialBackoff;

    BulkLoader(OpenSearchRest rest, int maxRetries, Duration initialBackoff) {
        this.rest = rest;
        this.maxRetries = maxRetries;
        this.initialBackoff = initialBackoff;
    }

    /** Sends the items in one request (and retry rounds); returns the refused ones. */
    List<Refused> send(List<Item> items) throws IOException {
        List<Refused> refused = new ArrayList<>();
        List<Item> pending = items;
        String last = "";
        for (int round = 0; !pending.isEmpty(); round++) {
            if (round > 0) {
                if (round > maxRetries) {
                    throw new BulkException(pending.size() + " document(s) still failing after " + maxRetries
                            + " retries; last: " + last);
                }
                backOff(round - 1);
            }
            OpenSearchRest.Reply reply;
            try {
                reply = rest.call("POST", "/_bulk", PARAMS, ndjson(pending), "application/x-ndjson");
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                last = e.toString();
                continue;
            }
            if (reply.status() == 429 || reply.status() >= 500) {
                last = "bulk request: " + reply.status() + " " + reply.body();
                continue;
            }
            if (!reply.ok()) {
                throw new BulkException("bulk request refused: " + reply.status() + " " + reply.body());
            }
            JsonNode answers = MAPPER.readTree(reply.body()).path("items");
            if (answers.size() != pending.size()) {
                throw new BulkException("bulk response has " + answers.size() + " items for " + pending.size()
                        + " documents");
            }
            List<Item> retry = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                JsonNode a = answers.get(i).elements().hasNext() ? answers.get(i).elements().next()
                        : MAPPER.createObjectNode();
                int status = a.path("status").asInt(0);
                if (status / 100 == 2) {
                    continue;
                }
                if (status == 429 || status >= 500 || status == 0) {
                    last = status + " " + a.path("error");
                    retry.add(pending.get(i));
                } else {
                    JsonNode error = a.path("error");
                    refused.add(new Refused(pending.get(i), status, error.path("type").asText("unknown") + ": "
                            + error.path("reason").asText(error.toString())));
                }
            }
            pending = retry;
        }
        return refused;
    }

    static byte[] ndjson(List<Item> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Item item : items) {
            // index names and hex ids need no JSON escaping
            out.writeBytes(("{\"index\":{\"_index\":\"" + item.index() + "\",\"_id\":\"" + item.id() + "\"}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.writeBytes(item.source());
            out.write('\n');
        }
        return out.toByteArray();
    }

    private void backOff(int round) throws InterruptedIOException {
        long wait = Math.min(initialBackoff.toMillis() << Math.min(round, 20), MAX_BACKOFF_MS);
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while backing off");
        }
    }
}
