package io.auditkeeper.ingest.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.DeadLetterReason;
import io.auditkeeper.model.json.JsonByteCursor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 *
 * <p>Two readers with the same meaning: a strict byte cursor ({@link JsonByteCursor}, shared with the
 * stream-processor) reads the common body, checking the strings of the bodies it skips eight bytes at a time and never
 * building a field name; anything it does not take (malformed JSON, an escaped field name, an item that is not an
 * object, a repeated {@code items}, a body over Jackson's string limit) is read again by Jackson's streaming parser,
 * which gives every refusal its answer. The cursor is never more lenient than Jackson, so no body is read otherwise
 * than Jackson reads it; both passes of a long batch use the reader the first pass used.
 */
public final class EventListSplitter {
    private static final String API_GROUP_PREFIX = "audit.k8s.io/";
    private static final byte[] KIND = ascii("kind");
    private static final byte[] API_VERSION = ascii("apiVersion");
    private static final byte[] ITEMS = ascii("items");
    private static final byte[] AUDIT_ID = ascii("auditID");
    private static final byte[] STAGE = ascii("stage");
    /** An item's members are at this nesting: the list object, its items array, the item. */
    private static final int ITEM_DEPTH = 3;

    /** Takes the rounds of a batch in body order; false stops the split (the batch has failed). */
    @FunctionalInterface
    public interface RoundSink {
        boolean accept(SplitBatch round);
    }

    private final JsonFactory factory;
    private final int maxEventsPerRound;
    private final long maxEventBytes;
    private final boolean byCursor;

    /** Without a per-event limit. */
    public EventListSplitter(int maxEventsPerRound) {
        this(maxEventsPerRound, Long.MAX_VALUE);
    }

    public EventListSplitter(int maxEventsPerRound, long maxEventBytes) {
        this(maxEventsPerRound, maxEventBytes, true);
    }

    /** With {@code byCursor} false, Jackson reads every body: the reference the cursor's readings are tested against. */
    EventListSplitter(int maxEventsPerRound, long maxEventBytes, boolean byCursor) {
        this.factory = AuditJson.factory();
        this.maxEventsPerRound = maxEventsPerRound;
        this.maxEventBytes = maxEventBytes;
        this.byCursor = byCursor;
    }

    /** The whole batch at once, however many items it holds (for tools and tests; the webhook uses rounds). */
    public SplitBatch split(byte[] body, int length) throws InvalidBatchException {
        return check(body, length, Integer.MAX_VALUE).batch();
    }

    /**
     * Checks the whole body, then hands its items to {@code sink} in rounds of at most the per-round limit, in body
     * order; nothing reaches the sink if the body is not a valid EventList. An empty batch is one empty round.
     *
     * @return the number of rounds handed over (fewer than needed if the sink stopped the split)
     */
    public int split(byte[] body, int length, RoundSink sink) throws InvalidBatchException {
        Round first = check(body, length, maxEventsPerRound);
        if (!sink.accept(first.batch())) {
            return 1;
        }
        if (!first.overflowed) {
            return 1;
        }
        Round rest = new Round(maxEventsPerRound, maxEventsPerRound, sink);
        if (first.byCursor) {
            scan(body, length, rest);
        } else {
            parse(body, length, rest);
        }
        if (!rest.stopped && !rest.isEmpty()) {
            rest.emit();
        }
        return 1 + rest.emitted;
    }

    /** Whether the cursor, not Jackson, reads this body: the fast way, meant for every body an apiserver sends. */
    boolean readsByCursor(byte[] body, int length) throws InvalidBatchException {
        return check(body, length, maxEventsPerRound).byCursor;
    }

    /** The first pass: the whole body checked, its first {@code size} items collected, by the cursor if it can. */
    private Round check(byte[] body, int length, int size) throws InvalidBatchException {
        if (byCursor && length <= AuditJson.MAX_STRING_LENGTH) {
            Round round = new Round(0, size, null);
            try {
                scan(body, length, round);
                round.byCursor = true;
                return round;
            } catch (JsonByteCursor.Refused e) {
                // not the common form: Jackson reads it and answers whatever is wrong
            }
        }
        Round round = new Round(0, size, null);
        parse(body, length, round);
        return round;
    }

    /**
     * The cursor's reading of the whole body. Every item is read the same way whether it is collected or not, so a
     * second pass over a body the first pass took is taken too.
     */
    private void scan(byte[] body, int length, Round round) {
        JsonByteCursor c = new JsonByteCursor(body, 0, length);
        c.expect('{');
        boolean sawItems = false;
        if (!c.consume('}')) {
            do {
                c.name();
                if (c.nameIs(KIND)) {
                    if (!"EventList".equals(c.text())) {
                        throw JsonByteCursor.fail();
                    }
                } else if (c.nameIs(API_VERSION)) {
                    if (!c.text().startsWith(API_GROUP_PREFIX)) {
                        throw JsonByteCursor.fail();
                    }
                } else if (c.nameIs(ITEMS)) {
                    if (sawItems) {
                        throw JsonByteCursor.fail();
                    }
                    sawItems = true;
                    if (!c.consumeNull()) {
                        scanItems(c, body, round);
                    }
                } else {
                    c.skipValue(1);
                }
            } while (c.consume(','));
            c.expect('}');
        }
        if (!sawItems || !c.atEnd()) {
            throw JsonByteCursor.fail();
        }
    }

    private void scanItems(JsonByteCursor c, byte[] body, Round round) {
        c.expect('[');
        if (c.consume(']')) {
            return;
        }
        int index = 0;
        do {
            if (c.peek() != '{') {
                throw JsonByteCursor.fail();
            }
            int start = c.position();
            c.expect('{');
            String auditId = null;
            String stage = null;
            if (!c.consume('}')) {
                do {
                    c.name();
                    if (c.nameIs(AUDIT_ID)) {
                        auditId = stringOrSkip(c);
                    } else if (c.nameIs(STAGE)) {
                        stage = stringOrSkip(c);
                    } else {
                        c.skipValue(ITEM_DEPTH);
                    }
                } while (c.consume(','));
                c.expect('}');
            }
            if (round.wants(index)) {
                classify(body, index, start, c.position(), auditId, stage, round);
                round.added();
            }
            index++;
        } while (c.consume(','));
        c.expect(']');
    }

    /** Jackson's reading of a member the splitter wants: its text if it is a string, else nothing. */
    private static String stringOrSkip(JsonByteCursor c) {
        if (c.peek() == '"') {
            return c.text();
        }
        c.skipValue(ITEM_DEPTH);
        return null;
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
            if (value != JsonToken.VALUE_STRING) {
                p.skipChildren();
            }
            if ("auditID".equals(field)) {
                auditId = value == JsonToken.VALUE_STRING ? p.getText() : null;
            } else if ("stage".equals(field)) {
                stage = value == JsonToken.VALUE_STRING ? p.getText() : null;
            }
        }
        classify(body, index, start, (int) p.currentLocation().getByteOffset(), auditId, stage, round);
    }

    /** What one object item is: an event to forward, or an item rejected with its reason. */
    private void classify(byte[] body, int index, int start, int end, String auditId, String stage, Round round) {
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
        private boolean byCursor;

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

    private static byte[] ascii(String name) {
        return name.getBytes(StandardCharsets.US_ASCII);
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
