package io.auditkeeper.localstack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A Kafka cluster of several KRaft nodes (each a combined broker and controller, all of them voters of the quorum)
 * inside the current JVM, for the tests that need replication: what an {@code acks=all} acknowledgement is worth when
 * the leader of a partition dies.
 *
 * <p>Settings as a production cluster should have them for Audit Keeper: {@code default.replication.factor} = the
 * number of nodes (at most 3), {@code min.insync.replicas=2}, {@code unclean.leader.election.enable=false}, and the
 * internal topics (offsets, transactions, share state) replicated the same way. Nodes are numbered from 1. Each node's
 * two ports (broker, controller) are held ({@link Ports.Reservation}) from {@link #start(Path, int)} to
 * {@link #close()}, so a stopped node's ports stay its own and its restart binds them again.
 *
 * <p>{@link #stop(int)} stops a node hard: {@code controlled.shutdown.enable=false}, so the broker does not hand its
 * leaderships over first; it closes its listeners and its logs (left on disk) and says nothing to the controller,
 * which learns of the loss only when the node's heartbeats stop ({@code broker.session.timeout.ms}, 9 s), fences it
 * and elects new leaders from the in-sync replicas, as after a crash. What it does not imitate is a power cut: the
 * logs are flushed and closed, not torn. Only the tests that need a cluster start one; the local stack's Kafka stays a
 * single {@link EmbeddedKafka}.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final List<Ports.Reservation> ports;
    private final List<KafkaNode> nodes;
    private boolean closed;

    private EmbeddedKafkaCluster(Path dataDir, int size, List<Ports.Reservation> ports) {
        this.ports = ports;
        String voters = IntStream.range(0, size)
            .mapToObj(i -> (i + 1) + "@127.0.0.1:" + ports.get(2 * i + 1).port())
            .collect(Collectors.joining(","));
        String replicas = Integer.toString(Math.min(size, 3));
        String minIsr = Integer.toString(Math.min(size, 2));
        Map<String, String> replicated = Map.of(
            "default.replication.factor", replicas,
            "min.insync.replicas", minIsr,
            "unclean.leader.election.enable", "false",
            "controlled.shutdown.enable", "false",
            "offsets.topic.replication.factor", replicas,
            "transaction.state.log.replication.factor", replicas,
            "transaction.state.log.min.isr", minIsr,
            "share.coordinator.state.topic.replication.factor", replicas,
            "share.coordinator.state.topic.min.isr", minIsr);
        List<KafkaNode> n = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            n.add(new KafkaNode(i + 1, dataDir.resolve("node-" + (i + 1)), ports.get(2 * i).port(),
                ports.get(2 * i + 1).port(), voters, replicated));
        }
        this.nodes = List.copyOf(n);
    }

    /**
     * Formats a directory per node under {@code dataDir} ({@code node-1}, ...) unless they hold a cluster already,
     * starts all {@code size} nodes at once (a node finishes starting only once a majority of the voters runs) and
     * returns once every broker is registered and unfenced; fails after 90 s.
     */
    public static EmbeddedKafkaCluster start(Path dataDir, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node, not " + size);
        }
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(dataDir.toAbsolutePath(), size,
            Ports.reserveLoopbackPorts(2 * size));
        try {
            String clusterId = Uuid.randomUuid().toString();
            cluster.nodes.forEach(n -> n.format(clusterId));
            cluster.startAll();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** {@code host:port,...} of every node, for {@code bootstrap.servers}; the same before and after restarts. */
    public String bootstrapServers() {
        return nodes.stream().map(KafkaNode::bootstrapServer).collect(Collectors.joining(","));
    }

    /** The node ids, 1 to the size. */
    public List<Integer> nodeIds() {
        return nodes.stream().map(KafkaNode::nodeId).toList();
    }

    /** {@code host:port} of one node's broker. */
    public String bootstrapServer(int nodeId) {
        return node(nodeId).bootstrapServer();
    }

    /**
     * Stops node {@code nodeId} hard (see the class comment) and returns once it is down: its ports refuse connections,
     * its data directory and port reservations are kept for {@link #restart(int)}. No-op if it is stopped.
     */
    public synchronized void stop(int nodeId) {
        node(nodeId).stop();
    }

    /**
     * Starts node {@code nodeId} again on its ports and data (stopping it first if it runs); returns once it has caught
     * up with the cluster's metadata and the cluster lists it as a broker again. It then catches up on its partitions
     * and rejoins their in-sync replicas by itself. Fails after 90 s.
     */
    public synchronized void restart(int nodeId) {
        if (closed) {
            throw new IllegalStateException("EmbeddedKafkaCluster is closed");
        }
        KafkaNode n = node(nodeId);
        n.stop();
        n.start();
        awaitBrokers(Set.of(nodeId));
    }

    public synchronized boolean isRunning(int nodeId) {
        return node(nodeId).isRunning();
    }

    public Path dataDir(int nodeId) {
        return node(nodeId).dataDir();
    }

    /** Stops every node that runs and releases the ports. Idempotent; the data directories are left in place. */
    @Override
    public synchronized void close() {
        closed = true;
        try {
            stopAll();
        } finally {
            Ports.releaseAll(ports);
        }
    }

    private KafkaNode node(int nodeId) {
        if (nodeId < 1 || nodeId > nodes.size()) {
            throw new IllegalArgumentException("no node " + nodeId + " in a cluster of " + nodes.size());
        }
        return nodes.get(nodeId - 1);
    }

    /** Each node in its own thread: a node's start returns only once a majority of the quorum runs. */
    private void startAll() {
        ExecutorService starters = Executors.newFixedThreadPool(nodes.size(), r -> {
            Thread t = new Thread(r, "kafka-cluster-start");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> started = nodes.stream().map(n -> starters.submit(n::start)).collect(Collectors.toList());
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            for (Future<?> f : started) {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + this, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a node of " + this + " failed to start", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(this + " did not start within " + START_TIMEOUT.toSeconds() + " s", e);
        } finally {
            starters.shutdownNow();
        }
        awaitBrokers(Set.copyOf(nodeIds()));
    }

    /**
     * Stops the nodes in parallel: stopped one by one, the last ones would wait for a quorum that is already gone.
     */
    private void stopAll() {
        ExecutorService stoppers = Executors.newFixedThreadPool(nodes.size(), r -> {
            Thread t = new Thread(r, "kafka-cluster-stop");
            t.setDaemon(true);
            return t;
        });
        RuntimeException failure = null;
        try {
            List<Future<?>> stopped = nodes.stream().map(n -> stoppers.submit(n::stop)).collect(Collectors.toList());
            for (Future<?> f : stopped) {
                try {
                    f.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    if (failure == null) {
                        failure = new IllegalStateException("a node of " + this + " did not stop", e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stoppers.shutdownNow();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Waits until the cluster lists every one of {@code ids} as a broker (describeCluster lists unfenced ones). */
    private void awaitBrokers(Set<Integer> ids) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            boolean listed = Waits.until(START_TIMEOUT, Duration.ofMillis(100), () -> {
                try {
                    Set<Integer> live = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                        .map(Node::id).collect(Collectors.toSet());
                    return live.containsAll(ids);
                } catch (ExecutionException | TimeoutException notYet) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + EmbeddedKafkaCluster.this, e);
                }
            });
            if (!listed) {
                throw new IllegalStateException("the brokers " + ids + " of " + this + " were not all listed within "
                    + START_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + this, e);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaCluster[" + bootstrapServers() + "]";
    }
}
