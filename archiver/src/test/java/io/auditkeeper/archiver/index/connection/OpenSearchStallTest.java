package io.auditkeeper.archiver.index.connection;

import io.auditkeeper.localstack.TcpProxy;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import io.auditkeeper.opensearch.OpenSearchTimeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opensearch.client.opensearch.OpenSearchClient;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An OpenSearch that accepts the connection and never answers (a stalled {@link TcpProxy}, nothing behind it) ends a
 * request with an error once its socket timeout passes, over plain http and over https (where the factory builds its
 * own connection manager, which once dropped the timeouts): the indexer must get back to its poll loop.
 */
class OpenSearchStallTest {
    private static final OpenSearchTimeouts SHORT = new OpenSearchTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));

    @ParameterizedTest
    @ValueSource(strings = {"http", "https"})
    void shouldEndARequestToAStalledOpenSearchWithAnError(String scheme) throws Exception {
        try (TcpProxy proxy = TcpProxy.start("127.0.0.1", 9)) {
            proxy.stall();
            OpenSearchClient client = OpenSearchClientFactory.create(
                    OpenSearchConnection.of(URI.create(scheme + "://127.0.0.1:" + proxy.port())), SHORT);

            assertThatThrownBy(client::info).satisfies(e -> assertThat(timedOut(e)).as("%s", e).isTrue());
        }
    }

    @Test
    void shouldRefuseATimeoutThatIsNotPositive() {
        assertThatThrownBy(() -> new OpenSearchTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException || String.valueOf(t.getMessage()).toLowerCase().contains("timeout")) {
                return true;
            }
        }
        return false;
    }
}
