package io.auditkeeper.admin;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class HealthProbeTest {
    @Test
    void shouldExitZeroOnlyWhileTheAdminPortAnswersReady() throws Exception {
        AtomicReference<Optional<String>> reason = new AtomicReference<>(Optional.of("kafka unreachable"));
        try (AdminServer server = AdminServer.start("127.0.0.1", 0, reason::get, () -> "")) {
            String url = "http://127.0.0.1:" + server.port() + "/readyz";
            assertThat(HealthProbe.probe(url)).isEqualTo(1);
            reason.set(Optional.empty());
            assertThat(HealthProbe.probe(url)).isZero();
            assertThat(HealthProbe.probe("http://localhost:" + server.port() + "/healthz")).isZero();
        }
    }

    @Test
    void shouldFailWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThat(HealthProbe.probe("http://127.0.0.1:" + port + "/healthz")).isEqualTo(1);
    }

    @Test
    void shouldRefuseUrlsThatAreNotLoopbackHttp() {
        assertThat(HealthProbe.probe("http://example.org/readyz")).isEqualTo(2);
        assertThat(HealthProbe.probe("https://127.0.0.1:9090/readyz")).isEqualTo(2);
        assertThat(HealthProbe.probe("not a url")).isEqualTo(2);
    }
}
