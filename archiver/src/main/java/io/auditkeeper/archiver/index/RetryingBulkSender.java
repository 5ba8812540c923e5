package io.auditkeeper.archiver.index;

import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchClientException;
import org.opensearch.client.opensearch.generic.Request;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.httpclient5.ResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sends prepared documents with {@code _bulk} requests until each one is indexed or refused for good, synchronously,
 * so that the caller knows the fate of every document before it commits offsets.
 *
 * <p>Each round splits what is pending into requests ({@link BulkRequestBody}), sends them one after the other, and
 * reads each answer ({@link BulkResponseParser}); what failed with a transient error ({@link BulkRetryStrategy}) is
 * sent again in the next round, after a backoff. Whole requests failing with 429, 5xx or an I/O error are retried
 * whole. A request refused for good (any other error status, e.g. 400 or 413) ends the call with an
 * {@link OpenSearchIndexer.IndexingException}, and so do documents still failing after the last round.
 */
final class RetryingBulkSender {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingBulkSender.class);
    private static final String NDJSON = "application/x-ndjson";
    private static final Map<String, String> BULK_PARAMS =
            Map.of("filter_path", "errors,items.*._id,items.*._index,items.*.status,items.*.error");

    private final OpenSearchClient client;
    private final BulkRetryStrategy strategy;
    private final long maxBulkBytes;
    private final int maxBulkDocs;

    RetryingBulkSender(OpenSearchClient client, BulkRetryStrategy strategy, long maxBulkBytes, int maxBulkDocs) {
        this.client = Objects.requireNonNull(client, "client");
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.maxBulkBytes = maxBulkBytes;
        this.maxBulkDocs = maxBulkDocs;
    }

    /**
     * Sends the items; returns when every one is indexed or refused for good.
     *
     * @param items    the documents to send, each with its position in the caller's list
     * @param rejected the documents the caller already refused (not sent); the refused ones are added, and the whole
     *                 list comes back sorted by position in the result
     * @param total    the number of documents of the caller's list (for the counts of an {@code IndexingException})
     * @throws OpenSearchIndexer.IndexingException when some still fail after every retry, or a request is refused
     */
    OpenSearchIndexer.BulkResult send(List<BulkRequestBody.Item> items, List<OpenSearchIndexer.Rejected> rejected,
                                      int total) throws IOException {
        List<BulkRequestBody.Item> pending = items;
        int indexed = 0;
        int round = 0;
        while (true) {
            List<BulkRequestBody.Item> retry = new ArrayList<>();
            IOException lastError = null;
            String lastReason = null;
            for (List<BulkRequestBody.Item> chunk : BulkRequestBody.chunks(pending, maxBulkBytes, maxBulkDocs)) {
                Response response;
                try {
                    response = execute(Requests.builder().method("POST").endpoint("/_bulk").query(BULK_PARAMS)
                            .body(Body.from(BulkRequestBody.ndjson(chunk), NDJSON)).build());
                } catch (ResponseException e) {
                    // the HttpClient 5 transport reports error statuses as exceptions
                    if (!BulkRetryStrategy.transientRequestStatus(e.status())) {
                        throw new OpenSearchIndexer.IndexingException("bulk request refused: " + e.getMessage(), indexed,
                                total - indexed - rejected.size(), e);
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
                    if (BulkRetryStrategy.transientRequestStatus(status)) {
                        lastReason = "bulk request: " + status + " " + bodyOf(response);
                        retry.addAll(chunk);
                        continue;
                    }
                    if (status / 100 != 2) {
                        throw new OpenSearchIndexer.IndexingException("bulk request refused: " + status + " "
                                + bodyOf(response), indexed, total - indexed - rejected.size(), null);
                    }
                    BulkResponseParser.Outcome outcome;
                    try {
                        outcome = BulkResponseParser.parse(response.getBody().orElseThrow(
                                () -> new IOException("bulk response without a body")).body(), chunk);
                    } catch (BulkResponseParser.ItemCountMismatch e) {
                        throw new OpenSearchIndexer.IndexingException(e.getMessage(), indexed,
                                total - indexed - rejected.size(), null);
                    }
                    indexed += outcome.indexed();
                    retry.addAll(outcome.retry());
                    rejected.addAll(outcome.rejected());
                    if (outcome.lastReason() != null) {
                        lastReason = outcome.lastReason();
                    }
                }
            }
            if (retry.isEmpty()) {
                rejected.sort((a, b) -> Integer.compare(a.position(), b.position()));
                return new OpenSearchIndexer.BulkResult(indexed, rejected, round);
            }
            if (strategy.exhausted(round)) {
                throw new OpenSearchIndexer.IndexingException(retry.size() + " document(s) still failing after "
                        + round + " retries; last: " + lastReason, indexed, retry.size(), lastError);
            }
            Duration wait = strategy.backoff(round);
            LOG.warn("retrying {} document(s) in {} ms (round {} of {}); last error: {}", retry.size(),
                    wait.toMillis(), round + 1, strategy.maxRetries(), lastReason);
            strategy.backOff(wait);
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

    private static String bodyOf(Response response) {
        return response.getBody().map(Body::bodyAsString).orElse("");
    }
}
