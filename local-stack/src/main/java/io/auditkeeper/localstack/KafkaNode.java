package io.auditkeeper.localstack;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
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

/**
 * One KRaft node (combined broker and controller) on two loopback ports it is given: the part {@link EmbeddedKafka}
 * and {@link EmbeddedKafkaCluster} share. It formats its data directory, starts and stops the server; waiting until
 * clients can use it is the caller's (a node of a cluster cannot finish starting before a quorum of voters runs).
 */
final class KafkaNode {
    static final String CONTROLLER = "CONTROLLER";

    private final int nodeId;
    private final Path dataDir;
    private final int brokerPort;
    private final Properties props;
    private KafkaRaftServer server;

    /**
     * @param voters     {@code controller.quorum.voters} of the whole quorum ({@code id@host:port,...})
     * @param replicated settings that differ between one node and a cluster (replication factors, min ISR, ...)
     */
    KafkaNode(int nodeId, Path dataDir, int brokerPort, int controllerPort, String voters, Map<String, String> replicated) {
        this.nodeId = nodeId;
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", CONTROLLER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
        p.put("log.dirs", dataDir.toString());
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        p.putAll(replicated);
        this.props = p;
    }

    int nodeId() {
        return nodeId;
    }

    Path dataDir() {
        return dataDir;
    }

    String bootstrapServer() {
        return "127.0.0.1:" + brokerPort;
    }

    /** Formats the data directory for {@code clusterId} unless it holds a node already (existing data is kept). */
    void format(String clusterId) {
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(dataDir.resolve("meta.properties"))) {
                return;
            }
            new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(nodeId)
                .setClusterId(clusterId)
                .setDirectories(List.of(dataDir.toString()))
                .setMetadataLogDirectory(dataDir.toString())
                .setControllerListenerName(CONTROLLER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dataDir, e);
        }
    }

    /**
     * Starts the server; returns once it has started, which for a broker means it caught up with the metadata of the
     * quorum (so a node of a cluster returns only once a majority of the voters runs).
     */
    synchronized void start() {
        if (server != null) {
            return;
        }
        // a fresh KafkaConfig each time: the broker attaches dynamic-config state to the instance it is given
        KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server = s;
        s.startup();
    }

    /**
     * Shuts the server down and waits until it has: its listeners closed, its logs closed and left in place. With
     * {@code controlled.shutdown.enable=false} the broker does not ask the controller to move its leaderships first,
     * so the cluster learns of its absence only when its heartbeats stop, as after a crash. No-op if stopped.
     */
    synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer s = server;
        server = null;
        s.shutdown();
        s.awaitShutdown();
    }

    synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public String toString() {
        return "KafkaNode[" + nodeId + ", " + bootstrapServer() + ", " + dataDir + "]";
    }
}
