package io.auditkeeper.archiver.config;

import io.auditkeeper.archiver.archive.ArchiveWriterLoop;
import io.auditkeeper.archiver.index.OpenSearchIndexer;
import io.auditkeeper.config.AdminSettings;
import io.auditkeeper.config.CommonConfig;
import io.auditkeeper.config.ConfigLoader;
import io.auditkeeper.kafka.TopicCheck;
import io.auditkeeper.model.AuditTopics;
import io.auditkeeper.opensearch.OpenSearchConnection;
import io.auditkeeper.opensearch.OpenSearchTimeouts;
import io.auditkeeper.tls.PemFiles;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The archiver's settings, from a YAML file and {@code AUDITKEEPER_ARCHIVER_*} environment variables; an invalid value
 * stops startup with a message naming the key. A retention shorter than the six years HIPAA asks for needs an
 * explicit override, and the service says so loudly at start.
 */
public final class ArchiverConfig {
    public static final String ENV_PREFIX = "AUDITKEEPER_ARCHIVER_";
    public static final String KAFKA_CLIENT_PREFIX = CommonConfig.KAFKA_CLIENT_PREFIX;
    public static final int HIPAA_YEARS = 6;
    /** {@code max.message.bytes} of the archive topic: a manifest entry is a few hundred bytes. */
    public static final long ARCHIVE_TOPIC_MAX_MESSAGE_BYTES = 1024 * 1024;
    /** retention.ms of the archive topic when the archiver creates it. */
    public static final Duration ARCHIVE_TOPIC_RETENTION = Duration.ofDays(30);

    /**
     * The consumer timeouts the archiver sets instead of Kafka's defaults, each still replaceable with
     * {@code kafka.client.<name>}; docs/archiver.md, "Timeouts", says why each value. In short: a poll turn's longest
     * step (see {@link #ARCHIVE_STEP_S3_CALLS}) must end before {@code max.poll.interval.ms}, or the group takes the
     * partition away mid-write; a dead archiver's partitions move after {@code session.timeout.ms}.
     */
    public static final Map<String, Long> CONSUMER_TIMEOUTS = Map.of(
            ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000L,
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 45_000L,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000L,
            ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000L);

