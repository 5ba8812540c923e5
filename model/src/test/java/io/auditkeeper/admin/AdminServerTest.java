package io.auditkeeper.admin;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class AdminServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(AdminServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAnswer503WithTheReasonWhenTheServiceIsNotReady() throws Exception {
        AtomicReference<Optional<String>> reason = new AtomicReference<>(Optional.of("archive writer stopped"));
        try (AdminServer server = AdminServer.start("127.0.0.1", 0, reason::get, () -> "")) {
            HttpResponse<String> notReady = get(server, "/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).isEqualTo("not ready: archive writer stopped\n");

            reason.set(Optional.empty());
            HttpResponse<String> ready = get(server, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready\n");
        }
    }

    @Test
    void shouldServeLivenessAndThePrometheusTextWhenAsked() throws Exception {
        try (AdminServer server = AdminServer.start("127.0.0.1", 0, Optional::empty, () -> "up 1\n")) {
            assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(server, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).isEqualTo("up 1\n");
            assertThat(metrics.headers().firstValue("Content-Type")).contains(AdminServer.PROMETHEUS_CONTENT_TYPE);
        }
    }

    @Test
    void shouldAnswer503OnHealthzWithTheReasonWhenAPartCannotRecover() throws Exception {
        AtomicReference<Optional<String>> dead = new AtomicReference<>(Optional.empty());
        try (AdminServer server = AdminServer.start("127.0.0.1", 0, Optional::empty, dead::get, () -> "")) {
            assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);

            dead.set(Optional.of("archive writer stopped"));
            HttpResponse<String> notAlive = get(server, "/healthz");

            assertThat(notAlive.statusCode()).isEqualTo(503);
            assertThat(notAlive.body()).isEqualTo("not alive: archive writer stopped\n");
        }
    }

    @Test
    void shouldRefuseOtherMethodsWhenNotGetOrHead() throws Exception {
        try (AdminServer server = AdminServer.start("127.0.0.1", 0, Optional::empty, () -> "")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(405);
        }
    }
}
