package io.auditkeeper.source.aks;

import io.auditkeeper.admin.AdminServer;
import io.auditkeeper.config.AdminSettings;
import io.auditkeeper.source.aks.config.AksSourceConfig;
import io.auditkeeper.source.aks.kafka.OutputLimits;
import io.auditkeeper.source.aks.kafka.SourceClientSettings;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Optional;

/**
 * The AKS source as a service: the worker that forwards the event hub into Kafka, and the admin port with its
 * readiness (the worker polls and its writes succeed), liveness (the worker thread runs) and metrics.
 */
public final class AksSourceService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AksSourceService.class);

    private final AksSourceConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private EventHubsForwarder forwarder;
    private Thread worker;
    private AdminServer admin;

    public AksSourceService(AksSourceConfig config) {
        this.config = config;
    }

    public void start() throws IOException {
        OutputLimits limits = OutputLimits.read(config);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(SourceClientSettings.consumer(config));
        new KafkaClientMetrics(consumer).bindTo(registry);
        forwarder = new EventHubsForwarder(config, consumer, this::producer, limits, new SourceMetrics(registry));
        worker = new Thread(forwarder, "source-aks");
        worker.start();
        AdminSettings a = config.admin();
        if (a.enabled()) {
            admin = AdminServer.start(a.host(), a.port(), forwarder::notReadyReason,
                    () -> worker.isAlive() ? Optional.empty() : Optional.of("the source's worker has stopped"),
                    registry::scrape);
        }
        LOG.atInfo().addKeyValue("hub", config.eventHub()).addKeyValue("group", config.consumerGroup())
                .addKeyValue("client", config.client()).addKeyValue("delivery", config.delivery().name())
                .addKeyValue("raw_topic", config.rawTopic()).addKeyValue("admin_port", admin == null ? "off" : admin.port())
                .log("source-aks started");
    }

    /** The admin port (the chosen one when configured 0), or -1 when the admin port is off or not started. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** Why it is not doing its work, or empty. */
    public Optional<String> notReadyReason() {
        return forwarder == null ? Optional.of("not started") : forwarder.notReadyReason();
    }

    private Producer<byte[], byte[]> producer() {
        KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(SourceClientSettings.producer(config));
        new KafkaClientMetrics(p).bindTo(registry);
        return p;
    }

    /** Stops after the batch in hand is written and committed, waiting at most the shutdown grace period. */
    @Override
    public void close() throws InterruptedException {
        if (forwarder != null) {
            forwarder.stop();
            worker.join(config.shutdownGracePeriod().toMillis() + config.pollTimeout().toMillis());
        }
        if (admin != null) {
            admin.close();
        }
        LOG.info("source-aks stopped");
    }
}
