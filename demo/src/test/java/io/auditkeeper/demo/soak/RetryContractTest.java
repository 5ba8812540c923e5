package io.auditkeeper.demo.soak;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The soak's apiserver resends exactly what {@code DefaultShouldRetry} resends, and nothing else. */
class RetryContractTest {
    @Test
    void shouldResendOnlyAfter429And500And504OrRetryAfter() {
        assertThat(RetryContract.retries(429, Optional.empty())).isTrue();
        assertThat(RetryContract.retries(500, Optional.empty())).isTrue();
        assertThat(RetryContract.retries(504, Optional.empty())).isTrue();
        assertThat(RetryContract.retries(503, Optional.of("5"))).isTrue();
        assertThat(RetryContract.retries(503, Optional.empty())).as("a 503 without Retry-After drops the batch").isFalse();
        for (int dropped : new int[] {400, 401, 403, 404, 408, 413, 502}) {
            assertThat(RetryContract.retries(dropped, Optional.empty())).as("%d", dropped).isFalse();
        }
    }

    @Test
    void shouldResendAfterAResetConnectionOnlyWhenNoAnswerCame() {
        assertThat(RetryContract.transport(new java.net.SocketException("Connection reset")))
                .isEqualTo(new RetryContract.Transport("connection reset", true));
        assertThat(RetryContract.transport(new java.io.IOException("wrapped", new java.net.SocketException("Connection reset by peer"))))
                .extracting(RetryContract.Transport::retried).isEqualTo(true);
        assertThat(RetryContract.transport(new java.net.ConnectException("Connection refused")))
                .isEqualTo(new RetryContract.Transport("connection refused", false));
        assertThat(RetryContract.transport(new java.net.http.HttpTimeoutException("request timed out")))
                .isEqualTo(new RetryContract.Transport("timeout", false));
        assertThat(RetryContract.transport(new java.io.IOException("HTTP/1.1 header parser received no bytes")))
                .isEqualTo(new RetryContract.Transport("closed without an answer", false));
    }

    @Test
    void shouldWaitForRetryAfterWhenGivenAndBackOffOtherwise() {
        assertThat(RetryContract.wait(RetryContract.seconds(Optional.of("5")), Duration.ofMillis(500))).hasSeconds(5);
        assertThat(RetryContract.wait(RetryContract.seconds(Optional.of("Wed, 21 Oct 2026 07:28:00 GMT")),
                Duration.ofMillis(500))).hasMillis(500);
        assertThat(RetryContract.wait(OptionalLong.of(3600), Duration.ofMillis(500))).isEqualTo(RetryContract.MAX_BACKOFF);
        assertThat(RetryContract.next(Duration.ofSeconds(6))).isEqualTo(RetryContract.MAX_BACKOFF);
        assertThat(RetryContract.next(Duration.ofMillis(500))).hasSeconds(1);
    }

    @Test
    void shouldReadDurationsAsAPersonWritesThem() {
        SoakCommand.DurationConverter c = new SoakCommand.DurationConverter();
        assertThat(c.convert("90s")).hasSeconds(90);
        assertThat(c.convert("10m")).hasMinutes(10);
        assertThat(c.convert("PT1H")).hasHours(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.convert("ten minutes"))
                .hasMessageContaining("90s, 3m, 1h");
    }
}
