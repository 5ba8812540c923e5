package io.auditkeeper.ingest;

import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Posts a batch the way the kube-apiserver's audit webhook backend does, so that tests see what an apiserver does
 * with each answer: {@code GenericWebhook.WithExponentialBackoff} with {@code DefaultShouldRetry}
 * ({@code k8s.io/apiserver/pkg/util/webhook/webhook.go}). At most five attempts; another attempt only after a
 * connection reset, a 429, a 500, a 504 or an answer with a positive {@code Retry-After} (client-go turns it into
 * {@code Details.RetryAfterSeconds}, which {@code SuggestsClientDelay} reads); any other answer, an EOF, a refused
 * connection or a timeout drops the batch (the apiserver counts it in {@code apiserver_audit_error_total}). The
 * backoff is the apiserver's shape (factor 1.5) from a test-sized first delay instead of its 10 s.
 */
final class DefaultShouldRetryClient {
    static final int ATTEMPTS = 5;

    /** What became of a batch: delivered (a 2xx) or dropped, after which answers. */
    record Outcome(boolean delivered, List<Integer> statuses, String lastBody) {
        int attempts() {
            return statuses.size();
        }

        int lastStatus() {
            return statuses.get(statuses.size() - 1);
        }
    }

    private final HttpClient http;
    private final Duration firstDelay;

    DefaultShouldRetryClient(HttpClient http, Duration firstDelay) {
        this.http = http;
        this.firstDelay = firstDelay;
    }

    Outcome post(URI uri, byte[] body) throws InterruptedException {
        List<Integer> statuses = new ArrayList<>();
        String lastBody = null;
        double delay = firstDelay.toMillis();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            boolean retry;
            try {
                HttpResponse<String> r = IngestHarness.post(http, uri, body);
                statuses.add(r.statusCode());
                lastBody = r.body();
                if (r.statusCode() >= 200 && r.statusCode() < 300) {
                    return new Outcome(true, statuses, lastBody);
                }
                retry = shouldRetry(r.statusCode(), r.headers().firstValue("Retry-After"));
            } catch (IOException e) {
                statuses.add(-1);
                lastBody = e.toString();
                retry = isConnectionReset(e);
            }
            if (!retry) {
                break;
            }
            Thread.sleep((long) delay);
            delay *= 1.5;
        }
        return new Outcome(false, statuses, lastBody);
    }

    /** {@code DefaultShouldRetry} for an HTTP answer. */
    static boolean shouldRetry(int status, Optional<String> retryAfter) {
        if (status == 429 || status == 500 || status == 504) {
            return true;
        }
        return retryAfter.map(DefaultShouldRetryClient::seconds).orElse(0) > 0;
    }

    private static int seconds(String header) {
        try {
            return Integer.parseInt(header.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** {@code utilnet.IsConnectionReset}: ECONNRESET only; an EOF is not one. */
    private static boolean isConnectionReset(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SocketException && c.getMessage() != null && c.getMessage().contains("Connection reset")) {
                return true;
            }
        }
        return false;
    }
}
