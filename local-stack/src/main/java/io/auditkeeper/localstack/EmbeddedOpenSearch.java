package io.auditkeeper.localstack;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An OpenSearch node inside the current JVM with HTTP on a loopback port reserved for it ({@link Ports.Reservation})
 * until {@link #close()}.
 *
 * <p>In-process because the distribution refuses to run as root and needs its own JVM; the search index is a
 * derived view of the audit trail, so a real node (real mappings, real query parsing) is what tests must talk to.
 * Bootstrap checks and the security manager are skipped: this is for tests and the demo only, never production.
 */
public final class EmbeddedOpenSearch implements AutoCloseable {
    private static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment env, Collection<Class<? extends Plugin>> plugins) {
            super(env, plugins, true);
        }
    }

    private final Node node;
    private final int httpPort;
    private final List<Ports.Reservation> ports;
    private boolean closed;

    private EmbeddedOpenSearch(Node node, List<Ports.Reservation> ports) {
        this.node = node;
        this.httpPort = ports.get(0).port();
        this.ports = ports;
    }

    /** Starts a single-node cluster with its home, data and logs under {@code home}; returns once it is green. */
    public static EmbeddedOpenSearch start(Path home) {
        Path h = home.toAbsolutePath();
        List<Ports.Reservation> ports = Ports.reserveLoopbackPorts(2);
        Settings settings = Settings.builder()
            .put("path.home", h.toString())
            .put("path.data", h.resolve("data").toString())
            .put("path.logs", h.resolve("logs").toString())
            .put("cluster.name", "auditkeeper-local")
            .put("node.name", "embedded-1")
            .put("network.host", "127.0.0.1")
            .put("http.port", ports.get(0).port())
            .put("transport.port", ports.get(1).port())
            // bind beside the reservations (the default outside Windows; said here because the ports depend on it)
            .put("network.tcp.reuse_address", true)
            .put("discovery.type", "single-node")
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
        Node node = null;
        try {
            Files.createDirectories(h.resolve("config"));
            Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), h.resolve("config"),
                () -> "embedded-1");
            node = new EmbeddedNode(env, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class));
            node.start();
            node.client().admin().cluster().prepareHealth().setWaitForGreenStatus().get();
            return new EmbeddedOpenSearch(node, ports);
        } catch (Exception e) {
            Ports.releaseAll(ports);
            if (node != null) {
                try {
                    node.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new IllegalStateException("OpenSearch did not start in " + h, e);
        }
    }

    /** Base URL of the REST API, e.g. {@code http://127.0.0.1:34567}. */
    public String httpUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** Stops the node and waits (bounded) for its thread pools. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            node.close();
            node.awaitClose(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Ports.releaseAll(ports);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedOpenSearch[" + httpUrl() + "]";
    }
}
