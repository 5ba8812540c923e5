package io.auditkeeper.archiver.index;

import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.schema.EventIndexTemplate;
import org.opensearch.client.opensearch.OpenSearchClient;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Indexes documents into OpenSearch: the façade the index writer (and the benches and tests) use. Normalized audit
 * events (docs/schema.md) go to one index per UTC day behind the alias of the prefix, under a deterministic id
 * ({@link IndexRouting}); alerts and archive entries go where their {@link DocumentKind} places them. Each part of the
 * work has its own class, by reason to change:
 *
 * <ul>
 *   <li>{@link IndexRouting}: the events' id and index-name scheme;</li>
 *   <li>{@link IndexTemplates}: the index templates and their mappings;</li>
 *   <li>{@link BulkRequestBody}: the NDJSON {@code _bulk} body, built from the source bytes, split by bytes and count;</li>
 *   <li>{@link RetryingBulkSender} with {@link BulkRetryStrategy} and {@link BulkResponseParser}: sending, retry
 *       with backoff, and reading each answer into indexed, to retry and refused.</li>
 * </ul>
 *
 * <p>Items that fail with 429 or 5xx, and whole requests that fail with 429, 5xx or an I/O error, are retried with
 * exponential backoff (with jitter) up to {@link Settings#maxRetries()} rounds; if some are still failing after that,
 * {@link #index(List)} throws {@link IndexingException} (the caller must not commit its offsets; a retry is harmless,
 * the ids being deterministic). Items refused for good (any other 4xx, e.g. a mapping error) and documents that are not
 * a JSON object with {@code cluster}, {@code auditID} and {@code stage} are returned in {@link BulkResult#rejected()}
 * with the error type and reason; none is ever silently dropped.
 *
 * <p>The client comes from {@link io.auditkeeper.opensearch.OpenSearchClientFactory} (TLS, basic
 * auth, client certificates, SigV4). Thread-safe if the client is.
 */
public final class OpenSearchIndexer {
    /** The events' template resource next to this class. */
    public static final String TEMPLATE_RESOURCE = IndexTemplates.EVENTS_TEMPLATE_RESOURCE;
    public static final String DEFAULT_PREFIX = "audit-events";
    public static final String UNDATED_SUFFIX = IndexRouting.UNDATED_SUFFIX;
    static final String INVALID_DOCUMENT = "invalid_document";

    private final Settings settings;
    private final IndexTemplates templates;
    private final RetryingBulkSender sender;
    private final DocumentKind events;

    /**
     * @param indexPrefix the alias, the template's name and the prefix of the daily indices
     * @param replicas replicas per index (0 for a single node such as the local stack)
     * @param maxRetries retry rounds after the first attempt for items or requests failing with 429/5xx/IO errors
     * @param initialBackoff wait before the first retry round; doubled each round, capped at 30 s
     * @param maxBulkBytes largest NDJSON body of one {@code _bulk} request (a single larger document goes alone)
     * @param maxBulkDocs most documents in one {@code _bulk} request
     * @param docIdBloomFilter the events' indices get the Bloom filter over {@code _id} (OpenSearch 2.13 or later)
     */
    public record Settings(String indexPrefix, int replicas, int maxRetries, Duration initialBackoff, long maxBulkBytes,
                           int maxBulkDocs, boolean docIdBloomFilter) {
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

        /**
         * Prefix {@code audit-events}, 1 replica, 5 retries from 200 ms, 5 MiB / 1000 documents per request, the
         * Bloom filter over {@code _id} on.
         */
        public static Settings defaults() {
            return new Settings(DEFAULT_PREFIX, 1, 5, Duration.ofMillis(200), DEFAULT_MAX_BULK_BYTES,
                    DEFAULT_MAX_BULK_DOCS, true);
        }

        public Settings withIndexPrefix(String prefix) {
            return new Settings(prefix, replicas, maxRetries, initialBackoff, maxBulkBytes, maxBulkDocs,
                    docIdBloomFilter);
        }

        public Settings withReplicas(int r) {
            return new Settings(indexPrefix, r, maxRetries, initialBackoff, maxBulkBytes, maxBulkDocs, docIdBloomFilter);
        }

        public Settings withRetries(int retries, Duration backoff) {
            return new Settings(indexPrefix, replicas, retries, backoff, maxBulkBytes, maxBulkDocs, docIdBloomFilter);
        }

        public Settings withBulkLimits(long bytes, int docs) {
            return new Settings(indexPrefix, replicas, maxRetries, initialBackoff, bytes, docs, docIdBloomFilter);
        }

        public Settings withDocIdBloomFilter(boolean on) {
            return new Settings(indexPrefix, replicas, maxRetries, initialBackoff, maxBulkBytes, maxBulkDocs, on);
        }

        /** The events' template options these settings choose. */
        public EventIndexTemplate.Options templateOptions() {
            return new EventIndexTemplate.Options(replicas, docIdBloomFilter);
        }

        /** The longest the waits between a request's retry rounds can add up to, jitter included. */
        public Duration longestBackoffs() {
            Duration total = Duration.ZERO;
            for (int round = 0; round < maxRetries; round++) {
                long capped = Math.min(Math.max(initialBackoff.toMillis() << Math.min(round, 20), 0),
                        BulkRetryStrategy.MAX_BACKOFF.toMillis());
                total = total.plusMillis(capped + capped / 5);
            }
            return total;
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

    public OpenSearchIndexer(OpenSearchClient client, Settings settings) {
        Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.templates = new IndexTemplates(client, settings);
        this.sender = new RetryingBulkSender(client, new BulkRetryStrategy(settings.maxRetries(), settings.initialBackoff()),
                settings.maxBulkBytes(), settings.maxBulkDocs());
        this.events = new DocumentKind() {
            @Override
            public Placement place(byte[] source) throws IOException {
                return IndexRouting.placeEvent(settings.indexPrefix(), source);
            }

            @Override
            public String templateName() {
                return settings.indexPrefix();
            }

            @Override
            public byte[] templateJson(int replicas) throws IOException {
                return templates.eventsTemplateJson();
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
        return templates.eventsTemplateJson();
    }

    /** Creates or updates the composable index template named after the prefix (idempotent). */
    public void ensureTemplate() throws IOException {
        ensureTemplate(events);
    }

    /** Creates or updates the composable index template of a kind of document (idempotent). */
    public void ensureTemplate(DocumentKind kind) throws IOException {
        templates.put(kind);
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
        List<BulkRequestBody.Item> items = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            Doc doc = docs.get(i);
            DocumentKind.Placement placement;
            try {
                placement = kind.place(doc.source());
            } catch (IOException | IllegalArgumentException e) {
                rejected.add(new Rejected(i, null, null, 0, INVALID_DOCUMENT, e.getMessage()));
                continue;
            }
            items.add(new BulkRequestBody.Item(i, placement.id(), placement.index(),
                    BulkRequestBody.sourceLine(doc.source(), doc.topic(), doc.partition(), doc.offset())));
        }
        return sender.send(items, rejected, docs.size());
    }
}
