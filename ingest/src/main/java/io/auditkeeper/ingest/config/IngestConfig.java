package io.auditkeeper.ingest.config;

import io.auditkeeper.config.AdminSettings;
import io.auditkeeper.config.CommonConfig;
import io.auditkeeper.config.ConfigLoader;
import io.auditkeeper.ingest.auth.ClusterBindings;
import io.auditkeeper.ingest.firehose.LogGroupClusters;
import io.auditkeeper.ingest.pubsub.GkeClusters;
import io.auditkeeper.ingest.pubsub.JsonWebKeySet;
import io.auditkeeper.kafka.TopicBootstrap.TopicSettings;
import io.auditkeeper.kafka.TopicCheck;
import io.auditkeeper.model.AuditTopics;
import io.auditkeeper.model.ClusterNames;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ingest service's settings: one immutable, validated object read once at start from a YAML file and
 * {@code AUDITKEEPER_INGEST_*} environment variables. Any invalid or inconsistent value stops startup with a message
 * that names the key. The reference table in {@code docs/ingest.md} is generated from {@link #DEFINITION}.
 */
public final class IngestConfig {
    public static final String ENV_PREFIX = "AUDITKEEPER_INGEST_";
    public static final String KAFKA_CLIENT_PREFIX = CommonConfig.KAFKA_CLIENT_PREFIX;
    public static final String KAFKA_PRODUCER_PREFIX = "kafka.producer.";

    private static final long MIB = 1024L * 1024L;

    /** AEAD suites with forward secrecy, AES-128 first as Go clients (the apiserver) prefer. */
    public static final List<String> STRONG_CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define("listen.host", Type.STRING, "0.0.0.0", Importance.MEDIUM,
                    "Address the webhook listens on.")
            .define("listen.port", Type.INT, 8443, Range.between(0, 65535), Importance.HIGH,
                    "Port of the webhook (HTTPS). 0 picks a free port.")
            .define("listen.plaintext", Type.BOOLEAN, false, Importance.LOW,
                    "Serve plain HTTP instead of HTTPS. Only for a TLS-terminating proxy on the same host; logs a warning at start and forbids mTLS.")
            .define("tls.cert-file", Type.STRING, null, Importance.HIGH,
                    "PEM file with the server certificate, followed by its chain.")
            .define("tls.key-file", Type.STRING, null, Importance.HIGH,
                    "PEM file with the server's private key (PKCS#8, PKCS#1 RSA or SEC1 EC).")
            .define("tls.protocols", Type.LIST, List.of("TLSv1.3", "TLSv1.2"), ValidList.in("TLSv1.3", "TLSv1.2"), Importance.LOW,
                    "TLS versions offered. Nothing older than TLS 1.2 can be enabled.")
            .define("tls.cipher-suites", Type.LIST, STRONG_CIPHER_SUITES, ValidList.in(STRONG_CIPHER_SUITES.toArray(String[]::new)), Importance.LOW,
                    "Cipher suites, in the server's order of preference. Only AEAD suites with forward secrecy can be chosen (Mozilla's 'intermediate' set).")
            .define("auth.mode", Type.STRING, "mtls", ValidString.in("mtls", "token", "mtls-or-token", "mtls-and-token"), Importance.HIGH,
                    "How clients authenticate: a client certificate signed by auth.client-ca-file, a bearer token from auth.token-file, either, or both.")
            .define("auth.client-ca-file", Type.STRING, null, Importance.HIGH,
                    "PEM bundle of the CAs whose client certificates are accepted (required when auth.mode uses mtls).")
            .define("auth.allowed-subjects", Type.LIST, List.of(), Importance.MEDIUM,
                    "If not empty, only client certificates whose subject DN (RFC 2253) or CN equals one of these are accepted.")
            .define("auth.token-file", Type.STRING, null, Importance.HIGH,
                    "File of bearer tokens, one 'token,name' per line ('#' comments allowed); required when auth.mode uses token. The name is recorded as the client identity.")
            .define("auth.cluster-bindings", Type.LIST, List.of(), Importance.MEDIUM,
                    "Which clusters each client may post for: entries client=cluster[|cluster...], the client being a certificate's CN or a token's name, * for any cluster. Empty: any authenticated client may post for any cluster. Set, a client without an entry is refused (403).")
            .define("credentials.reload-interval-ms", Type.LONG, 60_000L, Range.atLeast(0), Importance.LOW,
                    "How often the certificate and key, the client CA bundle and the token file are checked for a change, which is then used without a restart (new connections and requests); a change that does not read is refused and the current ones stay. 0: read only at start.")
            .define("cluster.default", Type.STRING, "default", Importance.MEDIUM,
                    "Cluster name recorded for batches posted to /audit (the apiserver's events carry no cluster name; /audit/{cluster} names it).")
            .define("firehose.eks.enabled", Type.BOOLEAN, false, Importance.MEDIUM,
                    "Serve POST /firehose/eks on the webhook port: EKS audit logs that a CloudWatch Logs subscription filter sends through an Amazon Data Firehose stream with an HTTP endpoint destination (docs/managed-clusters.md). Firehose presents no client certificate, so auth.mode must be token or mtls-or-token; the endpoint itself takes only firehose.eks.access-key-file.")
            .define("firehose.eks.access-key-file", Type.STRING, null, Importance.HIGH,
                    "File of the access keys Firehose may send in X-Amz-Firehose-Access-Key, one 'key,name' per line ('#' comments allowed, at least 16 characters a key); required with firehose.eks.enabled. The name is recorded as the client identity firehose:<name> and is what auth.cluster-bindings binds. Read again with the other credentials (credentials.reload-interval-ms): rotate by adding the new key, changing the stream's, then removing the old one.")
            .define("firehose.eks.log-groups", Type.LIST, List.of(), Importance.MEDIUM,
                    "Which CloudWatch Logs log groups /firehose/eks accepts, and the cluster each one's events are recorded for: entries <log group>=<cluster>. Empty: any log group /aws/eks/<cluster>/cluster, for <cluster> (which must be a valid cluster name). Set: only the listed ones; a request holding another is refused (400) and Firehose retries it.")
            .define("pubsub.gke.enabled", Type.BOOLEAN, false, Importance.MEDIUM,
                    "Serve POST /pubsub/gke on the webhook port: GKE audit logs that a Cloud Logging sink publishes to a Pub/Sub topic, delivered by a push subscription with an OIDC token (docs/managed-clusters.md). Pub/Sub presents no client certificate, so auth.mode must be token or mtls-or-token; the endpoint itself takes only the push subscription's token.")
            .define("pubsub.gke.jwks-file", Type.STRING, null, Importance.HIGH,
                    "JSON Web Key Set file of the keys Google signs push tokens with: a copy of https://www.googleapis.com/oauth2/v3/certs, refreshed by the operator (Google rotates its keys about every two weeks and publishes the next one in advance). Required with pubsub.gke.enabled. Read again with the other credentials (credentials.reload-interval-ms); ingest never fetches it.")
            .define("pubsub.gke.audience", Type.STRING, null, Importance.HIGH,
                    "The audience the push subscription's token must carry (--push-auth-token-audience; without it Pub/Sub uses the endpoint URL). Required with pubsub.gke.enabled.")
            .define("pubsub.gke.service-accounts", Type.LIST, List.of(), Importance.HIGH,
                    "Emails of the push service accounts (--push-auth-service-account) whose tokens are accepted; the token's email must be one of them and verified. Empty: any service account Google issued a token for pubsub.gke.audience, which anyone can make a push subscription send: set it in production. The email is recorded as the client identity pubsub:<email> and is what auth.cluster-bindings binds.")
            .define("pubsub.gke.clusters", Type.LIST, List.of(), Importance.MEDIUM,
                    "Which GKE clusters /pubsub/gke accepts, and the cluster each one's entries are recorded for: entries <project_id>/<location>/<cluster_name>=<cluster>, from the entry's resource.labels. Empty: any cluster, recorded for its cluster_name (two projects' clusters of one name are then one cluster). Set: only the listed ones; an entry of another is refused (400) and Pub/Sub redelivers it.")
            .define("pubsub.gke.clock-leeway-ms", Type.LONG, 60_000L, Range.between(0, 300_000), Importance.LOW,
                    "Clock skew allowed when checking the token's expiry (exp) and issue time (iat).")
            .define("limits.max-body-bytes", Type.LONG, 32 * MIB, Range.between(1024, 1024 * MIB), Importance.MEDIUM,
                    "Hard cap on one request body, after decompression (it bounds the memory a request holds, and a gzip bomb). A larger body gets 413, which the apiserver does not resend: its events are lost, and audit.dlq keeps its size and SHA-256 (batch-too-large). Keep the apiserver's batches under it: see docs/ingest.md, Limits.")
            .define("limits.max-event-bytes", Type.LONG, 8 * MIB, Range.between(1024, 1024 * MIB), Importance.MEDIUM,
                    "Largest single event forwarded to the raw topic. A larger item goes to audit.dlq as its metadata, size and SHA-256, never its content (event-too-large), and the rest of its batch is accepted. Above limits.max-body-bytes it has no effect (no body holds a larger event).")
            .define("limits.max-events-per-batch", Type.INT, 10_000, Range.atLeast(1), Importance.MEDIUM,
                    "Most items handled in one round: a batch with more is accepted in several rounds, so the list of items held at once stays bounded. Nothing is refused for it. The apiserver sends at most --audit-webhook-batch-max-size (400 by default).")
            .define("limits.read-timeout-ms", Type.LONG, 15_000L, Range.atLeast(100), Importance.MEDIUM,
                    "Time allowed to receive a whole request body; a slower client gets 408.")
            .define("limits.max-in-flight-bytes", Type.LONG, 256 * MIB, Range.atLeast(1024), Importance.MEDIUM,
                    "Bytes of request bodies held at once across all requests, until Kafka acknowledges them. Beyond it a request gets 429 at once instead of growing memory.")
            .define("limits.max-in-flight-bytes-per-client", Type.LONG, 64 * MIB, Range.atLeast(1024), Importance.MEDIUM,
                    "Share of limits.max-in-flight-bytes one client credential (certificate subject, token name) may hold at once, so that a broken or hostile client cannot starve the others: beyond it that client's request gets 429 at once. At least limits.max-body-bytes; twice it lets a gzip body and its decompressed form fit.")
            .define("limits.max-connections", Type.INT, 1024, Range.atLeast(1), Importance.MEDIUM,
                    "Most open connections to the webhook port; at the limit new connections wait in the listen queue until one closes.")
            .define("limits.header-timeout-ms", Type.LONG, 10_000L, Range.atLeast(100), Importance.MEDIUM,
                    "Time allowed to receive a request's line and headers, counted from the connection's opening (TLS handshake included) or, on a kept-alive connection, from the first byte after the previous answer; a slower connection is closed without an answer.")
            .define("limits.max-header-bytes", Type.INT, 8 * 1024, Range.between(1024, 1024 * 1024), Importance.LOW,
                    "Largest request line plus headers; a larger head gets 431 and nothing is read or stored.")
            .define("limits.ack-timeout-ms", Type.LONG, 10_000L, Range.between(100, 29_000), Importance.HIGH,
                    "Longest wait for Kafka to acknowledge a batch before answering 503; well under the apiserver's 30 s timeout.")
            .define("limits.idle-timeout-ms", Type.LONG, 60_000L, Range.atLeast(1000), Importance.LOW,
                    "An idle keep-alive connection is closed after this long.")
            .define("limits.max-threads", Type.INT, 200, Range.atLeast(8), Importance.LOW,
                    "Most HTTP worker threads.")
            .define(CommonConfig.bootstrapServersKey(", host:port[,host:port...]. Client security settings go under kafka.client.* (for example kafka.client.security.protocol), producer overrides under kafka.producer.*."))
            .define("topics.create", Type.BOOLEAN, true, Importance.MEDIUM,
                    "Create missing topics at start. If false, or if creation is refused, a missing topic stops startup with its name.")
            .define(CommonConfig.topicsCheckKey())
            .define(CommonConfig.minInsyncReplicasKey())
            .define(CommonConfig.minRetentionKey())
            .define("topics.raw.name", Type.STRING, AuditTopics.RAW, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Topic for accepted events (the apiserver's bytes, keyed by auditID).")
            .define("topics.raw.partitions", Type.INT, 6, Range.atLeast(1), Importance.MEDIUM,
                    "Partitions when the raw topic is created.")
            .define("topics.raw.replication-factor", Type.SHORT, (short) -1, Importance.MEDIUM,
                    "Replication factor when the raw topic is created; -1 takes the broker's default.replication.factor.")
            .define("topics.raw.retention-ms", Type.LONG, Duration.ofDays(7).toMillis(), Range.atLeast(-1), Importance.MEDIUM,
                    "retention.ms when the raw topic is created. Keep it short: raw events may hold secret values.")
            .define(CommonConfig.deadLetterTopicKey("Dead-letter topic: bad bodies and unusable events, with the reason in headers."))
            .define("topics.dlq.partitions", Type.INT, 1, Range.atLeast(1), Importance.LOW,
                    "Partitions when the dead-letter topic is created.")
            .define("topics.dlq.replication-factor", Type.SHORT, (short) -1, Importance.LOW,
                    "Replication factor when the dead-letter topic is created; -1 takes the broker's default.")
            .define("topics.dlq.retention-ms", Type.LONG, Duration.ofDays(30).toMillis(), Range.atLeast(-1), Importance.LOW,
                    "retention.ms when the dead-letter topic is created.")
            .define(CommonConfig.adminEnabledKey())
            .define(CommonConfig.adminHostKey())
            .define(CommonConfig.adminPortKey(9090))
            .define("readiness.check-interval-ms", Type.LONG, 5_000L, Range.atLeast(100), Importance.LOW,
                    "How often the Kafka reachability behind /readyz is checked.")
            .define(CommonConfig.shutdownGracePeriodKey("in-flight requests may take to finish before the server stops."));

    public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, ENV_PREFIX,
            List.of(KAFKA_CLIENT_PREFIX, KAFKA_PRODUCER_PREFIX));

    public enum AuthMode {
        MTLS, TOKEN, MTLS_OR_TOKEN, MTLS_AND_TOKEN;

        public boolean usesMtls() {
            return this != TOKEN;
        }

        public boolean usesToken() {
            return this != MTLS;
        }
    }

    private final AbstractConfig values;
    private final Map<String, Object> originals;

    private IngestConfig(Map<String, Object> originals) {
        this.values = new AbstractConfig(DEFINITION, originals, false);
        this.originals = Map.copyOf(originals);
        validate();
    }

    /** Reads the file (if any) and the environment; throws {@link ConfigException} naming the key on any problem. */
    public static IngestConfig load(Path file, Map<String, String> env) {
        return new IngestConfig(LOADER.load(file, env));
    }

    public static IngestConfig of(Map<String, ?> settings) {
        return new IngestConfig(Map.copyOf(settings));
    }

    private void validate() {
        AuthMode mode = authMode();
        if (!plaintext()) {
            requireReadableFile("tls.cert-file");
            requireReadableFile("tls.key-file");
        } else if (mode.usesMtls()) {
            throw new ConfigException("auth.mode", values.getString("auth.mode"),
                    "mutual TLS needs HTTPS; with listen.plaintext=true use auth.mode=token");
        }
        if (mode.usesMtls()) {
            requireReadableFile("auth.client-ca-file");
        }
        if (mode.usesToken()) {
            requireReadableFile("auth.token-file");
        }
        String cluster = defaultCluster();
        if (!ClusterNames.isValid(cluster)) {
            throw new ConfigException("cluster.default", cluster, ClusterNames.RULE);
        }
        try {
            ClusterBindings.parse(values.getList("auth.cluster-bindings"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("auth.cluster-bindings", values.getList("auth.cluster-bindings"), e.getMessage());
        }
        try {
            LogGroupClusters.parse(values.getList("firehose.eks.log-groups"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("firehose.eks.log-groups", values.getList("firehose.eks.log-groups"), e.getMessage());
        }
        if (firehoseEksEnabled()) {
            requireReadableFile("firehose.eks.access-key-file", "is required with firehose.eks.enabled=true");
            if (mode == AuthMode.MTLS || mode == AuthMode.MTLS_AND_TOKEN) {
                throw new ConfigException("firehose.eks.enabled", true, "Firehose presents no client certificate, and"
                        + " auth.mode=" + values.getString("auth.mode") + " requires one of every connection; use"
                        + " auth.mode=mtls-or-token (apiservers keep their certificates) or token");
            }
        }
        try {
            GkeClusters.parse(values.getList("pubsub.gke.clusters"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("pubsub.gke.clusters", values.getList("pubsub.gke.clusters"), e.getMessage());
        }
        if (pubsubGkeEnabled()) {
            requireReadableFile("pubsub.gke.jwks-file", "is required with pubsub.gke.enabled=true");
            String audience = values.getString("pubsub.gke.audience");
            if (audience == null || audience.isBlank()) {
                throw new ConfigException("pubsub.gke.audience", audience, "is required with pubsub.gke.enabled=true");
            }
            if (mode == AuthMode.MTLS || mode == AuthMode.MTLS_AND_TOKEN) {
                throw new ConfigException("pubsub.gke.enabled", true, "Pub/Sub presents no client certificate, and"
                        + " auth.mode=" + values.getString("auth.mode") + " requires one of every connection; use"
                        + " auth.mode=mtls-or-token (apiservers keep their certificates) or token");
            }
            try {
                JsonWebKeySet.read(pubsubGkeJwksFile().orElseThrow(), "pubsub.gke.jwks-file");
            } catch (IllegalArgumentException e) {
                throw new ConfigException("pubsub.gke.jwks-file", values.getString("pubsub.gke.jwks-file"), e.getMessage());
            }
        }
        if (maxInFlightBytesPerClient() < maxBodyBytes()) {
            throw new ConfigException("limits.max-in-flight-bytes-per-client", maxInFlightBytesPerClient(),
                    "must be at least limits.max-body-bytes (" + maxBodyBytes() + "), or a body at the cap could never be read");
        }
        CommonConfig.requireReplicationFactor(values, "topics.raw.replication-factor");
        CommonConfig.requireReplicationFactor(values, "topics.dlq.replication-factor");
        CommonConfig.requireTopicFitsCheck(values, "topics.raw.replication-factor", "topics.raw.retention-ms");
        CommonConfig.requireTopicFitsCheck(values, "topics.dlq.replication-factor", "topics.dlq.retention-ms");
        if (rawTopic().name().equals(deadLetterTopic().name())) {
            throw new ConfigException("topics.dlq.name", deadLetterTopic().name(), "must differ from topics.raw.name");
        }
    }

    private void requireReadableFile(String key) {
        requireReadableFile(key, "is required with auth.mode=" + values.getString("auth.mode")
                + (plaintext() ? "" : " and HTTPS"));
    }

    private void requireReadableFile(String key, String whenMissing) {
        String v = values.getString(key);
        if (v == null || v.isBlank()) {
            throw new ConfigException(key, v, whenMissing);
        }
        if (!Files.isReadable(Path.of(v))) {
            throw new ConfigException(key, v, "file does not exist or is not readable");
        }
    }

    public String listenHost() { return values.getString("listen.host"); }
    public int listenPort() { return values.getInt("listen.port"); }
    public boolean plaintext() { return values.getBoolean("listen.plaintext"); }
    public Optional<Path> tlsCertFile() { return optionalPath("tls.cert-file"); }
    public Optional<Path> tlsKeyFile() { return optionalPath("tls.key-file"); }
    public List<String> tlsProtocols() { return values.getList("tls.protocols"); }
    public List<String> tlsCipherSuites() { return values.getList("tls.cipher-suites"); }
    public AuthMode authMode() { return AuthMode.valueOf(values.getString("auth.mode").toUpperCase().replace('-', '_')); }
    public Optional<Path> clientCaFile() { return optionalPath("auth.client-ca-file"); }
    public List<String> allowedSubjects() { return values.getList("auth.allowed-subjects"); }
    public Optional<Path> tokenFile() { return optionalPath("auth.token-file"); }
    /** Zero when the credentials are read only at start. */
    public Duration credentialsReloadInterval() { return Duration.ofMillis(values.getLong("credentials.reload-interval-ms")); }
    public ClusterBindings clusterBindings() { return ClusterBindings.parse(values.getList("auth.cluster-bindings")); }
    public String defaultCluster() { return values.getString("cluster.default"); }
    public boolean firehoseEksEnabled() { return values.getBoolean("firehose.eks.enabled"); }
    public Optional<Path> firehoseEksAccessKeyFile() { return optionalPath("firehose.eks.access-key-file"); }
    public LogGroupClusters firehoseEksLogGroups() { return LogGroupClusters.parse(values.getList("firehose.eks.log-groups")); }
    public boolean pubsubGkeEnabled() { return values.getBoolean("pubsub.gke.enabled"); }
    public Optional<Path> pubsubGkeJwksFile() { return optionalPath("pubsub.gke.jwks-file"); }
    public String pubsubGkeAudience() { return values.getString("pubsub.gke.audience"); }
    public List<String> pubsubGkeServiceAccounts() { return values.getList("pubsub.gke.service-accounts"); }
    public GkeClusters pubsubGkeClusters() { return GkeClusters.parse(values.getList("pubsub.gke.clusters")); }
    public Duration pubsubGkeClockLeeway() { return Duration.ofMillis(values.getLong("pubsub.gke.clock-leeway-ms")); }
    public long maxBodyBytes() { return values.getLong("limits.max-body-bytes"); }
    public long maxEventBytes() { return values.getLong("limits.max-event-bytes"); }
    public int maxEventsPerBatch() { return values.getInt("limits.max-events-per-batch"); }
    public Duration readTimeout() { return Duration.ofMillis(values.getLong("limits.read-timeout-ms")); }
    public long maxInFlightBytes() { return values.getLong("limits.max-in-flight-bytes"); }
    public long maxInFlightBytesPerClient() { return values.getLong("limits.max-in-flight-bytes-per-client"); }
    public int maxConnections() { return values.getInt("limits.max-connections"); }
    public Duration headerTimeout() { return Duration.ofMillis(values.getLong("limits.header-timeout-ms")); }
    public int maxHeaderBytes() { return values.getInt("limits.max-header-bytes"); }
    public Duration ackTimeout() { return Duration.ofMillis(values.getLong("limits.ack-timeout-ms")); }
    public Duration idleTimeout() { return Duration.ofMillis(values.getLong("limits.idle-timeout-ms")); }
    public int maxThreads() { return values.getInt("limits.max-threads"); }
    public String kafkaBootstrapServers() { return CommonConfig.bootstrapServers(values); }
    public boolean createTopics() { return values.getBoolean("topics.create"); }
    public TopicCheck.Settings topicCheck() { return CommonConfig.topicCheck(values); }
    public AdminSettings admin() { return CommonConfig.admin(values); }
    public boolean adminEnabled() { return admin().enabled(); }
    public String adminHost() { return admin().host(); }
    public int adminPort() { return admin().port(); }
    public Duration readinessInterval() { return Duration.ofMillis(values.getLong("readiness.check-interval-ms")); }
    public Duration shutdownGracePeriod() { return CommonConfig.shutdownGracePeriod(values); }

    public TopicSettings rawTopic() {
        return topic("topics.raw.");
    }

    public TopicSettings deadLetterTopic() {
        return topic("topics.dlq.");
    }

    /** Kafka client properties shared by the producer and the admin client (security, client.id, ...). */
    public Map<String, Object> kafkaClientOverrides() {
        return CommonConfig.kafkaClientOverrides(originals);
    }

    /** Producer properties that override the service's defaults. */
    public Map<String, Object> kafkaProducerOverrides() {
        return ConfigLoader.withPrefix(originals, KAFKA_PRODUCER_PREFIX);
    }

    private TopicSettings topic(String prefix) {
        return new TopicSettings(values.getString(prefix + "name"), values.getInt(prefix + "partitions"),
                values.getShort(prefix + "replication-factor"), values.getLong(prefix + "retention-ms"));
    }

    private Optional<Path> optionalPath(String key) {
        String v = values.getString(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(Path.of(v));
    }
}
