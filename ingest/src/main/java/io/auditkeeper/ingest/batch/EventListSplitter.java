package io.auditkeeper.ingest.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.DeadLetterReason;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an {@code audit.k8s.io} EventList into the byte ranges of its items with Jackson's streaming parser, reading
 * only {@code auditID} and {@code stage} of each event: the hot path never builds a tree, and each event is forwarded
 * byte for byte as the apiserver sent it.
 *
 * <p>Lenient where real apiservers differ: {@code kind} and {@code apiVersion} may be missing (older apiservers),
 * any {@code audit.k8s.io/*} version is taken, and {@code "items": null} (how Go encodes an empty list) is an empty
 * batch. Strict where it matters: the whole body must be valid JSON before anything is forwarded, so a truncated body
 * is refused as a whole and the apiserver's retry resends it.
 */
public final class EventListSplitter {
    private static final String API_GROUP_PREFIX = "audit.k8s.io/";

    private final JsonFactory factory;
    private final int maxEvents;

    public EventListSplitter(int maxEvents) {
        this.factory = AuditJson.factory();
        this.maxEvents = maxEvents;
    }

    public SplitBatch split(byte[] body, int length) throws InvalidBatchException, TooManyEventsException {
        try (JsonParser p = factory.createParser(body, 0, length)) {
            return splitDocument(p);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : " at byte " + loc.getByteOffset() + " (line " + loc.getLineNr()
                    + ", column " + loc.getColumnNr() + ")";
            throw new InvalidBatchException(DeadLetterReason.MALFORMED_JSON, "the body is not valid JSON" + where);
        } catch (IOException e) {
            throw new InvalidBatchException(DeadLetterReason.MALFORMED_JSON, "the body could not be read as JSON");
        }
    }

    private SplitBatch splitDocument(JsonParser p) throws IOException, InvalidBatchException, TooManyEventsException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw new InvalidBatchException(DeadLetterReason.MALFORMED_JSON, "the body is empty");
        }
        if (first != JsonToken.START_OBJECT) {
            throw notAnEventList("the body is a JSON " + describe(first) + ", not an EventList object");
        }
        List<EventSlice> events = new ArrayList<>();
        List<RejectedItem> rejected = new ArrayList<>();
        boolean sawItems = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "kind" -> {
                    if (value != JsonToken.VALUE_STRING || !"EventList".equals(p.getText())) {
                        throw notAnEventList("kind must be \"EventList\"");
                    }
                }
                case "apiVersion" -> {
                    if (value != JsonToken.VALUE_STRING || !p.getText().startsWith(API_GROUP_PREFIX)) {
                        throw notAnEventList("apiVersion must be audit.k8s.io/v1 (or another audit.k8s.io version)");
                    }
                }
                case "items" -> {
                    sawItems = true;
                    if (value == JsonToken.START_ARRAY) {
                        splitItems(p, events, rejected);
                    } else if (value != JsonToken.VALUE_NULL) {
                        throw notAnEventList("items must be an array");
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw new InvalidBatchException(DeadLetterReason.MALFORMED_JSON,
                    "the body has content after the EventList object at byte " + p.currentTokenLocation().getByteOffset());
        }
        if (!sawItems) {
            throw notAnEventList("the object has no items array");
        }
        return new SplitBatch(events, rejected);
    }

    private void splitItems(JsonParser p, List<EventSlice> events, List<RejectedItem> rejected)
            throws IOException, TooManyEventsException {
        int index = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (index == maxEvents) {
                throw new TooManyEventsException(maxEvents);
            }
            int start = (int) p.currentTokenLocation().getByteOffset();
            if (t == JsonToken.START_OBJECT) {
                readEvent(p, index, start, events, rejected);
            } else {
                p.skipChildren();
                p.finishToken();
                int end = (int) p.currentLocation().getByteOffset();
                rejected.add(new RejectedItem(start, end - start, DeadLetterReason.NOT_AN_OBJECT,
                        "item " + index + " is a JSON " + describe(t) + ", not an event object", null));
            }
            index++;
        }
    }

    private static void readEvent(JsonParser p, int index, int start, List<EventSlice> events,
                                  List<RejectedItem> rejected) throws IOException {
        String auditId = null;
        String stage = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if ("auditID".equals(field)) {
                auditId = value == JsonToken.VALUE_STRING ? p.getText() : null;
            } else if ("stage".equals(field)) {
                stage = value == JsonToken.VALUE_STRING ? p.getText() : null;
            } else {
                p.skipChildren();
            }
        }
        int end = (int) p.currentLocation().getByteOffset();
        if (auditId == null || auditId.isEmpty()) {
            rejected.add(new RejectedItem(start, end - start, DeadLetterReason.MISSING_AUDIT_ID,
                    "item " + index + " has no auditID string", null));
        } else if (stage == null || stage.isEmpty()) {
            rejected.add(new RejectedItem(start, end - start, DeadLetterReason.MISSING_STAGE,
                    "item " + index + " has no stage string", auditId));
        } else {
            events.add(new EventSlice(start, end - start, auditId, stage));
        }
    }

    private static InvalidBatchException notAnEventList(String detail) {
        return new InvalidBatchException(DeadLetterReason.NOT_AN_EVENT_LIST, detail);
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_ARRAY -> "array";
            case START_OBJECT -> "object";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> t.name().toLowerCase();
        };
    }
}
