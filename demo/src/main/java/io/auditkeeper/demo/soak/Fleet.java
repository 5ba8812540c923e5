package io.auditkeeper.demo.soak;

import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.Ports;
import io.auditkeeper.localstack.S3Endpoint;
import io.auditkeeper.localstack.TcpProxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The services of a soak, each a separate process of its real jar with its own config file, as a Deployment's replicas
 * would be: several ingest instances on fixed ports behind one "Service" (the traffic's round robin), stream-processors
 * sharing one application id, archivers sharing their consumer groups, bucket and signing key. Every archiver reaches
 * S3 and OpenSearch through a {@link TcpProxy} of its own, so that one of them can be cut off while the others are not.
 * Kafka is reached directly: a client learns the brokers' addresses from Kafka itself, so it is cut off by stopping the
 * broker. A benchmark's services also serve their admin port, each on a reserved loopback port, so that the bench can
 * read their heap from {@code /metrics}; a soak's do not (their readiness is the traffic's to find out).
 */
public final class Fleet implements AutoCloseable {
    static final String BUCKET = "auditkeeper-archive";
    public static final String APPLICATION_ID = "auditkeeper-stream-processor";
    public static final String ARCHIVE_GROUP = "auditkeeper-archiver-s3";
    public static final String INDEX_GROUP = "auditkeeper-archiver-index";
    static final int PARTITIONS = 6;
    /** Group sessions short enough that a frozen or dead member's partitions move within a fault's span. */
    static final Duration SESSION = Duration.ofSeconds(6);
    /** How long a benchmark's archiver holds an open batch: the time to S3 includes up to this much waiting. */
    public static final Duration BENCH_BATCH_AGE = Duration.ofSeconds(5);

