package io.auditkeeper.localstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Kafka, OpenSearch and Object-Lock S3 for integration tests and the demo, each either embedded on loopback or an
 * external endpoint named in {@link LocalStackSettings}.
 *
 * <p>Components start lazily, on the first call that needs them, and at most once even when called from several
 * threads: a test that only needs Kafka does not wait for Ceph. {@link #close()} stops what this instance started,
 * in reverse order of starting. Embedded servers start from empty data each run (the subdirectories {@code kafka/},
 * {@code opensearch/} and {@code ceph/} of the work directory are reset when their server starts), so runs do not
 * see each other's topics, indices or buckets.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    private static final String ALNUM_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final LocalStackSettings settings;
    private final Object kafkaLock = new Object();
    private final Object openSearchLock = new Object();
    private final Object s3Lock = new Object();
    private final Deque<Started> started = new ArrayDeque<>();
    private EmbeddedKafka kafka;
    private EmbeddedOpenSearch openSearch;
    private CephObjectGateway ceph;
    private S3Endpoint s3;
    private final Supplier<List<String>> missingCephCommands;
    private volatile boolean closed;

    private record Started(String name, AutoCloseable component) { }

    /** Starts nothing yet. */
    public LocalStack(LocalStackSettings settings) {
        this(settings, CephObjectGateway::missingCommands);
    }

    LocalStack(LocalStackSettings settings, Supplier<List<String>> missingCephCommands) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.missingCephCommands = missingCephCommands;
    }

    public LocalStackSettings settings() {
        return settings;
    }

    /** Kafka {@code bootstrap.servers}: the external cluster, or the embedded broker (started on first call). */
    public String kafkaBootstrap() {
        if (!settings.embeddedKafka()) {
            checkOpen();
            return settings.kafkaBootstrap();
        }
        return startedKafka().bootstrapServers();
    }

    /**
     * The embedded broker, started if it is not yet, so that a test can {@link EmbeddedKafka#stop() stop} and
     * {@link EmbeddedKafka#restart() restart} it; empty when an external Kafka is configured.
     */
    public Optional<EmbeddedKafka> embeddedKafka() {
        return settings.embeddedKafka() ? Optional.of(startedKafka()) : Optional.empty();
    }

    /** OpenSearch base URL without a trailing slash: the external cluster, or the embedded node. */
    public String openSearchUrl() {
        if (!settings.embeddedOpenSearch()) {
            checkOpen();
            String url = settings.openSearchUrl().toString();
            return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }
        synchronized (openSearchLock) {
            checkOpen();
            if (openSearch == null) {
                Path dir = freshDir("opensearch");
                long t0 = System.nanoTime();
                openSearch = register("opensearch", EmbeddedOpenSearch.start(dir));
                LOG.info("embedded OpenSearch ready on {} after {} ms", openSearch.httpUrl(), millisSince(t0));
            }
            return openSearch.httpUrl();
        }
    }

    /**
     * The S3 endpoint: the external store, or the embedded Ceph gateway (started on first call, with the configured
     * keys or random ones generated for this run).
     *
     * @throws IllegalStateException if embedded S3 is needed but Ceph is not installed; the message gives the
     *     command to run as root
     */
    public S3Endpoint s3() {
        synchronized (s3Lock) {
            checkOpen();
            if (s3 != null) {
                return s3;
            }
            if (!settings.embeddedS3()) {
                s3 = new S3Endpoint(settings.s3Endpoint(), settings.s3Region(), settings.s3AccessKey(),
                    settings.s3SecretKey(), settings.s3PathStyle());
                return s3;
            }
            List<String> missing = missingCephCommands.get();
            if (!missing.isEmpty()) {
                throw new IllegalStateException("The embedded S3 (Ceph radosgw) needs " + String.join(", ", missing)
                    + ", which is not installed. Run as root: " + CephObjectGateway.INSTALL_COMMAND
                    + " (or set " + LocalStackSettings.S3_ENDPOINT + " to use an external S3).");
            }
            String access = settings.s3AccessKey() != null ? settings.s3AccessKey() : "AK" + random(ALNUM_UPPER, 18);
            String secret = settings.s3SecretKey() != null ? settings.s3SecretKey() : random(ALNUM, 40);
            // not wiped here: the gateway first stops daemons an aborted run left behind, by their pid files
            Path dir = settings.workDir().resolve("ceph");
            long t0 = System.nanoTime();
            ceph = register("ceph", CephObjectGateway.start(dir, access, secret));
            LOG.info("embedded Ceph radosgw ready on {} after {} ms", ceph.endpoint(), millisSince(t0));
            s3 = new S3Endpoint(URI.create(ceph.endpoint()), settings.s3Region(), access, secret, true);
            return s3;
        }
    }

    /** The embedded Ceph gateway if this instance has started it; e.g. to check its daemons are gone after close. */
    public Optional<CephObjectGateway> cephGateway() {
        synchronized (s3Lock) {
            return Optional.ofNullable(ceph);
        }
    }

    public Path workDir() {
        return settings.workDir();
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops every embedded server this instance started, newest first. Failures are logged (component name and
     * exception type only) and do not prevent stopping the others. Idempotent.
     */
    @Override
    public void close() {
        Deque<Started> toStop;
        synchronized (started) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = new ArrayDeque<>(started);
            started.clear();
        }
        while (!toStop.isEmpty()) {
            Started s = toStop.pop();
            long t0 = System.nanoTime();
            try {
                s.component().close();
                LOG.info("stopped embedded {} in {} ms", s.name(), millisSince(t0));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("interrupted while stopping embedded {}", s.name());
            } catch (Exception e) {
                LOG.warn("stopping embedded {} failed: {}", s.name(), e.getClass().getName());
            }
        }
    }

    private EmbeddedKafka startedKafka() {
        synchronized (kafkaLock) {
            checkOpen();
            if (kafka == null) {
                Path dir = freshDir("kafka");
                long t0 = System.nanoTime();
                kafka = register("kafka", EmbeddedKafka.start(dir));
                LOG.info("embedded Kafka ready on {} after {} ms", kafka.bootstrapServers(), millisSince(t0));
            }
            return kafka;
        }
    }

    private <T extends AutoCloseable> T register(String name, T component) {
        synchronized (started) {
            if (!closed) {
                started.push(new Started(name, component));
                return component;
            }
        }
        try {
            component.close();
        } catch (Exception e) {
            LOG.warn("stopping embedded {} failed: {}", name, e.getClass().getName());
        }
        throw new IllegalStateException("LocalStack was closed while " + name + " was starting");
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("LocalStack is closed");
        }
    }

    private Path freshDir(String name) {
        Path dir = settings.workDir().resolve(name);
        try {
            Files2.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
        return dir;
    }

    private static String random(String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Override
    public String toString() {
        return "LocalStack[" + settings + "]";
    }
}
