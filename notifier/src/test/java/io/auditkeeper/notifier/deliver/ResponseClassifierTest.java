package io.auditkeeper.notifier.deliver;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseClassifierTest {
    private static final Instant NOW = Instant.parse("2026-12-06T18:00:00Z");

    @Test
    void shouldCountEvery2xxAsDelivered() {
        for (int s : new int[]{200, 202, 204, 299}) {
            assertThat(ResponseClassifier.classify(s, Optional.empty(), "", NOW)).as("%d", s).isInstanceOf(DeliveryOutcome.Delivered.class);
        }
    }

    @Test
    void shouldRetry5xx408And429() {
        for (int s : new int[]{408, 429, 500, 502, 503, 504, 599}) {
            assertThat(ResponseClassifier.classify(s, Optional.empty(), "", NOW)).as("%d", s)
                    .isInstanceOfSatisfying(DeliveryOutcome.Retryable.class, r -> assertThat(r.cause()).isEqualTo("http-" + s));
        }
    }

    @Test
    void shouldGiveUpAtOnceOnOther4xxAndRedirectsKeepingTheReceiversReason() {
        for (int s : new int[]{301, 302, 400, 401, 403, 404, 410, 413, 422}) {
            assertThat(ResponseClassifier.classify(s, Optional.empty(), "invalid_payload", NOW)).as("%d", s)
                    .isInstanceOfSatisfying(DeliveryOutcome.Permanent.class, p -> {
                        assertThat(p.status()).hasValue(s);
                        assertThat(p.detail()).isEqualTo("HTTP " + s + ": invalid_payload");
                    });
        }
    }

    @Test
    void shouldHonourRetryAfterInSecondsOrAsADate() {
        DeliveryOutcome seconds = ResponseClassifier.classify(429, Optional.of("30"), "", NOW);
        DeliveryOutcome date = ResponseClassifier.classify(503, Optional.of("Sun, 06 Dec 2026 18:02:00 GMT"), "", NOW);
        DeliveryOutcome junk = ResponseClassifier.classify(503, Optional.of("soon"), "", NOW);

        assertThat(((DeliveryOutcome.Retryable) seconds).retryAfter()).contains(Duration.ofSeconds(30));
        assertThat(((DeliveryOutcome.Retryable) date).retryAfter()).contains(Duration.ofMinutes(2));
        assertThat(((DeliveryOutcome.Retryable) junk).retryAfter()).isEmpty();
    }

    @Test
    void shouldRetryWhenNoAnswerCameAndSayWhichKind() {
        assertThat(ResponseClassifier.classify(new IOException("x", new SSLHandshakeException("PKIX path building failed"))))
                .isInstanceOfSatisfying(DeliveryOutcome.Retryable.class, r -> {
                    assertThat(r.cause()).isEqualTo("tls");
                    assertThat(r.detail()).contains("ca-file", "PKIX path building failed");
                });
        assertThat(ResponseClassifier.classify(new HttpTimeoutException("request timed out")).cause()).isEqualTo("timeout");
        assertThat(ResponseClassifier.classify(new HttpConnectTimeoutException("connect timed out")).cause()).isEqualTo("timeout");
        assertThat(ResponseClassifier.classify(new ConnectException("Connection refused")).cause()).isEqualTo("connection");
        assertThat(ResponseClassifier.classify(new IOException("reset")).cause()).isEqualTo("connection");
    }

    @Test
    void shouldKeepADetailShortAndOnOneLine() {
        DeliveryOutcome o = ResponseClassifier.classify(400, Optional.empty(), "line1\nline2" + "x".repeat(500), NOW);

        assertThat(((DeliveryOutcome.Permanent) o).detail()).doesNotContain("\n").hasSizeLessThan(220);
    }
}
