package io.auditkeeper.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Posts EventList batches the way a kube-apiserver's audit webhook backend does: HTTPS with a client certificate,
 * {@code application/json}, HTTP/1.1, and the apiserver's 30 s timeout.
 */
public final class WebhookClient {
    private final HttpClient http;

    public WebhookClient(SSLContext ssl) {
        this.http = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    public HttpResponse<String> post(URI uri, byte[] eventList) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(eventList)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
