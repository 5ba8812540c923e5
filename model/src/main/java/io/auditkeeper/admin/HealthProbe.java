package io.auditkeeper.admin;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;

/**
 * A health check for images without a shell or {@code curl} (distroless): {@code java -cp '/app/lib/*'
 * io.auditkeeper.admin.HealthProbe http://127.0.0.1:9090/readyz} exits 0 when the URL answers 200 within two seconds
 * and 1 otherwise, so a Dockerfile {@code HEALTHCHECK CMD [...]} or a compose health check can run it in exec form.
 * Kubernetes does not need it: its probes call the admin port themselves. Only loopback {@code http} URLs are accepted,
 * since the admin port is plain HTTP and the probe must never be pointed elsewhere.
 */
public final class HealthProbe {
    private static final int TIMEOUT_MS = 2_000;

    private HealthProbe() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: HealthProbe http://127.0.0.1:<admin port>/readyz");
            System.exit(2);
        }
        int code = probe(args[0]);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** 0 when {@code url} answers 200, 1 when it answers anything else or not at all, 2 for a URL it refuses. */
    static int probe(String url) {
        URL target;
        try {
            URI uri = URI.create(url);
            if (!"http".equals(uri.getScheme()) || !isLoopback(uri.getHost())) {
                System.err.println("HealthProbe: only http://127.0.0.1, http://[::1] or http://localhost URLs: " + url);
                return 2;
            }
            target = uri.toURL();
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("HealthProbe: not a URL: " + url);
            return 2;
        }
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) target.openConnection();
            c.setConnectTimeout(TIMEOUT_MS);
            c.setReadTimeout(TIMEOUT_MS);
            c.setInstanceFollowRedirects(false);
            int status = c.getResponseCode();
            InputStream body = status < 400 ? c.getInputStream() : c.getErrorStream();
            if (body != null) {
                System.out.write(body.readNBytes(1024));
                System.out.flush();
                body.close();
            }
            return status == 200 ? 0 : 1;
        } catch (IOException e) {
            System.err.println("HealthProbe: " + url + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private static boolean isLoopback(String host) {
        return "127.0.0.1".equals(host) || "[::1]".equals(host) || "::1".equals(host) || "localhost".equals(host);
    }
}
