package io.auditkeeper.demo.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap and resident memory of each service, sampled every 500 ms while it is under load, keeping the peaks. Why:
 * the overload target is about memory, and {@code VmHWM} alone says nothing of the heap: whether a service kept its
 * heap within its {@code -Xmx} under twice the sustainable rate, rather than nearing it by queueing, is read from its
 * own {@code /metrics} (Micrometer's {@code jvm_memory_used_bytes}, summed over the heap pools). The largest consumer
 * lag a service reports of itself is kept too, where it has one: the stream-processor's consumers
 * ({@code kafka_consumer_fetch_manager_records_lag_max}) and the archiver's stages
 * ({@code auditkeeper_archiver_consumer_group_lag}).
 */
final class ServiceMemory implements AutoCloseable {
    static final Duration PERIOD = Duration.ofMillis(500);
    private static final List<String> LAG_METRICS = List.of("kafka_consumer_fetch_manager_records_lag_max",
            "auditkeeper_archiver_consumer_group_lag");

    /** A service to sample: its process, its Prometheus endpoint and its configured maximum heap. */
    record Service(String name, long pid, URI metrics, long maxHeapBytes) {
    }

    /** What the samples found for one service; -1 where nothing was read. */
    record Peak(Service service, long heapBytes, long rssBytes, long lagRecords) {
        boolean heapUnderMax() {
            return heapBytes >= 0 && heapBytes < service.maxHeapBytes();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Service> services;
    private final List<AtomicLong[]> peaks = new ArrayList<>();
    private final Thread sampler;
    private volatile boolean running = true;

    /** Starts sampling at once, on a daemon thread of its own. */
    ServiceMemory(List<Service> services) {
        this.services = List.copyOf(services);
        for (int i = 0; i < services.size(); i++) {
            peaks.add(new AtomicLong[]{new AtomicLong(-1), new AtomicLong(-1), new AtomicLong(-1)});
        }
        this.sampler = new Thread(this::sample, "e2e-memory");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        while (running) {
            for (int i = 0; i < services.size(); i++) {
                Service s = services.get(i);
                AtomicLong[] peak = peaks.get(i);
                scrape(s.metrics()).ifPresent(text -> {
                    peak[0].accumulateAndGet(heapUsedBytes(text), Math::max);
                    peak[2].accumulateAndGet(largestLag(text), Math::max);
                });
                try {
                    peak[1].accumulateAndGet(rssBytes(Files.readString(Path.of("/proc", Long.toString(s.pid()), "status"))),
                            Math::max);
                } catch (IOException | RuntimeException gone) {
                    // the process ended: what is kept is what it had
                }
            }
            try {
                Thread.sleep(PERIOD.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Optional<String> scrape(URI metrics) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Stops sampling; the peaks, in the order of the services. */
    List<Peak> stop() throws InterruptedException {
        running = false;
        sampler.interrupt();
        sampler.join(Duration.ofSeconds(10).toMillis());
        List<Peak> out = new ArrayList<>();
        for (int i = 0; i < services.size(); i++) {
            AtomicLong[] p = peaks.get(i);
            out.add(new Peak(services.get(i), p[0].get(), p[1].get(), p[2].get()));
        }
        return out;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }

    /** The heap in use: {@code jvm_memory_used_bytes} summed over the pools with {@code area="heap"}; -1 if none. */
    static long heapUsedBytes(String exposition) {
        double sum = -1;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                double v = value(line);
                if (!Double.isNaN(v)) {
                    sum = Math.max(sum, 0) + v;
                }
            }
        }
        return (long) sum;
    }

    /** The largest of the consumer lag gauges the service exposes (restore consumers aside); -1 if none. */
    static long largestLag(String exposition) {
        double max = -1;
        for (String line : exposition.split("\n")) {
            for (String metric : LAG_METRICS) {
                if (line.startsWith(metric + "{") && !line.contains("restore-consumer")) {
                    double v = value(line);
                    if (!Double.isNaN(v)) {
                        max = Math.max(max, v);
                    }
                }
            }
        }
        return (long) max;
    }

    /** The resident set ({@code VmRSS}) of a {@code /proc/<pid>/status} text, in bytes; -1 if absent. */
    static long rssBytes(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    /** The maximum heap a JVM's options set ({@code -Xmx1g}, {@code -Xmx384m}, ...), in bytes; -1 if none does. */
    static long maxHeapBytes(List<String> jvmOptions) {
        long max = -1;
        for (String o : jvmOptions) {
            if (o.startsWith("-Xmx") && o.length() > 4) {
                String size = o.substring(4).toLowerCase(java.util.Locale.ROOT);
                char unit = size.charAt(size.length() - 1);
                long factor = switch (unit) {
                    case 'k' -> 1L << 10;
                    case 'm' -> 1L << 20;
                    case 'g' -> 1L << 30;
                    case 't' -> 1L << 40;
                    default -> 1;
                };
                max = Long.parseLong(Character.isDigit(unit) ? size : size.substring(0, size.length() - 1)) * factor;
            }
        }
        return max;
    }

    /** The sample's value: the first field after the labels (a Prometheus text line has no timestamp here). */
    private static double value(String line) {
        try {
            String[] fields = line.substring(line.lastIndexOf('}') + 1).trim().split("\\s+");
            return Double.parseDouble(fields[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
