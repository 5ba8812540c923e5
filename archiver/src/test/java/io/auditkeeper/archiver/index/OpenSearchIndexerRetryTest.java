package io.auditkeeper.archiver.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retries against a scripted fake {@code _bulk} endpoint (JDK HTTP server): 429/5xx items and requests. */
class OpenSearchIndexerRetryTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HttpServer server;
    private final Deque<Function<List<String>, Reply>> script = new ArrayDeque<>();
    private final List<List<String>> requests = new ArrayList<>();

    record Reply(int status, String body) {
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/_bulk", this::bulk);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private synchronized void bulk(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        List<String> ids = new ArrayList<>();
        String[] lines = body.split("\n");
        for (int i = 0; i < lines.length; i += 2) {
            ids.add(MAPPER.readTree(lines[i]).path("index").path("_id").asText());
        }
        requests.add(ids);
        Reply reply = script.isEmpty() ? allCreated(ids) : script.poll().apply(ids);
        byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(reply.status(), out.length);
        exchange.getResponseBody().write(out);
        exchange.close();
    }

    private static Reply allCreated(List<String> ids) {
        return items(ids, id -> "{\"_id\":\"" + id + "\",\"status\":201}");
    }

    private static Reply items(List<String> ids, Function<String, String> item) {
        StringBuilder b = new StringBuilder("{\"errors\":true,\"items\":[");
        for (int i = 0; i < ids.size(); i++) {
            b.append(i == 0 ? "" : ",").append("{\"index\":").append(item.apply(ids.get(i))).append('}');
        }
        return new Reply(200, b.append("]}").toString());
    }

    private OpenSearchIndexer indexer(int retries) {
        return new OpenSearchIndexer(OpenSearchClientFactory.create(
                OpenSearchConnection.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))),
                OpenSearchIndexer.Settings.defaults().withReplicas(0).withRetries(retries, Duration.ofMillis(5)));
    }

    private static List<OpenSearchIndexer.Doc> docs(int n) {
        List<OpenSearchIndexer.Doc> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new OpenSearchIndexer.Doc(("{\"cluster\":\"c\",\"auditID\":\"a" + i + "\",\"stage\":\"ResponseComplete\"}")
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return docs;
    }

    @Test
    void retriesOnlyTheItemsThatFailedWith429Or5xxAndReturnsThe4xxAsRejected() throws Exception {
        String second = IndexRouting.documentId("c", "a1", "ResponseComplete");
        String third = IndexRouting.documentId("c", "a2", "ResponseComplete");
        String fourth = IndexRouting.documentId("c", "a3", "ResponseComplete");
        script.add(ids -> items(ids, id -> id.equals(second)
                ? "{\"_id\":\"" + id + "\",\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"busy\"}}"
                : id.equals(third)
                ? "{\"_id\":\"" + id + "\",\"status\":503,\"error\":{\"type\":\"unavailable_shards_exception\",\"reason\":\"x\"}}"
                : id.equals(fourth)
                ? "{\"_id\":\"" + id + "\",\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"bad\","
                + "\"caused_by\":{\"type\":\"number_format_exception\",\"reason\":\"nan\"}}}"
                : "{\"_id\":\"" + id + "\",\"status\":201}"));
        script.add(ids -> new Reply(503, "{\"error\":\"unavailable\"}"));

        OpenSearchIndexer.BulkResult result = indexer(3).index(docs(5));

        assertThat(result.indexed()).isEqualTo(4);
        assertThat(result.retries()).isEqualTo(2);
        assertThat(result.rejected()).hasSize(1);
        assertThat(result.rejected().get(0).position()).isEqualTo(3);
        assertThat(result.rejected().get(0).errorType()).isEqualTo("mapper_parsing_exception");
        assertThat(result.rejected().get(0).reason()).isEqualTo("bad (caused by number_format_exception: nan)");
        assertThat(requests).hasSize(3);
        assertThat(requests.get(1)).containsExactly(second, third);
        assertThat(requests.get(2)).containsExactly(second, third);
    }

    @Test
    void givesUpWithAnExceptionAfterMaxRetries() {
        for (int i = 0; i < 10; i++) {
            script.add(ids -> new Reply(429, "{\"error\":\"too many\"}"));
        }
        assertThatThrownBy(() -> indexer(2).index(docs(3)))
                .isInstanceOf(OpenSearchIndexer.IndexingException.class)
                .hasMessageContaining("3 document(s) still failing after 2 retries")
                .satisfies(e -> assertThat(((OpenSearchIndexer.IndexingException) e).failed()).isEqualTo(3));
        assertThat(requests).hasSize(3);
    }

    @Test
    void aRefusedRequestIsAnExceptionNotARejection() {
        script.add(ids -> new Reply(413, "{\"error\":\"too large\"}"));
        assertThatThrownBy(() -> indexer(2).index(docs(2)))
                .isInstanceOf(OpenSearchIndexer.IndexingException.class)
                .hasMessageContaining("413");
        assertThat(requests).hasSize(1);
    }

    @Test
    void forbiddenIsReportedByTheTransportAsAnIoErrorSoItIsRetriedThenThrown() {
        for (int i = 0; i < 5; i++) {
            script.add(ids -> new Reply(403, "{\"error\":\"forbidden\"}"));
        }
        assertThatThrownBy(() -> indexer(2).index(docs(2)))
                .isInstanceOf(OpenSearchIndexer.IndexingException.class)
                .hasMessageContaining("still failing after 2 retries");
        assertThat(requests).hasSize(3);
    }

    @Test
    void retriesIoErrorsThenGivesUp() {
        OpenSearchIndexer indexer = indexer(1);
        server.stop(0);
        assertThatThrownBy(() -> indexer.index(docs(2)))
                .isInstanceOf(OpenSearchIndexer.IndexingException.class)
                .hasMessageContaining("2 document(s) still failing after 1 retries")
                .hasCauseInstanceOf(IOException.class);
    }

    @Test
    void splitsRequestsByCount() throws Exception {
        OpenSearchIndexer indexer = new OpenSearchIndexer(OpenSearchClientFactory.create(
                OpenSearchConnection.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))),
                OpenSearchIndexer.Settings.defaults().withBulkLimits(1 << 20, 2));
        assertThat(indexer.index(docs(5)).indexed()).isEqualTo(5);
        assertThat(requests).extracting(List::size).containsExactly(2, 2, 1);
    }
}
