package io.auditkeeper.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * One scrape of a service's Prometheus {@code /metrics} on its admin port, for the services' integration tests:
 * samples by name and label, and a wait until the scrape shows what a test expects.
 */
public record MetricsScrape(String text) {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Scrapes {@code http://127.0.0.1:<port>/metrics}. */
    public static MetricsScrape of(int port) throws IOException, InterruptedException {
        return new MetricsScrape(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /**
     * Scrapes until {@code done} holds or {@code patience} runs out, and returns the last scrape either way: the
     * caller's assertions on it then say what is missing.
     */
    public static MetricsScrape await(int port, Duration patience, Predicate<MetricsScrape> done)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        MetricsScrape m;
        do {
            m = of(port);
            if (done.test(m)) {
                return m;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return m;
    }

    /** The sample lines of {@code name} whose labels contain every one of {@code labels} ({@code key="value"}). */
    public List<String> lines(String name, String... labels) {
        return text.lines().filter(l -> (l.startsWith(name + " ") || l.startsWith(name + "{"))
                && Arrays.stream(labels).allMatch(l::contains)).toList();
    }

    public long count(String name, String... labels) {
        return lines(name, labels).size();
    }

    /** The value of the one sample of {@code name} that has {@code labels}; -1 when there is not exactly one. */
    public double value(String name, String... labels) {
        List<String> l = lines(name, labels);
        return l.size() != 1 ? -1 : sampleValue(l.get(0));
    }

    /** The sum of the samples of {@code name} that have {@code labels}. */
    public double sum(String name, String... labels) {
        return lines(name, labels).stream().mapToDouble(MetricsScrape::sampleValue).sum();
    }

    private static double sampleValue(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
