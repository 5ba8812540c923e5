package io.auditkeeper.ingest;

import io.auditkeeper.ingest.admin.AdminHandler;
import io.auditkeeper.ingest.admin.IngestMetrics;
import io.auditkeeper.ingest.auth.BearerTokens;
import io.auditkeeper.ingest.auth.ClientAuthenticator;
import io.auditkeeper.ingest.batch.EventListSplitter;
import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.ingest.firehose.FirehoseAccessKeys;
import io.auditkeeper.ingest.firehose.FirehoseDeliveryReader;
import io.auditkeeper.ingest.firehose.FirehoseHandler;
import io.auditkeeper.ingest.http.AuditWebhookHandler;
import io.auditkeeper.ingest.http.DoorServices;
import io.auditkeeper.ingest.http.HeaderTimeout;
import io.auditkeeper.ingest.http.InFlightBytesLimiter;
import io.auditkeeper.ingest.http.LogServiceHandler;
import io.auditkeeper.ingest.http.RequestBodyReader;
import io.auditkeeper.ingest.kafka.AuditRecordPublisher;
import io.auditkeeper.ingest.pubsub.JsonWebKeySet;
import io.auditkeeper.ingest.pubsub.PubSubHandler;
import io.auditkeeper.ingest.pubsub.PushEnvelopeReader;
import io.auditkeeper.ingest.pubsub.PushTokenVerifier;
import io.auditkeeper.ingest.kafka.KafkaClientSettings;
import io.auditkeeper.ingest.kafka.KafkaReadiness;
import io.auditkeeper.kafka.TopicBootstrap;
import io.auditkeeper.kafka.TopicCheck;
import io.auditkeeper.ingest.tls.CredentialReloader;
import io.auditkeeper.ingest.tls.ServerTlsFactory;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Clock;
import java.util.List;

