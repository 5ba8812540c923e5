package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import io.auditkeeper.opensearch.schema.EventIndexTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retention of rehydrated indices against a local server that answers like the ISM plugin (the local stack has
 * none; {@code RehydrateCommandIT} covers the cluster without it): a first run installs the policy even though no
 * rehydrated index exists yet for {@code _plugins/_ism/add} to attach.
 */
class RehydratedIndicesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String line = exchange.getRequestMethod() + " " + exchange.getRequestURI();
            requests.add(line);
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int status = 200;
            String reply = "{}";
            if (line.startsWith("GET /_plugins/_ism/policies/")) {
                status = 404;
                reply = "{\"error\":{\"type\":\"status_exception\",\"reason\":\"Policy not found\"},\"status\":404}";
            } else if (line.startsWith("PUT /_plugins/_ism/policies/")) {
                status = 201;
            } else if (line.startsWith("POST /_plugins/_ism/add/")) {
                status = 404;
                reply = "{\"error\":{\"type\":\"index_not_found_exception\",\"reason\":\"no such index\"},\"status\":404}";
            }
            byte[] b = reply.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void shouldInstallTheIsmPolicyOnAFirstRunWhenNoRehydratedIndexExistsYet() throws Exception {
        OpenSearchRest rest = new OpenSearchRest(OpenSearchClientFactory.create(OpenSearchConnection.of(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()))));

        String done = new RehydratedIndices(rest, "audit-rehydrated-events",
                new EventIndexTemplate.Options(1, true), 21, "s3://b/ topic t")
                .applyRetention(Instant.now());

        assertThat(done).isEqualTo("ISM policy audit-rehydrated-events-retention deletes each audit-rehydrated-events-*"
                + " index 21 days after it was created");
        assertThat(requests).containsExactly("GET /_plugins/_ism/policies/audit-rehydrated-events-retention",
                "PUT /_plugins/_ism/policies/audit-rehydrated-events-retention",
                "POST /_plugins/_ism/add/audit-rehydrated-events-*");
        assertThat(MAPPER.readTree(bodies.get(1)).findValuesAsText("min_index_age")).containsExactly("21d");
    }
}
