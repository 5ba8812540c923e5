package io.auditkeeper.localstack;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A single-node Kafka (KRaft, combined broker and controller) inside the current JVM.
 *
 * <p>A real broker rather than a mock, because the pipeline relies on broker behaviour: idempotent and transactional
 * producers, exactly-once Streams, and durability across a broker restart, which {@link #stop()} and
 * {@link #restart()} let a test prove. Ports are fixed at {@link #start(Path)} and kept across restarts so that
 * clients' bootstrap addresses stay valid: they are held ({@link Ports.Reservation}) from the start to {@link #close()},
 * so that while the broker is stopped nothing else can take them, and the restarted broker binds them again. Topics are never created implicitly
 * ({@code auto.create.topics.enable=false}): the code under test must create what it uses, as in production.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final String CONTROLLER = "CONTROLLER";

    private final Path dataDir;
    private final int brokerPort;
    private final List<Ports.Reservation> ports;
    private final Properties props;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(Path dataDir, List<Ports.Reservation> ports) {
        this.dataDir = dataDir;
        this.ports = ports;
        this.brokerPort = ports.get(0).port();
        int controllerPort = ports.get(1).port();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", CONTROLLER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
        p.put("log.dirs", dataDir.toString());
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        this.props = p;
    }

    /**
     * Formats {@code dataDir} if it holds no broker yet (existing data is kept), starts the broker on two loopback
     * ports reserved for it and returns once it answers an Admin request.
     */
    public static EmbeddedKafka start(Path dataDir) {
        EmbeddedKafka kafka = new EmbeddedKafka(dataDir.toAbsolutePath(), Ports.reserveLoopbackPorts(2));
        try {
            kafka.format();
            kafka.startServer();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    /** {@code host:port} for {@code bootstrap.servers}; the same before and after a restart. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /**
     * Shuts the broker down cleanly; data directory and ports are kept (still reserved) for {@link #restart()}. No-op if
     * stopped.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer s = server;
        server = null;
        s.shutdown();
        s.awaitShutdown();
    }

    /**
     * Starts a new broker on the same ports and data (stopping the running one first, if any); returns once it answers
     * an Admin request.
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("EmbeddedKafka is closed");
        }
        stop();
        startServer();
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops the broker if it runs and releases its ports. Idempotent; the data directory is left in place. */
    @Override
    public synchronized void close() {
        closed = true;
        try {
            stop();
        } finally {
            Ports.releaseAll(ports);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    private void format() {
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(dataDir.resolve("meta.properties"))) {
                return;
            }
            new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(List.of(dataDir.toString()))
                .setMetadataLogDirectory(dataDir.toString())
                .setControllerListenerName(CONTROLLER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dataDir, e);
        }
    }

    private synchronized void startServer() {
        // a fresh KafkaConfig each time: the broker attaches dynamic-config state to the instance it is given
        KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server = s;
        s.startup();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka on " + bootstrapServers(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka on " + bootstrapServers() + " did not answer within 60 s", e);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", " + dataDir + "]";
    }
}
