package io.auditkeeper.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.localstack.Waits;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For the tests that post batches from poster threads while they break Kafka: what each batch was answered, kept for
 * the test thread to assert on (a failure in a poster would otherwise show up as a timeout much later), and the waits
 * that fail at once when a poster stops.
 */
final class WebhookAnswers {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private WebhookAnswers() {
    }

    /** What the webhook answered one batch, and after how long; status -1 when the request failed. */
    record Answer(int status, String body, String error, Optional<String> retryAfter, long millis) {
        static Answer of(HttpResponse<String> r, long startNanos) {
            return new Answer(r.statusCode(), r.body(), errorOf(r.body()), r.headers().firstValue("Retry-After"),
                    millisSince(startNanos));
        }

        static Answer failed(Exception e, long startNanos) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new Answer(-1, e.toString(), null, Optional.empty(), millisSince(startNanos));
        }
    }

    static int count(Map<String, Answer> answered, int status) {
        return (int) answered.values().stream().filter(a -> a.status() == status).count();
    }

    /** What an apiserver may be answered while Kafka fails: 200, or a 503 it resends ({@code Retry-After}). */
    static void assertOnly200Or503ToResend(Collection<Answer> answers) {
        assertThat(answers).as("only 200 and 503 are ever answered").allMatch(a -> a.status() == 200 || a.status() == 503);
        assertThat(answers).filteredOn(a -> a.status() == 503).allSatisfy(a -> {
            assertThat(a.error()).as("error of a 503 (body %s)", a.body()).isEqualTo("kafka-unavailable");
            assertThat(a.retryAfter()).as("Retry-After of a 503 (body %s)", a.body()).isPresent();
        });
    }

    /**
     * Waits, looking every {@code interval} for up to {@code timeout}, until the condition holds; fails at once, with
     * the poster's error, if a poster stops while waiting.
     */
    static void waitFor(List<Future<?>> posters, Duration timeout, Duration interval, BooleanSupplier condition,
                        String what) throws Exception {
        boolean met = Waits.until(timeout, interval, () -> posters.stream().anyMatch(Future::isDone) || condition.getAsBoolean());
        for (Future<?> poster : posters) {
            if (poster.isDone()) {
                try {
                    poster.get();
                } catch (ExecutionException e) {
                    throw new AssertionError("a poster failed while waiting for " + what, e.getCause());
                }
                throw new AssertionError("a poster stopped while waiting for " + what);
            }
        }
        if (!met) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
        }
    }

    /** The {@code error} field of a JSON body; null when there is none or the body is not JSON. */
    private static String errorOf(String body) {
        try {
            JsonNode error = MAPPER.readTree(body).get("error");
            return error == null ? null : error.asText();
        } catch (Exception notJson) {
            return null;
        }
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