    /** What the services are run for. */
    public enum Profile {
        /** Faults: short clocks, small heaps, C1 only (seven services and the harness on two cores). */
        SOAK(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")),
        /** Speed: the shipped settings on the JVM the images run (G1, C2), one instance of each. */
        BENCH(List.of("-Xmx1g", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError"));

        private final List<String> jvmOptions;

        Profile(List<String> jvmOptions) {
            this.jvmOptions = jvmOptions;
        }

        public List<String> jvmOptions() {
            return jvmOptions;
        }
    }

    /** How many of each, where they keep their files, and what they are run for. */
    public record Shape(int ingest, int streamProcessors, int archivers, Path jars, Path dir, Duration digestInterval,
                        Profile profile) {
    }

    private final Shape shape;
    private final DevPki pki;
    private final List<ServiceProcess> ingest = new ArrayList<>();
    private final List<ServiceProcess> streamProcessors = new ArrayList<>();
    private final List<ServiceProcess> archivers = new ArrayList<>();
    private final Map<ServiceProcess, TcpProxy> s3Proxies = new LinkedHashMap<>();
    private final Map<ServiceProcess, TcpProxy> openSearchProxies = new LinkedHashMap<>();
    private final List<Ports.Reservation> ingestPorts;
    private final List<Ports.Reservation> adminPorts;
    private final Map<ServiceProcess, Integer> adminPortOf = new LinkedHashMap<>();
    private final ServiceEndpoints ingestService;
    private final Path publicKey;

    public Fleet(Shape shape, String bootstrap, S3Endpoint s3, URI openSearch) throws IOException {
        this.shape = shape;
        Path dir = Files.createDirectories(shape.dir());
        this.pki = DevPki.openOrCreate(dir.resolve("pki"));
        Path signingKey = dir.resolve("pki").resolve("manifest-signing.pem");
        this.publicKey = dir.resolve("pki").resolve("manifest-signing.pub.pem");
        if (!Files.exists(signingKey)) {
            ManifestSigner.generate(signingKey, publicKey);
        }
        this.ingestPorts = Ports.reserveLoopbackPorts(shape.ingest());
        this.ingestService = new ServiceEndpoints(ingestPorts.stream().map(Ports.Reservation::port).toList());
        this.adminPorts = Ports.reserveLoopbackPorts(shape.profile() == Profile.BENCH
                ? shape.ingest() + shape.streamProcessors() + shape.archivers() : 0);
        for (int i = 0; i < shape.ingest(); i++) {
            String name = "ingest-" + (i + 1);
            int admin = nextAdminPort();
            ingest.add(admin(process(name, "ingest",
                    ConfigFiles.ingest(pki, bootstrap, ingestPorts.get(i).port(), admin)), admin));
        }
        for (int i = 0; i < shape.streamProcessors(); i++) {
            String name = "stream-processor-" + (i + 1);
            Path state = Files.createDirectories(dir.resolve("state").resolve(name));
            int admin = nextAdminPort();
            streamProcessors.add(admin(process(name, "stream-processor",
                    ConfigFiles.streamProcessor(shape.profile(), bootstrap, state, admin)), admin));
        }
        for (int i = 0; i < shape.archivers(); i++) {
            String name = "archiver-" + (i + 1);
            TcpProxy toS3 = TcpProxy.start(s3.endpoint().getHost(), s3.endpoint().getPort());
            TcpProxy toOpenSearch = TcpProxy.start(openSearch.getHost(), openSearch.getPort());
            URI s3Url = URI.create(s3.endpoint().getScheme() + "://127.0.0.1:" + toS3.port());
            URI openSearchUrl = URI.create(openSearch.getScheme() + "://127.0.0.1:" + toOpenSearch.port());
            int admin = nextAdminPort();
            ServiceProcess p = admin(process(name, "archiver", ConfigFiles.archiver(shape.profile(), bootstrap, s3, s3Url,
                    openSearchUrl, signingKey, shape.digestInterval(), admin)), admin);
            archivers.add(p);
            s3Proxies.put(p, toS3);
            openSearchProxies.put(p, toOpenSearch);
        }
    }

    /** The next reserved admin port; 0 (no admin port) once there is none, as in a soak. */
    private int nextAdminPort() {
        return adminPortOf.size() < adminPorts.size() ? adminPorts.get(adminPortOf.size()).port() : 0;
    }

    private ServiceProcess admin(ServiceProcess p, int port) {
        if (port != 0) {
            adminPortOf.put(p, port);
        }
        return p;
    }

    private ServiceProcess process(String name, String module, String yaml) {
        Path config = shape.dir().resolve(name + ".yaml");
        try {
            Files.writeString(config, "# written by auditkeeper " + (shape.profile() == Profile.SOAK ? "soak" : "bench e2e") + "\n" + yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path jar = shape.jars().resolve(module).resolve("target").resolve("auditkeeper-" + module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar + ": build the services first (./auditkeeper build)");
        }
        return new ServiceProcess(name, module, jar, config, shape.dir().resolve(name + ".log"),
                shape.profile().jvmOptions());
    }

    /** Starts every process; returns once every ingest instance listens (is ready behind the Service). */
    public void startAll() throws InterruptedException {
        all().forEach(ServiceProcess::start);
        for (int i = 0; i < ingest.size(); i++) {
            if (!ingestService.upWhenListening(i, Duration.ofMinutes(2))) {
                throw new IllegalStateException(ingest.get(i).name() + " did not listen within 2 minutes; see "
                        + ingest.get(i).log());
            }
        }
    }

    public List<ServiceProcess> ingest() {
        return ingest;
    }

    public List<ServiceProcess> streamProcessors() {
        return streamProcessors;
    }

    public List<ServiceProcess> archivers() {
        return archivers;
    }

    public List<ServiceProcess> all() {
        List<ServiceProcess> all = new ArrayList<>(ingest);
        all.addAll(streamProcessors);
        all.addAll(archivers);
        return all;
    }

    TcpProxy s3Of(ServiceProcess archiver) {
        return s3Proxies.get(archiver);
    }

    TcpProxy openSearchOf(ServiceProcess archiver) {
        return openSearchProxies.get(archiver);
    }

    /** The ingest instances as one Service: what the traffic posts to. */
    public ServiceEndpoints ingestService() {
        return ingestService;
    }

    /** The service's Prometheus endpoint on its admin port; empty where it has none (a soak's services). */
    public Optional<URI> metrics(ServiceProcess p) {
        return Optional.ofNullable(adminPortOf.get(p)).map(port -> URI.create("http://127.0.0.1:" + port + "/metrics"));
    }

    public DevPki pki() {
        return pki;
    }

    public Path publicKey() {
        return publicKey;
    }

    /** Restores every proxy and thaws and restarts whatever a fault left stopped. */
    void heal() {
        s3Proxies.values().forEach(TcpProxy::restore);
        openSearchProxies.values().forEach(TcpProxy::restore);
        for (ServiceProcess p : all()) {
            if (p.frozen()) {
                p.thaw();
            } else if (!p.running()) {
                p.start();
            }
        }
    }

    @Override
    public void close() {
        all().forEach(ServiceProcess::destroy);
        s3Proxies.values().forEach(TcpProxy::close);
        openSearchProxies.values().forEach(TcpProxy::close);
        Ports.releaseAll(ingestPorts);
        Ports.releaseAll(adminPorts);
    }
}
