package io.auditkeeper.ingest.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether Kafka answers, checked in the background so that {@code /readyz} never waits on the network. A load
 * balancer takes an instance that cannot reach Kafka out of rotation instead of sending it batches to refuse.
 */
public final class KafkaReadiness implements AutoCloseable {
    private final Admin admin;
    private final Duration interval;
    private final AtomicBoolean reachable = new AtomicBoolean(false);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kafka-readiness");
        t.setDaemon(true);
        return t;
    });

    public KafkaReadiness(Admin admin, Duration interval) {
        this.admin = admin;
        this.interval = interval;
    }

    public void start() {
        check();
        scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isReachable() {
        return reachable.get();
    }

    private void check() {
        try {
            int timeout = (int) Math.max(500, Math.min(interval.toMillis(), 5_000));
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeout)).nodes().get(timeout + 500L, TimeUnit.MILLISECONDS);
            reachable.set(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            reachable.set(false);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
