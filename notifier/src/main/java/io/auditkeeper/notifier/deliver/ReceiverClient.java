package io.auditkeeper.notifier.deliver;

import io.auditkeeper.notifier.config.ReceiverConfig;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One receiver's HTTPS client: its own TLS trust ({@code ca-file}), its timeout, its credentials; POSTs a
 * {@link Payload} and says what came of it. Redirects are not followed (a receiver that moved is a configuration to
 * fix, not a place to send alerts to blindly).
 */
public final class ReceiverClient implements Sender, AutoCloseable {
    private static final int BODY_KEPT = 512;

    private final ReceiverConfig receiver;
    private final HttpClient client;

    public ReceiverClient(ReceiverConfig receiver) {
        this.receiver = receiver;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(receiver.sslContext())
                .connectTimeout(receiver.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public DeliveryOutcome send(Payload payload) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(receiver.url())
                .timeout(receiver.requestTimeout())
                .header("User-Agent", "auditkeeper-notifier")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload.body()));
        payload.headers().forEach(b::header);
        receiver.bearerToken().ifPresent(t -> b.header("Authorization", "Bearer " + t));
        try {
            HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            String body;
            try (InputStream in = r.body()) {
                body = new String(in.readNBytes(BODY_KEPT), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            return ResponseClassifier.classify(r.statusCode(), r.headers().firstValue("Retry-After"), body, Instant.now());
        } catch (IOException e) {
            return ResponseClassifier.classify(e);
        }
    }

    @Override
    public void close() {
        // java.net.http.HttpClient is AutoCloseable from Java 21; on 17 its threads end with it unreferenced
        if (client instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing only frees threads
            }
        }
    }
}