    /**
     * S3 calls in the longest step an archive writer takes between two polls. A batch write: the object's HEAD, PUT
     * and HEAD after a lost answer, then the same for its manifest entry. Taking up a partition whose write was cut
     * short (after every failed write): the chain's head (one LIST page from a batch or two before the committed
     * offset, and a GET), the intended object's HEAD, and its entry's HEAD, PUT and HEAD. A chain that does not end
     * there (offsets reset, or expired with the end of the log far ahead) adds a LIST per eightfold widening.
     */
    public static final int ARCHIVE_STEP_S3_CALLS = 6;
    /** Kafka calls of that step, each bounded by {@code default.api.timeout.ms}: committed, beginningOffsets, commit. */
    public static final int ARCHIVE_STEP_KAFKA_CALLS = 3;
    /** Manifest entries that step publishes, each awaited at most {@link ArchiveWriterLoop#PUBLISH_TIMEOUT}. */
    public static final int ARCHIVE_STEP_PUBLISHES = 2;
    /** The indexer's retries of a bulk request, as the archiver runs it (for its step's bound). */
    private static final OpenSearchIndexer.Settings INDEX = OpenSearchIndexer.Settings.defaults();

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(CommonConfig.bootstrapServersKey(". Client security settings go under kafka.client.*."))
            .define("topics.events.name", Type.STRING, AuditTopics.EVENTS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "The normalized events to archive.")
            .define("archive.group-id", Type.STRING, "auditkeeper-archiver-s3", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Consumer group of the S3 archive writer; its lag is how far the archive is behind.")
            .define("s3.bucket", Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "The archive bucket (Object Lock; created with it when missing and s3.create-bucket is true).")
            .define("s3.prefix", Type.STRING, "", Importance.LOW,
                    "Key prefix inside the bucket.")
            .define("s3.endpoint", Type.STRING, null, Importance.MEDIUM,
                    "S3 endpoint URL for MinIO, Ceph or another S3 server; unset for AWS S3.")
            .define("s3.region", Type.STRING, "us-east-1", Importance.MEDIUM,
                    "S3 region.")
            .define("s3.path-style", Type.BOOLEAN, false, Importance.LOW,
                    "Path-style addressing (needed by most S3 servers other than AWS).")
            .define("s3.access-key", Type.PASSWORD, null, Importance.MEDIUM,
                    "Static access key; unset uses the AWS default credentials chain (IRSA, instance profile, environment).")
            .define("s3.secret-key", Type.PASSWORD, null, Importance.MEDIUM,
                    "Static secret key, with s3.access-key.")
            .define("s3.create-bucket", Type.BOOLEAN, true, Importance.MEDIUM,
                    "Create a missing bucket with Object Lock and default COMPLIANCE retention.")
            .define("s3.sse", Type.STRING, "none", ValidString.in("none", "AES256", "aws:kms"), Importance.MEDIUM,
                    "Server-side encryption of archive objects: none, AES256 (SSE-S3) or aws:kms (SSE-KMS).")
            .define("s3.sse-kms-key-id", Type.STRING, null, Importance.MEDIUM,
                    "KMS key id or ARN for s3.sse=aws:kms.")
            .define("s3.api-call-timeout-ms", Type.LONG, 60_000L, Range.between(100, 3_600_000), Importance.MEDIUM,
                    "Longest one S3 call may take, the SDK's retries of a HEAD, GET or LIST included; a call still unanswered then fails, and its partition waits and retries (docs/archiver.md, Timeouts). Six of them, with the Kafka calls, must fit in kafka.client.max.poll.interval.ms.")
            .define("s3.api-call-attempt-timeout-ms", Type.LONG, 30_000L, Range.between(100, 3_600_000), Importance.MEDIUM,
                    "Longest one HTTP attempt of an S3 call may take; at most s3.api-call-timeout-ms. A PUT has one attempt (never retried), so a whole batch (up to batch.max-bytes, gzipped) must upload in this time: 30 s is 64 MiB at 2.2 MB/s.")
            .define("retention.years", Type.INT, HIPAA_YEARS, Range.atLeast(1), Importance.HIGH,
                    "COMPLIANCE retention of every object, from when the archiver writes it (its own clock; never less than from its batch's time). Less than 6 needs retention.allow-shorter.")
            .define("retention.allow-shorter", Type.BOOLEAN, false, Importance.LOW,
                    "Allow retention.years below the six years HIPAA asks for (for tests); logged as an error at every start.")
            .define("batch.max-bytes", Type.LONG, 64L * 1024 * 1024, Range.between(1024, 1024L * 1024 * 1024), Importance.MEDIUM,
                    "A batch is written when its uncompressed records reach this size.")
            .define("batch.max-events", Type.INT, 50_000, Range.atLeast(1), Importance.MEDIUM,
                    "A batch is written when it holds this many records.")
            .define("batch.max-age-ms", Type.LONG, 60_000L, Range.atLeast(100), Importance.MEDIUM,
                    "A batch is written when it is this old, so a quiet partition is archived within this time.")
            .define("archive.compression-level", Type.INT, 6, Range.between(1, 9), Importance.LOW,
                    "gzip (deflate) level of the archive objects: 1 is fastest, 9 smallest; 6 is the JDK's default. Safe to change at any time, during a rolling change too: the same events at another level are accepted as the same batch (docs/archiver.md, Compression).")
            .define("opensearch.url", Type.STRING, null, Importance.HIGH,
                    "OpenSearch URL (https://host:9200); unset turns the indexer off and only the S3 archive runs.")
            .define("opensearch.username", Type.STRING, null, Importance.MEDIUM,
                    "Basic-auth user for OpenSearch.")
            .define("opensearch.password", Type.PASSWORD, null, Importance.MEDIUM,
                    "Basic-auth password for OpenSearch.")
            .define("opensearch.password-file", Type.STRING, null, Importance.MEDIUM,
                    "File holding the basic-auth password (a mounted Kubernetes Secret; a trailing line break is ignored), instead of opensearch.password.")
            .define("opensearch.auth", Type.STRING, "basic", ValidString.in("basic", "sigv4"), Importance.MEDIUM,
                    "basic: HTTP basic auth when opensearch.username is set, anonymous otherwise (either may add a client certificate, opensearch.tls.cert-file). sigv4: AWS Signature V4 for Amazon OpenSearch Service, credentials from the AWS default chain (IRSA, Pod Identity, instance profile, environment).")
            .define("opensearch.aws.region", Type.STRING, null, Importance.MEDIUM,
                    "AWS region of the domain or collection; required with opensearch.auth=sigv4.")
            .define("opensearch.aws.service", Type.STRING, "es", ValidString.in("es", "aoss"), Importance.LOW,
                    "SigV4 signing service: es for Amazon OpenSearch Service domains, aoss for OpenSearch Serverless collections.")
            .define("opensearch.tls.ca-file", Type.STRING, null, Importance.MEDIUM,
                    "PEM bundle of the CAs that may sign OpenSearch's certificate (https URLs); unset uses the JVM's trust store. TLS 1.2 and 1.3 only.")
            .define("opensearch.tls.cert-file", Type.STRING, null, Importance.MEDIUM,
                    "PEM client certificate (chain) presented to OpenSearch, for the security plugin's certificate authentication; with opensearch.tls.key-file.")
            .define("opensearch.tls.key-file", Type.STRING, null, Importance.MEDIUM,
                    "Unencrypted PEM private key (PKCS#8, PKCS#1 or SEC1) of opensearch.tls.cert-file.")
            .define("opensearch.tls.verify-hostname", Type.BOOLEAN, true, Importance.LOW,
                    "Check that OpenSearch's certificate names the URL's host. Off lets any holder of a certificate from a trusted CA impersonate OpenSearch; logged as an error at every start.")
            .define("opensearch.connect-timeout-ms", Type.LONG, 5_000L, Range.between(100, 600_000), Importance.LOW,
                    "Longest wait for a TCP connection to OpenSearch (5 s outlasts two lost SYNs).")
            .define("opensearch.socket-timeout-ms", Type.LONG, 60_000L, Range.between(100, 3_600_000), Importance.MEDIUM,
                    "Longest wait for OpenSearch's answer to one request (a _bulk of up to 5 MiB on a busy cluster); a request unanswered then is retried like a 5xx. Six attempts of a bulk request must fit in kafka.client.max.poll.interval.ms.")
            .define("opensearch.index-prefix", Type.STRING, "audit-events", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Daily indices are <prefix>-yyyy.MM.dd behind the alias <prefix>.")
            .define("opensearch.replicas", Type.INT, 1, Range.atLeast(0), Importance.LOW,
                    "Replicas of the daily indices (0 on a single node).")
            .define("opensearch.doc-id-bloom-filter", Type.BOOLEAN, true, Importance.LOW,
                    "Give the daily indices a Bloom filter over _id (index.optimize_doc_id_lookup.fuzzy_set.enabled), which spares OpenSearch most of the id lookups it makes before writing each document: about a fifth of its CPU per event (docs/benchmarks.md). Needs OpenSearch 2.13 or later; set false for an older cluster, which refuses the template otherwise.")
            .define("opensearch.alerts-index", Type.STRING, "audit-alerts", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Index of the alerts read from topics.alerts.name (id from alertId).")
            .define("opensearch.archive-index", Type.STRING, "audit-archive", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Index of the archive's manifest entries read from topics.archive.name: a search hit leads to its S3 object.")
            .define("topics.alerts.name", Type.STRING, AuditTopics.ALERTS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "The stream-processor's alerts, indexed into opensearch.alerts-index.")
            .define("topics.archive.name", Type.STRING, AuditTopics.ARCHIVE, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Where the archive writer publishes each manifest entry once it is in S3 (created at start, 1 partition, 30 days).")
            .define(CommonConfig.topicsCheckKey())
            .define(CommonConfig.minInsyncReplicasKey())
            .define(CommonConfig.minRetentionKey())
            .define("opensearch.retention-days", Type.INT, 90, Range.atLeast(0), Importance.MEDIUM,
                    "Daily indices are deleted after this many days (the S3 archive keeps every event); 0 keeps them forever. With the ISM plugin an ISM policy does it, by index age; otherwise the archiver deletes the indices whose date in the name is older.")
            .define("opensearch.retention-interval-ms", Type.LONG, 3_600_000L, Range.atLeast(1000), Importance.LOW,
                    "How often the archiver looks for daily indices past opensearch.retention-days when the cluster has no ISM plugin.")
            .define("index.group-id", Type.STRING, "auditkeeper-archiver-index", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Consumer group of the indexer; its lag is how far the index is behind.")
            .define(CommonConfig.deadLetterTopicKey("The dead-letter topic: documents OpenSearch refuses for good go there, with its reason; with dead-letters.archive it is archived under dead-letters/."))
            .define("dead-letters.archive", Type.BOOLEAN, true, Importance.MEDIUM,
                    "Archive topics.dlq.name like the events (Object Lock, signed manifest chain, dead-letters/ keys), each record with its headers and its value's SHA-256; the value itself only where its writer redacted it (stream-processor, archiver).")
            .define("dead-letters.group-id", Type.STRING, "auditkeeper-archiver-dead-letters", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Consumer group of the dead-letter archive writer; its lag is how far that archive is behind.")
            .define("digest.interval-ms", Type.LONG, 3_600_000L, Range.atLeast(1000), Importance.MEDIUM,
                    "How often a signed digest of every partition's manifest head is written (so a deleted tail is detected).")
            .define("manifest.signing-key-file", Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Ed25519 private key (PKCS#8 PEM, openssl genpkey -algorithm ed25519) that signs manifest entries and digests. Its key must be in the archive's key history (keys/): the first archiver writes it there; a new key gets there through manifest.previous-signing-key-file.")
            .define("manifest.previous-signing-key-file", Type.STRING, null, Importance.MEDIUM,
                    "To rotate the signing key: the current key, which the archive's key history names, while manifest.signing-key-file holds the new one. At start the archiver writes the new key's record to keys/, signed with this key, then signs with the new key; archivers still on the old key go on verifying (docs/operations.md, \"Rotating the manifest signing key\"). Remove it once every archiver runs with the new key.")
            .define("manifest.revoked-keys", Type.LIST, List.of(), Importance.MEDIUM,
                    "Signing keys to revoke, as keyId@instant (the key's id, the SHA-256 of its public key DER, and the time from which it is not trusted, ISO-8601 UTC): at start the archiver writes each revocation to key-revocations/, signed with its own key, which must descend from the revoked one. verify then refuses what the revoked key signed in manifest objects S3 wrote from that time on (docs/operations.md, \"A compromised signing key\").")
            .define(CommonConfig.adminEnabledKey())
            .define(CommonConfig.adminHostKey())
            .define(CommonConfig.adminPortKey(9092));

    public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, ENV_PREFIX, List.of(KAFKA_CLIENT_PREFIX));

    private final AbstractConfig values;
    private final Map<String, Object> originals;
    private final Password openSearchPassword;

    private ArchiverConfig(Map<String, Object> originals) {
        this.values = new AbstractConfig(DEFINITION, originals, false);
        this.originals = Map.copyOf(originals);
        if (retentionYears() < HIPAA_YEARS && !values.getBoolean("retention.allow-shorter")) {
            throw new ConfigException("retention.years", retentionYears(),
                    "is shorter than the six years HIPAA asks for; set retention.allow-shorter=true to allow it");
        }
        if (values.getString("s3.sse").equals("aws:kms") && kmsKeyId().isEmpty()) {
            throw new ConfigException("s3.sse-kms-key-id", null, "is required with s3.sse=aws:kms");
        }
        if ((values.getPassword("s3.access-key") == null) != (values.getPassword("s3.secret-key") == null)) {
            throw new ConfigException("s3.secret-key", "[hidden]", "s3.access-key and s3.secret-key go together");
        }
        if (deadLetterTopic().equals(eventsTopic())) {
            throw new ConfigException("topics.dlq.name", deadLetterTopic(), "must differ from topics.events.name");
        }
        if (archiveDeadLetters()) {
            if (deadLetterGroupId().equals(groupId()) || deadLetterGroupId().equals(indexGroupId())) {
                throw new ConfigException("dead-letters.group-id", deadLetterGroupId(),
                        "must differ from archive.group-id and index.group-id (each writer has its own group)");
            }
        }
        openSearchPassword = validateOpenSearch();
        validateTimeouts();
        CommonConfig.requireMinRetentionAtMost(values, ARCHIVE_TOPIC_RETENTION.toMillis(), "the archive topic");
        if (!Files.isReadable(signingKeyFile())) {
            throw new ConfigException("manifest.signing-key-file", signingKeyFile().toString(), "file does not exist or is not readable");
        }
        revokedKeys();
        previousSigningKeyFile().ifPresent(previous -> {
            if (!Files.isReadable(previous)) {
                throw new ConfigException("manifest.previous-signing-key-file", previous.toString(),
                        "file does not exist or is not readable");
            }
        });
    }

    /** Checks the {@code opensearch.*} keys together; returns the password from the value or the file. */
    private Password validateOpenSearch() {
        String url = values.getString("opensearch.url");
        URI uri = null;
        if (url != null && !url.isBlank()) {
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new ConfigException("opensearch.url", url, "is not a URL: " + e.getReason());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new ConfigException("opensearch.url", url, "must be http:// or https://host[:port]");
            }
        }
        boolean https = uri != null && "https".equalsIgnoreCase(uri.getScheme());
        Password password = values.getPassword("opensearch.password");
        String passwordFile = values.getString("opensearch.password-file");
        if (passwordFile != null && !passwordFile.isBlank()) {
            if (password != null) {
                throw new ConfigException("opensearch.password-file", passwordFile, "and opensearch.password exclude each other");
            }
            password = new Password(readSecret("opensearch.password-file", Path.of(passwordFile)));
        }
        boolean user = openSearchUsername().isPresent();
        if (user && password == null) {
            throw new ConfigException("opensearch.password", null, "is required with opensearch.username (or opensearch.password-file)");
        }
        if (!user && password != null) {
            throw new ConfigException("opensearch.username", null, "is required with a password");
        }
        Optional<Path> ca = file("opensearch.tls.ca-file");
        Optional<Path> cert = file("opensearch.tls.cert-file");
        Optional<Path> key = file("opensearch.tls.key-file");
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigException(cert.isPresent() ? "opensearch.tls.key-file" : "opensearch.tls.cert-file", null,
                    "opensearch.tls.cert-file and opensearch.tls.key-file go together");
        }
        for (String k : List.of("opensearch.tls.ca-file", "opensearch.tls.cert-file")) {
            if (file(k).isPresent() && uri != null && !https) {
                throw new ConfigException(k, values.getString(k), "needs an https opensearch.url");
            }
        }
        try {
            if (ca.isPresent()) {
                PemFiles.certificates(ca.get());
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("opensearch.tls.ca-file", ca.get().toString(), "is not a readable PEM certificate bundle: " + e.getMessage());
        }
        try {
            if (cert.isPresent()) {
                PemFiles.certificates(cert.get());
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("opensearch.tls.cert-file", cert.get().toString(), "is not a readable PEM certificate: " + e.getMessage());
        }
        try {
            if (key.isPresent()) {
                PemFiles.privateKey(key.get());
            }
        } catch (IOException | GeneralSecurityException e) {
            // never quote the file's content
            throw new ConfigException("opensearch.tls.key-file", key.get().toString(), "is not a readable unencrypted PEM private key");
        }
        if (openSearchAuth().equals("sigv4")) {
            if (openSearchAwsRegion().isEmpty()) {
                throw new ConfigException("opensearch.aws.region", null, "is required with opensearch.auth=sigv4");
            }
            if (user) {
                throw new ConfigException("opensearch.username", values.getString("opensearch.username"),
                        "is not used with opensearch.auth=sigv4 (requests are signed with AWS credentials)");
            }
            if (cert.isPresent()) {
                throw new ConfigException("opensearch.tls.cert-file", cert.get().toString(), "is not used with opensearch.auth=sigv4");
            }
            if (uri != null && (!https || uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
                throw new ConfigException("opensearch.url", url, "must be https://host[:port] without a path with opensearch.auth=sigv4");
            }
        }
        return password;
    }

    /**
     * Checks that the slowest step of a writer ends before {@code max.poll.interval.ms}, every call in it taking its
     * whole timeout: otherwise a slow store makes the group revoke the partition mid-write, again and again (safe,
     * thanks to the fencing, but no write would ever finish). Names the store's timeout key, the one to lower.
     */
    private void validateTimeouts() {
        if (s3ApiCallAttemptTimeout().compareTo(s3ApiCallTimeout()) > 0) {
            throw new ConfigException("s3.api-call-attempt-timeout-ms", s3ApiCallAttemptTimeout().toMillis(),
                    "must be at most s3.api-call-timeout-ms (" + s3ApiCallTimeout().toMillis() + ")");
        }
        long session = consumerTimeoutMs(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        long heartbeat = consumerTimeoutMs(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
        if (heartbeat * 3 > session) {
            throw new ConfigException(KAFKA_CLIENT_PREFIX + ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, heartbeat,
                    "must be at most a third of session.timeout.ms (" + session + "), so that one lost heartbeat does"
                            + " not end the archiver's membership");
        }
        long maxPoll = consumerTimeoutMs(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
        Duration archiveStep = archiveStepBound();
        if (archiveStep.toMillis() > maxPoll) {
            throw new ConfigException("s3.api-call-timeout-ms", s3ApiCallTimeout().toMillis(),
                    "is too long for kafka.client.max.poll.interval.ms (" + maxPoll + "): the longest archive step, "
                            + ARCHIVE_STEP_S3_CALLS + " S3 calls of s3.api-call-timeout-ms, " + ARCHIVE_STEP_KAFKA_CALLS
                            + " Kafka calls of default.api.timeout.ms and " + ARCHIVE_STEP_PUBLISHES + " publishes of "
                            + ArchiveWriterLoop.PUBLISH_TIMEOUT.toMillis() + " ms, takes up to " + archiveStep.toMillis()
                            + " ms; the group would take the partition away mid-write");
        }
        if (openSearchUrl().isPresent() && indexStepBound().toMillis() > maxPoll) {
            throw new ConfigException("opensearch.socket-timeout-ms", openSearchSocketTimeout().toMillis(),
                    "is too long for kafka.client.max.poll.interval.ms (" + maxPoll + "): " + (INDEX.maxRetries() + 1)
                            + " attempts of a bulk request, each up to opensearch.connect-timeout-ms plus"
                            + " opensearch.socket-timeout-ms, with their backoffs and the offset commit take up to "
                            + indexStepBound().toMillis() + " ms");
        }
    }

    /** The longest an archive writer's step between two polls can take, every call in it taking its whole timeout. */
    public Duration archiveStepBound() {
        return s3ApiCallTimeout().multipliedBy(ARCHIVE_STEP_S3_CALLS)
                .plus(Duration.ofMillis(consumerTimeoutMs(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG))
                        .multipliedBy(ARCHIVE_STEP_KAFKA_CALLS))
                .plus(ArchiveWriterLoop.PUBLISH_TIMEOUT.multipliedBy(ARCHIVE_STEP_PUBLISHES));
    }

    /**
     * How long an archive writer may go on starting steps after a poll: {@code max.poll.interval.ms} less the longest
     * step, so that the last step started ends before the group gives up on the writer.
     */
    public Duration archiveTurnBudget() {
        return Duration.ofMillis(consumerTimeoutMs(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG)).minus(archiveStepBound());
    }

    /** The longest the indexer's handling of one bulk request and its commit can take. */
    public Duration indexStepBound() {
        return openSearchConnectTimeout().plus(openSearchSocketTimeout()).multipliedBy(INDEX.maxRetries() + 1L)
                .plus(INDEX.longestBackoffs())
                .plus(Duration.ofMillis(consumerTimeoutMs(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG)));
    }

    /** A consumer timeout as the archiver's consumers use it: {@code kafka.client.<name>} or {@link #CONSUMER_TIMEOUTS}. */
    public long consumerTimeoutMs(String name) {
        Object v = kafkaClientOverrides().get(name);
        if (v == null) {
            return CONSUMER_TIMEOUTS.get(name);
        }
        try {
            long ms = Long.parseLong(String.valueOf(v).trim());
            if (ms <= 0) {
                throw new NumberFormatException();
            }
            return ms;
        } catch (NumberFormatException e) {
            throw new ConfigException(KAFKA_CLIENT_PREFIX + name, v, "must be a positive number of milliseconds");
        }
    }

    /** {@link #CONSUMER_TIMEOUTS} as this config sets them, for the archiver's consumers. */
    public Map<String, Object> consumerTimeouts() {
        Map<String, Object> m = new java.util.HashMap<>();
        CONSUMER_TIMEOUTS.keySet().forEach(k -> m.put(k, (int) Math.min(Integer.MAX_VALUE, consumerTimeoutMs(k))));
        return m;
    }

    private Optional<Path> file(String key) {
        String v = values.getString(key);
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        Path p = Path.of(v);
        if (!Files.isReadable(p)) {
            throw new ConfigException(key, v, "file does not exist or is not readable");
        }
        return Optional.of(p);
    }

    private static String readSecret(String key, Path file) {
        String secret;
        try {
            secret = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(key, file.toString(), "file does not exist or is not readable");
        }
        if (secret.endsWith("\n")) {
            secret = secret.substring(0, secret.length() - 1);
        }
        if (secret.endsWith("\r")) {
            secret = secret.substring(0, secret.length() - 1);
        }
        if (secret.isEmpty()) {
            throw new ConfigException(key, file.toString(), "file is empty");
        }
        return secret;
    }

    public static ArchiverConfig load(Path file, Map<String, String> env) {
        return new ArchiverConfig(LOADER.load(file, env));
    }

    public static ArchiverConfig of(Map<String, ?> settings) {
        return new ArchiverConfig(Map.copyOf(settings));
    }

    public String bootstrapServers() { return CommonConfig.bootstrapServers(values); }
    public String eventsTopic() { return values.getString("topics.events.name"); }
    public String groupId() { return values.getString("archive.group-id"); }
    public String bucket() { return values.getString("s3.bucket"); }
    public String prefix() { return values.getString("s3.prefix"); }
    public Optional<URI> endpoint() {
        String e = values.getString("s3.endpoint");
        return e == null || e.isBlank() ? Optional.empty() : Optional.of(URI.create(e));
    }
    public String region() { return values.getString("s3.region"); }
    public boolean pathStyle() { return values.getBoolean("s3.path-style"); }
    public Optional<String> accessKey() { return Optional.ofNullable(values.getPassword("s3.access-key")).map(Password::value); }
    public Optional<String> secretKey() { return Optional.ofNullable(values.getPassword("s3.secret-key")).map(Password::value); }
    public boolean createBucket() { return values.getBoolean("s3.create-bucket"); }
    public String sse() { return values.getString("s3.sse"); }
    public Optional<String> kmsKeyId() { return Optional.ofNullable(values.getString("s3.sse-kms-key-id")).filter(s -> !s.isBlank()); }
    public Duration s3ApiCallTimeout() { return Duration.ofMillis(values.getLong("s3.api-call-timeout-ms")); }
    public Duration s3ApiCallAttemptTimeout() { return Duration.ofMillis(values.getLong("s3.api-call-attempt-timeout-ms")); }
    public Duration openSearchConnectTimeout() { return Duration.ofMillis(values.getLong("opensearch.connect-timeout-ms")); }
    public Duration openSearchSocketTimeout() { return Duration.ofMillis(values.getLong("opensearch.socket-timeout-ms")); }
    public int retentionYears() { return values.getInt("retention.years"); }
    public long batchMaxBytes() { return values.getLong("batch.max-bytes"); }
    public int batchMaxEvents() { return values.getInt("batch.max-events"); }
    public Duration batchMaxAge() { return Duration.ofMillis(values.getLong("batch.max-age-ms")); }
    public int compressionLevel() { return values.getInt("archive.compression-level"); }
    public Optional<URI> openSearchUrl() {
        String u = values.getString("opensearch.url");
        return u == null || u.isBlank() ? Optional.empty() : Optional.of(URI.create(u));
    }
    public Optional<String> openSearchUsername() { return Optional.ofNullable(values.getString("opensearch.username")).filter(s -> !s.isBlank()); }
    /** From opensearch.password or opensearch.password-file (read once, at startup). */
    public Optional<String> openSearchPassword() { return Optional.ofNullable(openSearchPassword).map(Password::value); }
    public String openSearchAuth() { return values.getString("opensearch.auth"); }
    public Optional<String> openSearchAwsRegion() { return Optional.ofNullable(values.getString("opensearch.aws.region")).filter(s -> !s.isBlank()); }
    public String openSearchAwsService() { return values.getString("opensearch.aws.service"); }
    public Optional<Path> openSearchCaFile() { return path("opensearch.tls.ca-file"); }
    public Optional<Path> openSearchCertFile() { return path("opensearch.tls.cert-file"); }
    public Optional<Path> openSearchKeyFile() { return path("opensearch.tls.key-file"); }

    /** The connection settings of the {@code opensearch.*} keys; the URL must be set. */
    public OpenSearchConnection openSearchConnection() {
        return new OpenSearchConnection(openSearchUrl().orElseThrow(
                () -> new IllegalStateException("opensearch.url is not set")),
                OpenSearchConnection.Auth.of(openSearchAuth()),
                openSearchUsername().orElse(null), openSearchPassword().orElse(null),
                openSearchCaFile().orElse(null), openSearchCertFile().orElse(null),
                openSearchKeyFile().orElse(null), openSearchVerifyHostname(),
                openSearchAwsRegion().orElse(null), openSearchAwsService());
    }
    /** {@code opensearch.connect-timeout-ms} and {@code opensearch.socket-timeout-ms}. */
    public OpenSearchTimeouts openSearchTimeouts() {
        return new OpenSearchTimeouts(openSearchConnectTimeout(), openSearchSocketTimeout());
    }
    public boolean openSearchVerifyHostname() { return values.getBoolean("opensearch.tls.verify-hostname"); }
    /** Days a daily index is kept; 0 = forever. */
    public int openSearchRetentionDays() { return values.getInt("opensearch.retention-days"); }
    public Duration openSearchRetentionInterval() { return Duration.ofMillis(values.getLong("opensearch.retention-interval-ms")); }
    public String indexPrefix() { return values.getString("opensearch.index-prefix"); }
    public int replicas() { return values.getInt("opensearch.replicas"); }
    public boolean docIdBloomFilter() { return values.getBoolean("opensearch.doc-id-bloom-filter"); }
    public String alertsIndex() { return values.getString("opensearch.alerts-index"); }
    public String archiveIndex() { return values.getString("opensearch.archive-index"); }
    public String alertsTopic() { return values.getString("topics.alerts.name"); }
    public String archiveTopic() { return values.getString("topics.archive.name"); }
    public TopicCheck.Settings topicCheck() { return CommonConfig.topicCheck(values); }

    /**
     * What the archiver needs of its topics ({@link TopicCheck}): the archive topic, which it writes, takes a manifest
     * entry; the events and the dead-letter topic keep records long enough for it to read them (their record size is
     * checked by the services that create them, ingest and the stream-processor).
     */
    public List<TopicCheck.Wanted> wantedTopics() {
        TopicCheck.Settings check = topicCheck();
        return List.of(check.wanted(eventsTopic(), 0, 0), check.wanted(deadLetterTopic(), 0, 0),
                check.wanted(archiveTopic(), ARCHIVE_TOPIC_MAX_MESSAGE_BYTES, 0));
    }

    public String indexGroupId() { return values.getString("index.group-id"); }
    public String deadLetterTopic() { return CommonConfig.deadLetterTopic(values); }
    public boolean archiveDeadLetters() { return values.getBoolean("dead-letters.archive"); }
    public String deadLetterGroupId() { return values.getString("dead-letters.group-id"); }
    public Duration digestInterval() { return Duration.ofMillis(values.getLong("digest.interval-ms")); }
    public Path signingKeyFile() { return Path.of(values.getString("manifest.signing-key-file")); }
    /** {@code manifest.revoked-keys}: each key id with the time it is revoked from. */
    public java.util.Map<String, java.time.Instant> revokedKeys() {
        java.util.Map<String, java.time.Instant> out = new java.util.LinkedHashMap<>();
        for (String item : values.getList("manifest.revoked-keys")) {
            int at = item.indexOf('@');
            String id = at < 0 ? "" : item.substring(0, at).trim();
            java.time.Instant from;
            try {
                from = java.time.Instant.parse(item.substring(at + 1).trim());
            } catch (RuntimeException e) {
                from = null;
            }
            if (!id.matches("[0-9a-f]{64}") || from == null) {
                throw new ConfigException("manifest.revoked-keys", item,
                        "each entry is keyId@instant: 64 lowercase hex digits, @, an ISO-8601 UTC instant");
            }
            out.put(id, from);
        }
        return out;
    }

    public java.util.Optional<Path> previousSigningKeyFile() {
        String v = values.getString("manifest.previous-signing-key-file");
        return v == null || v.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(Path.of(v));
    }
    public AdminSettings admin() { return CommonConfig.admin(values); }
    public boolean adminEnabled() { return admin().enabled(); }
    public String adminHost() { return admin().host(); }
    public int adminPort() { return admin().port(); }

    private Optional<Path> path(String key) {
        return Optional.ofNullable(values.getString(key)).filter(s -> !s.isBlank()).map(Path::of);
    }

    public Map<String, Object> kafkaClientOverrides() {
        return CommonConfig.kafkaClientOverrides(originals);
    }
}
