package io.auditkeeper.archiver.index;

import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.HttpStatusException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchClientException;
import org.opensearch.client.opensearch.generic.Request;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.httpclient5.ResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Indexes normalized audit events (docs/schema.md) into OpenSearch, one index per UTC day of the event's
 * {@code timestamp} ({@code audit-events-2026.11.27}), falling back to {@code receivedAt}, and to
 * {@code audit-events-undated} when neither is there or readable. All of them carry the alias {@code audit-events}
 * through the index template ({@link #ensureTemplate()}).
 *
 * <p>The document id is the lowercase hex SHA-256 of {@code cluster + "\n" + auditID + "\n" + stage}, so a replay of
 * the topic overwrites and never duplicates. The hot path stays in bytes: only the five small fields needed for the id
 * and the index name are read (streaming parser, the {@code event} subtree is skipped), and the source bytes are
 * copied unchanged into an NDJSON {@code _bulk} body, split by bytes and by count.
 *
 * <p>Items that fail with 429 or 5xx, and whole requests that fail with 429, 5xx or an I/O error, are retried with
 * exponential backoff (with jitter) up to {@link Settings#maxRetries()} rounds; if some are still failing after that,
 * {@link #index(List)} throws {@link IndexingException} (the caller must not commit its offsets; a retry is harmless,
 * the ids being deterministic). Items refused for good (any other 4xx, e.g. a mapping error) and documents that are not
 * a JSON object with {@code cluster}, {@code auditID} and {@code stage} are returned in {@link BulkResult#rejected()}
 * with the error type and reason; none is ever silently dropped.
 *
 * <p>The template maps {@code sourceIPs} with {@code ignore_malformed}: the apiserver fills it from the client-controlled
 * {@code X-Forwarded-For} header (the corpus has {@code 99.999.999.999}), and a bad value there must not keep the
 * event out of the index. Such a value stays in {@code _source} and the field is listed in {@code _ignored}. Every
 * other field our normalizer writes with a guaranteed type, so a mapping error there is a real rejection.
 *
 * <p>The client comes from {@link io.auditkeeper.opensearch.OpenSearchClientFactory} (TLS, basic
 * auth, client certificates, SigV4). Thread-safe if the client is.
 */
public final class OpenSearchIndexer {
    private static final Logger LOG = LoggerFactory.getLogger(OpenSearchIndexer.class);

    /** The template resource next to this class. */
    public static final String TEMPLATE_RESOURCE = "audit-events-template.json";
    public static final String DEFAULT_PREFIX = "audit-events";
    public static final String UNDATED_SUFFIX = "undated";
    static final String INVALID_DOCUMENT = "invalid_document";

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy.MM.dd");
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);
    private static final String NDJSON = "application/x-ndjson";
    private static final Map<String, String> BULK_PARAMS =
            Map.of("filter_path", "errors,items.*._id,items.*._index,items.*.status,items.*.error");

    private final OpenSearchClient client;
    private final Settings settings;
    private final DocumentKind events;

    /**
     * @param indexPrefix the alias, the template's name and the prefix of the daily indices
     * @param replicas replicas per index (0 for a single node such as the local stack)
     * @param maxRetries retry rounds after the first attempt for items or requests failing with 429/5xx/IO errors
     * @param initialBackoff wait before the first retry round; doubled each round, capped at 30 s
     * @param maxBulkBytes largest NDJSON body of one {@code _bulk} request (a single larger document goes alone)
     * @param maxBulkDocs most documents in one {@code _bulk} request
     */
    public record Settings(String indexPrefix, int replicas, int maxRetries, Duration initialBackoff, long maxBulkBytes,
                           int maxBulkDocs) {
        public static final long DEFAULT_MAX_BULK_BYTES = 5L << 20;
        public static final int DEFAULT_MAX_BULK_DOCS = 1000;

        public Settings {
            Objects.requireNonNull(indexPrefix, "indexPrefix");
            if (indexPrefix.isBlank() || !indexPrefix.equals(indexPrefix.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("index prefix must be non-blank lowercase: " + indexPrefix);
            }
            if (replicas < 0 || maxRetries < 0 || maxBulkBytes <= 0 || maxBulkDocs <= 0) {
                throw new IllegalArgumentException("replicas and maxRetries must be >= 0, bulk limits > 0");
            }
            Objects.requireNonNull(initialBackoff, "initialBackoff");
            if (initialBackoff.isNegative()) {
                throw new IllegalArgumentException("initialBackoff must not be negative");
            }
        }

        /** Prefix {@code audit-events}, 1 replica, 5 retries from 200 ms, 5 MiB / 1000 documents per request. */
        public static Settings defaults() {
            return new Settings(DEFAULT_PREFIX, 1, 5, Duration.ofMillis(200), DEFAULT_MAX_BULK_BYTES,
                    DEFAULT_MAX_BULK_DOCS);
        }

        public Settings withIndexPrefix(String prefix) {
            return new Settings(prefix, replicas, maxRetries, initialBackoff, maxBulkBytes, maxBulkDocs);
        }

        public Settings withReplicas(int r) {
            return new Settings(indexPrefix, r, maxRetries, initialBackoff, maxBulkBytes, maxBulkDocs);
        }

        public Settings withRetries(int retries, Duration backoff) {
            return new Settings(indexPrefix, replicas, retries, backoff, maxBulkBytes, maxBulkDocs);
        }

        public Settings withBulkLimits(long bytes, int docs) {
            return new Settings(indexPrefix, replicas, maxRetries, initialBackoff, bytes, docs);
        }
    }

    /**
     * One document: the JSON bytes of a record value and, for normalized events, the record's place in its topic,
     * which the indexer adds to the document as {@code record} ({@code topic}, {@code partition}, {@code offset}) so
     * that a search hit leads to the archive entry (and S3 object) whose offset range holds it.
     */
    public record Doc(byte[] source, String topic, int partition, long offset) {
        public Doc {
            Objects.requireNonNull(source, "source");
        }

        /** A document without its record's place. */
        public Doc(byte[] source) {
            this(source, null, -1, -1);
        }
    }

    /**
     * A document refused for good.
     *
     * @param position its position in the list given to {@link #index(List)}
     * @param id its document id, or null if it could not be derived
     * @param index the index it was sent to, or null if it was not sent
     * @param status the HTTP status of the item (0 if it was not sent)
     * @param errorType the OpenSearch error type (e.g. {@code mapper_parsing_exception}), or {@code invalid_document}
     * @param reason the reason, with the cause's reason where OpenSearch gives one
     */
    public record Rejected(int position, String id, String index, int status, String errorType, String reason) {
    }

    /**
     * @param indexed documents created or overwritten
     * @param rejected documents refused for good, in input order
     * @param retries retry rounds that were needed
     */
    public record BulkResult(int indexed, List<Rejected> rejected, int retries) {
        public BulkResult {
            rejected = List.copyOf(rejected);
        }
    }

    /** Some documents still failed with a transient error after every retry, or OpenSearch refused the request. */
    public static final class IndexingException extends IOException {
        private final int indexed;
        private final int failed;

        IndexingException(String message, int indexed, int failed, Throwable cause) {
            super(message, cause);
            this.indexed = indexed;
            this.failed = failed;
        }

        /** Documents that were indexed before giving up (harmless to send again). */
        public int indexed() {
            return indexed;
        }

        /** Documents that are not known to be indexed. */
        public int failed() {
            return failed;
        }
    }

    /** What the indexer reads from a document: the fields of the id and of the index name. */
    record Target(String cluster, String auditID, String stage, String timestamp, String receivedAt) {
    }

    /** One document ready to send: its position in the input, id, index and the bytes of its source line. */
    record Item(int position, String id, String index, byte[] source) {
        long ndjsonSize() {
            return actionLine(index, id).length + source.length + 1L;
        }
    }

    public OpenSearchIndexer(OpenSearchClient client, Settings settings) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.events = new DocumentKind() {
            @Override
            public Placement place(byte[] source) throws IOException {
                Target t = target(source);
                return new Placement(indexName(settings.indexPrefix(), t.timestamp(), t.receivedAt()),
                        documentId(t.cluster(), t.auditID(), t.stage()));
            }

            @Override
            public String templateName() {
                return settings.indexPrefix();
            }

            @Override
            public byte[] templateJson(int replicas) throws IOException {
                return OpenSearchIndexer.this.templateJson();
            }
        };
    }

    /** Normalized events: daily indices behind the alias of the prefix, ids from (cluster, auditID, stage). */
    public DocumentKind events() {
        return events;
    }

    public Settings settings() {
        return settings;
    }

    /** The index template's JSON for these settings: patterns, alias and replicas from {@link Settings}. */
    public byte[] templateJson() throws IOException {
        JsonNode template;
        try (InputStream in = OpenSearchIndexer.class.getResourceAsStream(TEMPLATE_RESOURCE)) {
            if (in == null) {
                throw new IOException("missing resource " + TEMPLATE_RESOURCE);
            }
            template = MAPPER.readTree(in);
        }
        ObjectNode root = (ObjectNode) template;
        ArrayNode patterns = root.putArray("index_patterns");
        patterns.add(settings.indexPrefix() + "-*");
        ObjectNode body = (ObjectNode) root.get("template");
        ((ObjectNode) body.get("settings").get("index")).put("number_of_replicas", settings.replicas());
        ObjectNode aliases = body.putObject("aliases");
        aliases.putObject(settings.indexPrefix());
        return MAPPER.writeValueAsBytes(root);
    }

    /** Creates or updates the composable index template named after the prefix (idempotent). */
    public void ensureTemplate() throws IOException {
        ensureTemplate(events);
    }

    /** Creates or updates the composable index template of a kind of document (idempotent). */
    public void ensureTemplate(DocumentKind kind) throws IOException {
        Request request = Requests.builder().method("PUT").endpoint("/_index_template/" + kind.templateName())
                .body(Body.from(kind.templateJson(settings.replicas()), "application/json")).build();
        try (Response response = execute(request)) {
            if (response.getStatus() / 100 != 2) {
                throw new HttpStatusException(response.getStatus(), "PUT index template " + kind.templateName()
                        + " failed: " + response.getStatus() + " " + bodyOf(response), null);
            }
        } catch (ResponseException e) {
            throw new HttpStatusException(e.status(), "PUT index template " + settings.indexPrefix() + " failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Indexes the documents; returns when every one is indexed or rejected for good.
     *
     * @throws IndexingException if some still fail with a transient error after all retries, or a whole request is
     *                           refused (e.g. 400, 413; the HttpClient 5 transport reports 401 and 403 as I/O
     *                           errors, so those are retried first): nothing may be taken as indexed then beyond
     *                           {@link IndexingException#indexed()}
     */
    public BulkResult index(List<Doc> docs) throws IOException {
        return index(docs, events);
    }

    /** As {@link #index(List)}, for documents of another kind (alerts, archive entries). */
    public BulkResult index(List<Doc> docs, DocumentKind kind) throws IOException {
        List<Rejected> rejected = new ArrayList<>();
        List<Item> pending = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            byte[] source = docs.get(i).source();
            DocumentKind.Placement placement;
            try {
                placement = kind.place(source);
            } catch (IOException | IllegalArgumentException e) {
                rejected.add(new Rejected(i, null, null, 0, INVALID_DOCUMENT, e.getMessage()));
                continue;
            }
            Doc doc = docs.get(i);
            byte[] line = singleLine(source);
            pending.add(new Item(i, placement.id(), placement.index(),
                    doc.topic() == null ? line : withRecord(line, doc.topic(), doc.partition(), doc.offset())));
        }
        int indexed = 0;
        int round = 0;
        while (true) {
            List<Item> retry = new ArrayList<>();
            IOException lastError = null;
            String lastReason = null;
            for (List<Item> chunk : chunks(pending, settings.maxBulkBytes(), settings.maxBulkDocs())) {
                byte[] body = ndjson(chunk);
                Response response;
                try {
                    response = execute(Requests.builder().method("POST").endpoint("/_bulk").query(BULK_PARAMS)
                            .body(Body.from(body, NDJSON)).build());
                } catch (ResponseException e) {
                    // the HttpClient 5 transport reports error statuses as exceptions
                    if (e.status() != 429 && e.status() < 500) {
                        throw new IndexingException("bulk request refused: " + e.getMessage(), indexed,
                                docs.size() - indexed - rejected.size(), e);
                    }
                    lastError = e;
                    lastReason = e.getMessage();
                    retry.addAll(chunk);
                    continue;
                } catch (IOException e) {
                    lastError = e;
                    lastReason = e.toString();
                    retry.addAll(chunk);
                    continue;
                }
                try (response) {
                    int status = response.getStatus();
                    if (status == 429 || status >= 500) {
                        lastReason = "bulk request: " + status + " " + bodyOf(response);
                        retry.addAll(chunk);
                        continue;
                    }
                    if (status / 100 != 2) {
                        throw new IndexingException("bulk request refused: " + status + " " + bodyOf(response),
                                indexed, docs.size() - indexed - rejected.size(), null);
                    }
                    JsonNode result = MAPPER.readTree(response.getBody().orElseThrow(
                            () -> new IOException("bulk response without a body")).body());
                    JsonNode items = result.path("items");
                    if (items.size() != chunk.size()) {
                        throw new IndexingException("bulk response has " + items.size() + " items for "
                                + chunk.size() + " documents", indexed, docs.size() - indexed - rejected.size(), null);
                    }
                    for (int k = 0; k < chunk.size(); k++) {
                        Item item = chunk.get(k);
                        JsonNode outcome = first(items.get(k));
                        int itemStatus = outcome.path("status").asInt(0);
                        if (itemStatus / 100 == 2) {
                            indexed++;
                        } else if (itemStatus == 429 || itemStatus >= 500 || itemStatus == 0) {
                            lastReason = itemStatus + " " + outcome.path("error");
                            retry.add(item);
                        } else {
                            JsonNode error = outcome.path("error");
                            rejected.add(new Rejected(item.position(), item.id(), item.index(), itemStatus,
                                    error.path("type").asText("unknown"), reason(error)));
                        }
                    }
                }
            }
            if (retry.isEmpty()) {
                rejected.sort((a, b) -> Integer.compare(a.position(), b.position()));
                return new BulkResult(indexed, rejected, round);
            }
            if (round >= settings.maxRetries()) {
                throw new IndexingException(retry.size() + " document(s) still failing after " + round
                        + " retries; last: " + lastReason, indexed, retry.size(), lastError);
            }
            Duration wait = backoff(settings.initialBackoff(), round);
            LOG.warn("retrying {} document(s) in {} ms (round {} of {}); last error: {}", retry.size(),
                    wait.toMillis(), round + 1, settings.maxRetries(), lastReason);
            sleep(wait);
            pending = retry;
            round++;
        }
    }

    private Response execute(Request request) throws IOException {
        try {
            return client.generic().execute(request);
        } catch (OpenSearchClientException e) {
            return e.response();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Pure functions (package-private for the unit tests)

    /** Lowercase hex SHA-256 of {@code cluster + "\n" + auditID + "\n" + stage} in UTF-8. */
    static String documentId(String cluster, String auditID, String stage) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((cluster + "\n" + auditID + "\n" + stage).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code <prefix>-yyyy.MM.dd} of the UTC day of {@code timestamp}, else of {@code receivedAt}, else
     * {@code <prefix>-undated}. A value that is not RFC 3339 counts as absent.
     */
    static String indexName(String prefix, String timestamp, String receivedAt) {
        Optional<String> day = utcDay(timestamp).or(() -> utcDay(receivedAt));
        return prefix + "-" + day.orElse(UNDATED_SUFFIX);
    }

    private static Optional<String> utcDay(String rfc3339) {
        if (rfc3339 == null || rfc3339.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(rfc3339).withOffsetSameInstant(ZoneOffset.UTC).format(DAY));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
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
        byte[] out = java.util.Arrays.copyOf(object, end + field.length);
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

    static Duration backoff(Duration initial, int round) {
        long base = initial.toMillis() << Math.min(round, 20);
        long capped = Math.min(Math.max(base, 0), MAX_BACKOFF.toMillis());
        long jitter = capped <= 0 ? 0 : ThreadLocalRandom.current().nextLong(capped / 5 + 1);
        return Duration.ofMillis(capped + jitter);
    }

    private static void sleep(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while backing off");
        }
    }

    private static JsonNode first(JsonNode item) {
        if (item == null || !item.isObject() || item.size() == 0) {
            return MAPPER.createObjectNode();
        }
        return item.elements().next();
    }

    private static String reason(JsonNode error) {
        String reason = error.path("reason").asText("");
        JsonNode cause = error.path("caused_by");
        if (cause.isObject()) {
            String c = cause.path("type").asText("") + ": " + cause.path("reason").asText("");
            reason = reason.isEmpty() ? c : reason + " (caused by " + c + ")";
        }
        return reason.isEmpty() ? error.toString() : reason;
    }

    private static String bodyOf(Response response) {
        return response.getBody().map(Body::bodyAsString).orElse("");
    }
}
