package io.auditkeeper.localstack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    /** The replication settings of a single node: every internal topic with one replica. */
    private static final Map<String, String> SINGLE_NODE = Map.of(
        "offsets.topic.replication.factor", "1",
        "transaction.state.log.replication.factor", "1",
        "transaction.state.log.min.isr", "1",
        "share.coordinator.state.topic.replication.factor", "1",
        "share.coordinator.state.topic.min.isr", "1");

    private final List<Ports.Reservation> ports;
    private final KafkaNode node;
    private boolean closed;

    private EmbeddedKafka(Path dataDir, List<Ports.Reservation> ports) {
        this.ports = ports;
        int brokerPort = ports.get(0).port();
        int controllerPort = ports.get(1).port();
        this.node = new KafkaNode(1, dataDir, brokerPort, controllerPort, "1@127.0.0.1:" + controllerPort, SINGLE_NODE);
    }

    /**
     * Formats {@code dataDir} if it holds no broker yet (existing data is kept), starts the broker on two loopback
     * ports reserved for it and returns once it answers an Admin request.
     */
    public static EmbeddedKafka start(Path dataDir) {
        EmbeddedKafka kafka = new EmbeddedKafka(dataDir.toAbsolutePath(), Ports.reserveLoopbackPorts(2));
        try {
            kafka.node.format(Uuid.randomUuid().toString());
            kafka.startServer();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    /** {@code host:port} for {@code bootstrap.servers}; the same before and after a restart. */
    public String bootstrapServers() {
        return node.bootstrapServer();
    }

    /**
     * Shuts the broker down cleanly; data directory and ports are kept (still reserved) for {@link #restart()}. No-op if
     * stopped.
     */
    public synchronized void stop() {
        node.stop();
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
        return node.isRunning();
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
        return node.dataDir();
    }

    private synchronized void startServer() {
        node.start();
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
        return "EmbeddedKafka[" + bootstrapServers() + ", " + node.dataDir() + "]";
    }
}
