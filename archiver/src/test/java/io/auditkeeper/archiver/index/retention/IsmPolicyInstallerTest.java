package io.auditkeeper.archiver.index.retention;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ISM plugin's REST API as a local server answers it (the local stack's node has no ISM plugin): a missing policy
 * is created and attached to the existing daily indices; a current one is left alone; a changed retention updates it
 * under optimistic concurrency and moves the managed indices to it.
 */
class IsmPolicyInstallerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private volatile String policyAnswer;
    private volatile int policyStatus;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String line = exchange.getRequestMethod() + " " + exchange.getRequestURI();
            requests.add(line);
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int status = 200;
            String reply = "{\"updated_indices\":2,\"failures\":false,\"failed_indices\":[]}";
            if (line.startsWith("GET /_plugins/_ism/policies/")) {
                status = policyStatus;
                reply = policyAnswer;
            } else if (line.startsWith("PUT /_plugins/_ism/policies/")) {
                status = 201;
                reply = "{\"_id\":\"audit-events-retention\"}";
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

    private IsmPolicyInstaller installer(int days) {
        return new IsmPolicyInstaller(OpenSearchClientFactory.create(OpenSearchConnection.of(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()))), "audit-events", days);
    }

    @Test
    void shouldCreateAndAttachThePolicyWhenIsmHasNone() throws Exception {
        policyStatus = 404;
        policyAnswer = "{\"error\":{\"root_cause\":[{\"type\":\"status_exception\",\"reason\":\"Policy not found\"}],"
                + "\"type\":\"status_exception\",\"reason\":\"Policy not found\"},\"status\":404}";

        assertThat(installer(45).install()).isTrue();

        assertThat(requests).containsExactly("GET /_plugins/_ism/policies/audit-events-retention",
                "PUT /_plugins/_ism/policies/audit-events-retention", "POST /_plugins/_ism/add/audit-events-2*");
        assertThat(MAPPER.readTree(bodies.get(1)).path("policy").path("states").get(0).path("transitions").get(0)
                .path("conditions").path("min_index_age").asText()).isEqualTo("45d");
        assertThat(MAPPER.readTree(bodies.get(2)).path("policy_id").asText()).isEqualTo("audit-events-retention");
    }

    @Test
    void shouldLeaveACurrentPolicyAloneAndUpdateAChangedOneWhenIsmHasIt() throws Exception {
        policyStatus = 200;
        policyAnswer = MAPPER.writeValueAsString(Map.of("_id", "audit-events-retention", "_seq_no", 7,
                "_primary_term", 2, "policy", IsmPolicy.document("audit-events", 90).path("policy")));

        assertThat(installer(90).install()).isTrue();
        assertThat(requests).containsExactly("GET /_plugins/_ism/policies/audit-events-retention");

        requests.clear();
        assertThat(installer(30).install()).isTrue();
        assertThat(requests).hasSize(4);
        assertThat(requests.get(1)).startsWith("PUT /_plugins/_ism/policies/audit-events-retention?")
                .contains("if_seq_no=7").contains("if_primary_term=2");
        assertThat(requests.subList(2, 4)).containsExactly("POST /_plugins/_ism/change_policy/audit-events-2*",
                "POST /_plugins/_ism/add/audit-events-2*");
    }

    @Test
    void shouldReportNoIsmWhenTheClusterHasNoHandlerForTheApi() throws Exception {
        policyStatus = 400;
        policyAnswer = "{\"error\":\"no handler found for uri [/_plugins/_ism/policies/audit-events-retention] and method [GET]\"}";

        assertThat(installer(90).install()).isFalse();
        assertThat(requests).hasSize(1);
    }
}
