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
 *
 * <p>Nothing about one item refuses the batch: an item larger than the per-event limit is rejected as an item (its
 * summary goes to the dead-letter topic, {@link EventSummary}), and a batch with more items than the per-round limit
 * is handed over in rounds of at most that many, so the item list held at once stays bounded however many items a
 * body holds. Such a batch is parsed twice (once to check it is valid, once to hand its rounds over); a batch within
 * the limit, the common case, once.
 */
public final class EventListSplitter {
    private static final String API_GROUP_PREFIX = "audit.k8s.io/";

    /** Takes the rounds of a batch in body order; false stops the split (the batch has failed). */
    @FunctionalInterface
    public interface RoundSink {
        boolean accept(SplitBatch round);
    }

    private final JsonFactory factory;
    private final int maxEventsPerRound;
    private final long maxEventBytes;

    /** Without a per-event limit. */
    public EventListSplitter(int maxEventsPerRound) {
        this(maxEventsPerRound, Long.MAX_VALUE);
    }

    public EventListSplitter(int maxEventsPerRound, long maxEventBytes) {
        this.factory = AuditJson.factory();
        this.maxEventsPerRound = maxEventsPerRound;
        this.maxEventBytes = maxEventBytes;
    }

    /** The whole batch at once, however many items it holds (for tools and tests; the webhook uses rounds). */
    public SplitBatch split(byte[] body, int length) throws InvalidBatchException {
        Round all = new Round(0, Integer.MAX_VALUE, null);
        parse(body, length, all);
        return all.batch();
    }

    /**
     * Checks the whole body, then hands its items to {@code sink} in rounds of at most the per-round limit, in body
     * order; nothing reaches the sink if the body is not a valid EventList. An empty batch is one empty round.
     *
     * @return the number of rounds handed over (fewer than needed if the sink stopped the split)
     */
    public int split(byte[] body, int length, RoundSink sink) throws InvalidBatchException {
        Round first = new Round(0, maxEventsPerRound, null);
        parse(body, length, first);
        if (!sink.accept(first.batch())) {
            return 1;
        }
        if (!first.overflowed) {
            return 1;
        }
        Round rest = new Round(maxEventsPerRound, maxEventsPerRound, sink);
        parse(body, length, rest);
        if (!rest.stopped && !rest.isEmpty()) {
            rest.emit();
        }
        return 1 + rest.emitted;
    }

    private void parse(byte[] body, int length, Round round) throws InvalidBatchException {
        try (JsonParser p = factory.createParser(body, 0, length)) {
            splitDocument(p, body, round);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : " at byte " + loc.getByteOffset() + " (line " + loc.getLineNr()
                    + ", column " + loc.getColumnNr() + ")";
            throw new InvalidBatchException(DeadLetterReason.MALFORMED_JSON, "the body is not valid JSON" + where);
        } catch (IOException e) {
            throw new InvalidBatchException(DeadLetterReason.MALFORMED_JSON, "the body could not be read as JSON");
        }
    }

    private void splitDocument(JsonParser p, byte[] body, Round round) throws IOException, InvalidBatchException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw new InvalidBatchException(DeadLetterReason.MALFORMED_JSON, "the body is empty");
        }
        if (first != JsonToken.START_OBJECT) {
            throw notAnEventList("the body is a JSON " + describe(first) + ", not an EventList object");
        }
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
                        splitItems(p, body, round);
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
    }

    private void splitItems(JsonParser p, byte[] body, Round round) throws IOException {
        int index = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (!round.wants(index)) {
                p.skipChildren();
            } else {
                int start = (int) p.currentTokenLocation().getByteOffset();
                if (t == JsonToken.START_OBJECT) {
                    readEvent(p, body, index, start, round);
                } else {
                    p.skipChildren();
                    p.finishToken();
                    int end = (int) p.currentLocation().getByteOffset();
                    if (end - start > maxEventBytes) {
                        round.rejected.add(tooLarge(body, index, start, end - start, null));
                    } else {
                        round.rejected.add(new RejectedItem(start, end - start, DeadLetterReason.NOT_AN_OBJECT,
                                "item " + index + " is a JSON " + describe(t) + ", not an event object", null));
                    }
                }
                round.added();
            }
            index++;
        }
    }

    private void readEvent(JsonParser p, byte[] body, int index, int start, Round round) throws IOException {
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
        if (end - start > maxEventBytes) {
            round.rejected.add(tooLarge(body, index, start, end - start, auditId == null || auditId.isEmpty() ? null : auditId));
        } else if (auditId == null || auditId.isEmpty()) {
            round.rejected.add(new RejectedItem(start, end - start, DeadLetterReason.MISSING_AUDIT_ID,
                    "item " + index + " has no auditID string", null));
        } else if (stage == null || stage.isEmpty()) {
            round.rejected.add(new RejectedItem(start, end - start, DeadLetterReason.MISSING_STAGE,
                    "item " + index + " has no stage string", auditId));
        } else {
            round.events.add(new EventSlice(start, end - start, auditId, stage));
        }
    }

    private RejectedItem tooLarge(byte[] body, int index, int start, int length, String auditId) {
        return new RejectedItem(start, length, DeadLetterReason.EVENT_TOO_LARGE,
                "item " + index + " is " + length + " bytes, over limits.max-event-bytes (" + maxEventBytes
                        + "); kept as its metadata, size and SHA-256, without its content",
                auditId, EventSummary.of(factory, body, start, length, index, maxEventBytes));
    }

    /**
     * The items of one parse that are collected: from item {@code skip} on, at most {@code size} at a time. Without a
     * sink, collecting stops at {@code size} (the parse only checks the rest); with one, each full round is handed
     * to it and the next begins.
     */
    private static final class Round {
        private final int skip;
        private final int size;
        private final RoundSink sink;
        private List<EventSlice> events = new ArrayList<>();
        private List<RejectedItem> rejected = new ArrayList<>();
        private int count;
        private boolean overflowed;
        private boolean stopped;
        private int emitted;

        Round(int skip, int size, RoundSink sink) {
            this.skip = skip;
            this.size = size;
            this.sink = sink;
        }

        boolean wants(int index) {
            if (index < skip || stopped) {
                return false;
            }
            if (count == size) {
                if (sink == null) {
                    overflowed = true;
                    return false;
                }
                emit();
                return !stopped;
            }
            return true;
        }

        void added() {
            count++;
        }

        boolean isEmpty() {
            return count == 0;
        }

        void emit() {
            emitted++;
            stopped = !sink.accept(batch());
            events = new ArrayList<>();
            rejected = new ArrayList<>();
            count = 0;
        }

        SplitBatch batch() {
            return new SplitBatch(events, rejected);
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
