package io.auditkeeper.demo.soak;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The soak's model of a Kubernetes Service in front of the ingest instances: new connections go round the instances
 * that are ready; an instance is taken out when it is killed (as the endpoints controller does once the kubelet reports
 * the container gone) and put back once its port accepts connections again (its readiness probe). Requests already
 * on a killed instance fail as they would: reset, or closed without an answer.
 */
public final class ServiceEndpoints {
    private final List<Integer> ports;
    private final AtomicIntegerArray ready;
    private final AtomicInteger next = new AtomicInteger();

    /** No instance is ready until {@link #upWhenListening} finds it listening. */
    ServiceEndpoints(List<Integer> ports) {
        this.ports = List.copyOf(ports);
        this.ready = new AtomicIntegerArray(ports.size());
    }

    /** The webhook URL of the next ready instance for a cluster (any instance if none is ready: it will refuse). */
    public URI next(String cluster) {
        int n = ports.size();
        for (int tries = 0; tries < n; tries++) {
            int i = Math.floorMod(next.getAndIncrement(), n);
            if (ready.get(i) == 1) {
                return uri(i, cluster);
            }
        }
        return uri(Math.floorMod(next.getAndIncrement(), n), cluster);
    }

    void down(int instance) {
        ready.set(instance, 0);
    }

    /** Puts an instance back once its port accepts a connection; false if it did not within {@code patience}. */
    boolean upWhenListening(int instance, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", ports.get(instance)), 1000);
                ready.set(instance, 1);
                return true;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        return false;
    }

    private URI uri(int instance, String cluster) {
        return URI.create("https://127.0.0.1:" + ports.get(instance) + "/audit/" + cluster);
    }
}