/**
 * The ingest service assembled from its config: topics checked, producer, webhook and admin connectors. {@code Main}
 * and the tests start it the same way. Closing it stops accepting, lets in-flight batches finish (up to the grace
 * period), flushes the producer, and releases everything.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final String WEBHOOK = "webhook";
    private static final String ADMIN = "admin";

    private final IngestConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Admin admin;
    private Producer<byte[], byte[]> producer;
    private KafkaClientMetrics producerMetrics;
    private KafkaReadiness readiness;
    private Server server;
    private ServerConnector webhookConnector;
    private SslContextFactory.Server sslContextFactory;
    private CredentialReloader credentialReloader;
    private ServerConnector adminConnector;
    private volatile boolean stopping;
    private final Clock clock;

    public IngestService(IngestConfig config) {
        this(config, Clock.systemUTC());
    }

    /**
     * @param clock ingest's receiving clock: every batch's {@code receivedAt} and its records' Kafka timestamps. The
     *              system clock in service; a test sets another to run ingest as a host whose clock is off would.
     */
    public IngestService(IngestConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    public IngestService start() throws Exception {
        try {
            doStart();
            return this;
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private void doStart() throws Exception {
        String credentials = CredentialReloader.fingerprint(config);
        ClientAuthenticator authenticator = new ClientAuthenticator(config.authMode(), config.allowedSubjects(),
                config.authMode().usesToken() ? BearerTokens.load(config.tokenFile().orElseThrow()) : null,
                config.clusterBindings());

        admin = Admin.create(KafkaClientSettings.admin(config));
        TopicBootstrap.ensureTopics(admin, List.of(config.rawTopic(), config.deadLetterTopic()), config.createTopics(),
                KafkaClientSettings.maxRecordBytes(config), config.topicCheck().minInsyncReplicas());
        TopicCheck.check(admin, KafkaClientSettings.wantedTopics(config), config.topicCheck().mode(), "ingest");
        producer = new KafkaProducer<>(KafkaClientSettings.producer(config));
        // Fetch metadata now, so that the first batch does not wait for it.
        producer.partitionsFor(config.rawTopic().name());
        producer.partitionsFor(config.deadLetterTopic().name());
        producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        readiness = new KafkaReadiness(admin, config.readinessInterval());
        readiness.start();

        InFlightBytesLimiter limiter = new InFlightBytesLimiter(config.maxInFlightBytes(),
                config.maxInFlightBytesPerClient());
        IngestMetrics metrics = new IngestMetrics(registry, limiter::used);
        HeaderTimeout headerTimeout = new HeaderTimeout(config.headerTimeout(), metrics::connectionClosedForSlowHead);
        ServerTlsFactory.Material tls = config.plaintext() ? null : ServerTlsFactory.read(config);
        if (tls != null) {
            metrics.certificateExpiry("server", tls.serverExpiry());
            if (tls.clientCaExpiry() != null) {
                metrics.certificateExpiry("client-ca", tls.clientCaExpiry());
            }
        }
        RequestBodyReader bodyReader = new RequestBodyReader(config.maxBodyBytes(), config.readTimeout());
        EventListSplitter splitter = new EventListSplitter(config.maxEventsPerBatch(), config.maxEventBytes());
        AuditRecordPublisher publisher = new AuditRecordPublisher(producer, config.rawTopic().name(),
                config.deadLetterTopic().name());
        DoorServices door = new DoorServices(bodyReader, limiter, splitter, publisher, metrics, config.defaultCluster(),
                config.ackTimeout(), clock);
        AuditWebhookHandler webhook = new AuditWebhookHandler(authenticator, door);
        FirehoseAccessKeys firehoseKeys = null;
        FirehoseHandler firehose = null;
        if (config.firehoseEksEnabled()) {
            firehoseKeys = FirehoseAccessKeys.load(config.firehoseEksAccessKeyFile().orElseThrow());
            firehose = new FirehoseHandler(firehoseKeys, authenticator,
                    new FirehoseDeliveryReader(config.firehoseEksLogGroups(), config.maxBodyBytes()), door);
        }
        PushTokenVerifier pushTokens = null;
        PubSubHandler pubsub = null;
        if (config.pubsubGkeEnabled()) {
            pushTokens = new PushTokenVerifier(JsonWebKeySet.read(config.pubsubGkeJwksFile().orElseThrow(),
                    "pubsub.gke.jwks-file"), config.pubsubGkeAudience(), config.pubsubGkeServiceAccounts(),
                    config.pubsubGkeClockLeeway(), clock);
            pubsub = new PubSubHandler(pushTokens, authenticator, new PushEnvelopeReader(config.pubsubGkeClusters()),
                    door);
            if (config.pubsubGkeServiceAccounts().isEmpty()) {
                LOG.warn("pubsub.gke.service-accounts is empty: any Google-signed token for pubsub.gke.audience is accepted on /pubsub/gke");
            }
        }

        QueuedThreadPool threads = new QueuedThreadPool(config.maxThreads(), 8);
        threads.setName("ingest-http");
        server = new Server(threads);
        server.setStopTimeout(config.shutdownGracePeriod().toMillis());
        webhookConnector = webhookConnector(server, tls, headerTimeout);
        server.addConnector(webhookConnector);
        server.addBean(headerTimeout);
        NetworkConnectionLimit connectionLimit = new NetworkConnectionLimit(config.maxConnections(), webhookConnector);
        server.addBean(connectionLimit);
        metrics.connections(connectionLimit::getNetworkConnectionCount);
        AdminHandler adminHandler = new AdminHandler(registry, () -> !stopping && readiness.isReachable());
        if (config.adminEnabled()) {
            adminConnector = new ServerConnector(server, 1, 1, new HttpConnectionFactory());
            adminConnector.setName(ADMIN);
            adminConnector.setHost(config.adminHost());
            adminConnector.setPort(config.adminPort());
            server.addConnector(adminConnector);
        }
        server.setHandler(new ResendableGracefulHandler(new ConnectorRouter(webhook, firehose, pubsub, adminHandler, headerTimeout)));
        server.start();
        if (!config.credentialsReloadInterval().isZero()) {
            credentialReloader = new CredentialReloader(config, sslContextFactory, authenticator, firehoseKeys, pushTokens, metrics,
                    credentials)
                    .start(config.credentialsReloadInterval());
        }
        if (config.plaintext()) {
            LOG.warn("listen.plaintext=true: the webhook serves plain HTTP; audit events and tokens cross the network unencrypted unless a TLS proxy on this host terminates TLS");
        }
        LOG.atInfo().addKeyValue("webhook", webhookUri().toString()).addKeyValue("auth_mode", config.authMode().name())
                .addKeyValue("admin_port", adminConnector == null ? null : adminConnector.getLocalPort())
                .log("ingest started");
    }

    private ServerConnector webhookConnector(Server server, ServerTlsFactory.Material tls, HeaderTimeout headerTimeout) {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(config.maxHeaderBytes());
        HttpConnectionFactory httpFactory = new HttpConnectionFactory(http);
        httpFactory.addEventListener(headerTimeout);
        ServerConnector connector;
        if (config.plaintext()) {
            connector = new ServerConnector(server, httpFactory);
        } else {
            http.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
            sslContextFactory = ServerTlsFactory.create(config, tls);
            connector = new ServerConnector(server, new SslConnectionFactory(sslContextFactory, "http/1.1"), httpFactory);
        }
        connector.setName(WEBHOOK);
        connector.setHost(config.listenHost());
        connector.setPort(config.listenPort());
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        // On shutdown Jetty cuts connections idle for this long; a batch still arriving must get its read timeout
        // (within the grace period), not Jetty's default second.
        connector.setShutdownIdleTimeout(Math.min(config.readTimeout().toMillis(), config.shutdownGracePeriod().toMillis()));
        return connector;
    }

    /** The webhook's base URL as bound (useful with port 0). */
    public URI webhookUri() {
        if (webhookConnector == null) {
            throw new IllegalStateException("not started");
        }
        String scheme = config.plaintext() ? "http" : "https";
        String host = config.listenHost().equals("0.0.0.0") ? "localhost" : config.listenHost();
        return URI.create(scheme + "://" + host + ":" + webhookConnector.getLocalPort() + "/audit");
    }

    public int adminPort() {
        return adminConnector == null ? -1 : adminConnector.getLocalPort();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        stopping = true;
        if (credentialReloader != null) {
            credentialReloader.close();
        }
        long grace = config.shutdownGracePeriod().toMillis();
        try {
            if (server != null) {
                server.stop();
            }
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("exception", e.getClass().getName()).log("error stopping the HTTP server");
        }
        if (readiness != null) {
            readiness.close();
        }
        if (producerMetrics != null) {
            producerMetrics.close();
        }
        if (producer != null) {
            producer.close(Duration.ofMillis(Math.max(grace, 1_000)));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        LOG.info("ingest stopped");
    }

    /**
     * Jetty's graceful shutdown, whose 503 for a request arriving while the server stops carries {@code Retry-After}:
     * without it the apiserver drops the batch ({@code DefaultShouldRetry}), with it the batch is resent, on a new
     * connection (this one is closed), to another instance.
     */
    private static final class ResendableGracefulHandler extends GracefulHandler {
        ResendableGracefulHandler(Handler handler) {
            super(handler);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (isShutdown() && isStarted()) {
                response.setStatus(503);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                response.write(true, ByteBuffer.wrap(SHUTTING_DOWN), callback);
                return true;
            }
            return super.handle(request, response, callback);
        }
    }

    private static final byte[] SHUTTING_DOWN =
            "{\"error\":\"shutting-down\",\"message\":\"the server is stopping; retry the batch\"}".getBytes(StandardCharsets.UTF_8);

    /**
     * Sends each request to the handler of the connector it arrived on (on the webhook port, {@code /firehose/...} to
     * the Firehose endpoint and {@code /pubsub/...} to the Pub/Sub endpoint when they are on), and marks each webhook exchange's start and
     * end for the {@link HeaderTimeout}.
     */
    private static final class ConnectorRouter extends Handler.Abstract {
        private final Handler webhook;
        private final LogServiceHandler<?> firehose;
        private final LogServiceHandler<?> pubsub;
        private final Handler admin;
        private final HeaderTimeout headerTimeout;

        /**
         * @param firehose the Firehose endpoint, or null when it is off (its path is then the webhook's 404)
         * @param pubsub   the GKE Pub/Sub push endpoint, or null when it is off
         */
        ConnectorRouter(Handler webhook, LogServiceHandler<?> firehose, LogServiceHandler<?> pubsub, Handler admin,
                        HeaderTimeout headerTimeout) {
            super(InvocationType.BLOCKING);
            this.webhook = webhook;
            this.firehose = firehose;
            this.pubsub = pubsub;
            this.admin = admin;
            this.headerTimeout = headerTimeout;
            installBean(webhook);
            for (Handler h : new Handler[]{firehose, pubsub}) {
                if (h != null) {
                    installBean(h);
                }
            }
            installBean(admin);
        }

        @Override
        public void setServer(Server server) {
            super.setServer(server);
            webhook.setServer(server);
            for (Handler h : new Handler[]{firehose, pubsub}) {
                if (h != null) {
                    h.setServer(server);
                }
            }
            admin.setServer(server);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            Connector connector = request.getConnectionMetaData().getConnector();
            if (ADMIN.equals(connector.getName())) {
                return admin.handle(request, response, callback);
            }
            org.eclipse.jetty.io.Connection connection = request.getConnectionMetaData().getConnection();
            headerTimeout.requestStarted(connection);
            Handler target = firehose != null && firehose.handles(request) ? firehose
                    : pubsub != null && pubsub.handles(request) ? pubsub : webhook;
            return target.handle(request, response, Callback.from(() -> headerTimeout.requestEnded(connection), callback));
        }
    }
}
