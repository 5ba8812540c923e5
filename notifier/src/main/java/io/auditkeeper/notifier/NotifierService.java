package io.auditkeeper.notifier;

import io.auditkeeper.admin.AdminServer;
import io.auditkeeper.config.AdminSettings;
import io.auditkeeper.notifier.config.NotifierConfig;
import io.auditkeeper.notifier.config.ReceiverConfig;
import io.auditkeeper.notifier.deliver.ReceiverClient;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The notifier as a service: one worker thread per receiver ({@link ReceiverLoop}, each in its own consumer group),
 * a shared producer for the dead-letter topic, and the admin port with its readiness (every worker polls), liveness
 * (every worker thread runs) and metrics.
 */
public final class NotifierService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NotifierService.class);

    private final NotifierConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<ReceiverLoop> loops = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private KafkaProducer<byte[], byte[]> deadLetters;
    private AdminServer admin;

    public NotifierService(NotifierConfig config) {
        this.config = config;
    }

    public void start() throws IOException {
        deadLetters = new KafkaProducer<>(NotifierClientSettings.producer(config));
        new KafkaClientMetrics(deadLetters).bindTo(registry);
        NotifierMetrics metrics = new NotifierMetrics(registry);
        for (ReceiverConfig receiver : config.receivers().values()) {
            metrics.register(receiver.name());
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(NotifierClientSettings.consumer(config, receiver));
            new KafkaClientMetrics(consumer).bindTo(registry);
            ReceiverLoop loop = new ReceiverLoop(config, receiver, consumer, deadLetters, new ReceiverClient(receiver), metrics);
            Thread t = new Thread(loop, "notifier-" + receiver.name());
            loops.add(loop);
            workers.add(t);
            t.start();
            LOG.atInfo().addKeyValue("receiver", receiver.name()).addKeyValue("type", receiver.type().code())
                    .addKeyValue("group", config.consumerGroup(receiver))
                    .addKeyValue("sources", receiver.sources().stream().map(s -> s.code()).sorted().collect(Collectors.joining(",")))
                    .log("receiver started");
        }
        AdminSettings a = config.admin();
        if (a.enabled()) {
            admin = AdminServer.start(a.host(), a.port(), this::notReadyReason, this::notAliveReason, registry::scrape);
        }
        LOG.atInfo().addKeyValue("receivers", loops.size()).addKeyValue("dlq_topic", config.deadLetterTopic())
                .addKeyValue("admin_port", admin == null ? "off" : admin.port()).log("notifier started");
    }

    /** The admin port (the chosen one when configured 0), or -1 when the admin port is off or not started. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** Why it is not doing its work, or empty. */
    public Optional<String> notReadyReason() {
        if (loops.isEmpty()) {
            return Optional.of("not started");
        }
        String reasons = loops.stream().map(ReceiverLoop::notReadyReason).flatMap(Optional::stream).collect(Collectors.joining("; "));
        return reasons.isEmpty() ? Optional.empty() : Optional.of(reasons);
    }

    private Optional<String> notAliveReason() {
        for (int i = 0; i < workers.size(); i++) {
            if (!workers.get(i).isAlive()) {
                return Optional.of("the worker of receiver " + loops.get(i).name() + " has stopped");
            }
        }
        return Optional.empty();
    }

    /** Stops every worker after its attempt in hand, waiting at most the shutdown grace period in all. */
    @Override
    public void close() throws InterruptedException {
        loops.forEach(ReceiverLoop::stop);
        long deadline = System.nanoTime() + config.shutdownGracePeriod().plus(config.pollTimeout()).toNanos();
        for (Thread t : workers) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        if (deadLetters != null) {
            deadLetters.close(Duration.ofSeconds(5));
        }
        if (admin != null) {
            admin.close();
        }
        LOG.info("notifier stopped");
    }
}
