package io.auditkeeper.notifier.config;

import io.auditkeeper.notifier.Severity;
import io.auditkeeper.tls.PemFiles;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One receiver's settings, the keys under {@code receivers.<name>.}: validated as the service's own keys are (a Kafka
 * {@link ConfigDef} whose keys carry the receiver's name, so a bad value is reported as
 * {@code receivers.oncall.retry.max-attempts}), and with the secrets (Slack's URL, the bearer token, PagerDuty's routing
 * key) read from files at start, never from a setting, so that they appear in no config file, environment or log line.
 */
public final class ReceiverConfig {
    public static final String PREFIX = "receivers.";
    /** PagerDuty Events API v2 (US service region); the EU region is https://events.eu.pagerduty.com/v2/enqueue. */
    public static final String PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    static final int MAX_NAME = 40;

    /** The keys of one receiver, without the {@code receivers.<name>.} prefix. */
    static final ConfigDef KEYS = new ConfigDef()
            .define("type", Type.STRING, ConfigDef.NO_DEFAULT_VALUE, ValidString.in("webhook", "slack", "pagerduty"), Importance.HIGH,
                    "webhook: POST of the alert's JSON as written to audit.alerts, with the header Idempotency-Key: <alert id>. slack: a Slack incoming webhook message (text and blocks, the alert id in the text). pagerduty: a PagerDuty Events API v2 trigger event with the alert id as dedup_key.")
            .define("url", Type.STRING, null, Importance.HIGH,
                    "https:// URL of the receiver (webhook). pagerduty: defaults to https://events.pagerduty.com/v2/enqueue (https://events.eu.pagerduty.com/v2/enqueue in the EU region). Not for slack, whose URL is the secret: use url-file.")
            .define("url-file", Type.STRING, null, Importance.HIGH,
                    "File holding the URL, for a URL that is a secret: required for slack (https://hooks.slack.com/services/...), possible for webhook instead of url. Read once at start; never logged.")
            .define("token-file", Type.STRING, null, Importance.MEDIUM,
                    "webhook only: file holding a bearer token, sent as Authorization: Bearer <token>. Read once at start; never logged.")
            .define("routing-key-file", Type.STRING, null, Importance.HIGH,
                    "pagerduty only, required: file holding the integration's routing key (Events API v2). Read once at start; never logged.")
            .define("ca-file", Type.STRING, null, Importance.MEDIUM,
                    "PEM file of the CA certificates to trust for the receiver's server certificate, instead of the JDK's default trust store (a receiver with a private CA).")
            .define("sources", Type.LIST, List.of("alerts"), ValidList.in("alerts", "phi-access"), Importance.MEDIUM,
                    "What the receiver is sent: alerts (audit.alerts), phi-access (flagged requests of audit.phi-access at or above phi-access.min-severity), or both.")
            .define("min-severity", Type.STRING, "low", ValidString.in("low", "medium", "high", "critical"), Importance.MEDIUM,
                    "Least severity of the alerts sent; an alert without a severity this notifier knows is sent.")
            .define("phi-access.min-severity", Type.STRING, "high", ValidString.in("low", "medium", "high", "critical"), Importance.MEDIUM,
                    "With sources phi-access: least phi.severity of the flagged requests sent (one message per request, so keep it high).")
            .define("start-at", Type.STRING, "latest", ValidString.in("latest", "earliest"), Importance.MEDIUM,
                    "Where a receiver whose consumer group has no committed offset yet (a new receiver) begins: latest sends only alerts written from its first start on; earliest sends every alert the topic still holds. Once the group has committed, it always resumes there.")
            .define("request-timeout-ms", Type.LONG, 10_000L, Range.between(100, 120_000), Importance.MEDIUM,
                    "Longest wait for one answer (connecting included); a request that times out is retried with the same dedupe key.")
            .define("retry.max-attempts", Type.INT, 8, Range.between(1, 100), Importance.MEDIUM,
                    "Attempts of one delivery, the first included, on 5xx, 408, 429, timeouts, refused connections and TLS failures; after the last the alert goes to the dead-letter topic. Other 4xx answers go there at once.")
            .define("retry.backoff-initial-ms", Type.LONG, 1_000L, Range.between(10, 600_000), Importance.LOW,
                    "Wait before the second attempt; doubled for each further attempt up to retry.backoff-max-ms, with up to half of it taken off at random (jitter). A Retry-After answer (429, 503) waits as long as it asks, up to retry.backoff-max-ms.")
            .define("retry.backoff-max-ms", Type.LONG, 60_000L, Range.between(10, 3_600_000), Importance.LOW,
                    "Longest wait between two attempts; at least retry.backoff-initial-ms.");

    private final String name;
    private final ReceiverType type;
    private final URI url;
    private final Optional<String> token;
    private final Optional<String> routingKey;
    private final Optional<Path> caFile;
    private final Set<AlertSource> sources;
    private final Severity minSeverity;
    private final Severity phiAccessMinSeverity;
    private final Duration requestTimeout;
    private final String startAt;
    private final RetryPolicy retry;

    private ReceiverConfig(String name, AbstractConfig v) {
        this.name = name;
        this.type = ReceiverType.of(v.getString(key(name, "type")));
        this.sources = EnumSet.noneOf(AlertSource.class);
        v.getList(key(name, "sources")).forEach(s -> sources.add(AlertSource.of(s)));
        if (sources.isEmpty()) {
            throw new ConfigException(key(name, "sources"), "", "names nothing to send");
        }
        this.minSeverity = Severity.of(v.getString(key(name, "min-severity"))).orElseThrow();
        this.phiAccessMinSeverity = Severity.of(v.getString(key(name, "phi-access.min-severity"))).orElseThrow();
        this.requestTimeout = Duration.ofMillis(v.getLong(key(name, "request-timeout-ms")));
        this.startAt = v.getString(key(name, "start-at"));
        long initial = v.getLong(key(name, "retry.backoff-initial-ms"));
        long max = v.getLong(key(name, "retry.backoff-max-ms"));
        if (max < initial) {
            throw new ConfigException(key(name, "retry.backoff-max-ms"), max, "must be at least "
                    + key(name, "retry.backoff-initial-ms") + " (" + initial + ")");
        }
        this.retry = new RetryPolicy(v.getInt(key(name, "retry.max-attempts")), Duration.ofMillis(initial), Duration.ofMillis(max));

        String urlValue = v.getString(key(name, "url"));
        String urlFile = v.getString(key(name, "url-file"));
        String tokenFile = v.getString(key(name, "token-file"));
        String routingKeyFile = v.getString(key(name, "routing-key-file"));
        if (urlValue != null && urlFile != null) {
            throw new ConfigException(key(name, "url-file"), urlFile, "set either url or url-file, not both");
        }
        switch (type) {
            case WEBHOOK -> {
                notFor(name, "routing-key-file", routingKeyFile);
                if (urlValue == null && urlFile == null) {
                    throw new ConfigException(key(name, "url"), null, "is required for a webhook (or url-file)");
                }
            }
            case SLACK -> {
                if (urlValue != null) {
                    throw new ConfigException(key(name, "url"), "(not shown)", "is not taken for slack: the incoming"
                            + " webhook's URL is its secret, so put it in a file and set url-file");
                }
                if (urlFile == null) {
                    throw new ConfigException(key(name, "url-file"), null, "is required for slack");
                }
                notFor(name, "token-file", tokenFile);
                notFor(name, "routing-key-file", routingKeyFile);
            }
            case PAGERDUTY -> {
                notFor(name, "token-file", tokenFile);
                if (routingKeyFile == null) {
                    throw new ConfigException(key(name, "routing-key-file"), null, "is required for pagerduty");
                }
            }
        }
        String url = urlFile != null ? readSecret(key(name, "url-file"), urlFile)
                : urlValue != null ? urlValue : PAGERDUTY_EVENTS_URL;
        this.url = httpsUrl(urlFile != null ? key(name, "url-file") : key(name, "url"), url, urlFile != null);
        this.token = Optional.ofNullable(tokenFile).map(f -> readSecret(key(name, "token-file"), f));
        this.routingKey = Optional.ofNullable(routingKeyFile).map(f -> readSecret(key(name, "routing-key-file"), f));
        String ca = v.getString(key(name, "ca-file"));
        this.caFile = Optional.ofNullable(ca).map(Path::of);
        if (caFile.isPresent()) {
            caCertificates(key(name, "ca-file"), caFile.get());
        }
    }

    /** The backoff settings of one receiver. */
    public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    }

    /** The receivers in {@code settings} (every key under {@code receivers.}), by name in the order of the names. */
    static Map<String, ReceiverConfig> all(Map<String, Object> settings) {
        Map<String, Map<String, Object>> byName = new java.util.TreeMap<>();
        for (Map.Entry<String, Object> e : settings.entrySet()) {
            if (!e.getKey().startsWith(PREFIX)) {
                continue;
            }
            String rest = e.getKey().substring(PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot <= 0) {
                throw new ConfigException(e.getKey(), "(not shown)", "is not a receiver key: receivers.<name>.<key>");
            }
            String name = rest.substring(0, dot);
            if (!NAME.matcher(name).matches() || name.length() > MAX_NAME) {
                throw new ConfigException(e.getKey(), "(not shown)", "the receiver name '" + name + "' must be lowercase"
                        + " letters and digits, words joined by '-', at most " + MAX_NAME + " characters");
            }
            String k = canonicalKey(rest.substring(dot + 1));
            if (k == null) {
                throw new ConfigException(e.getKey(), "(not shown)", "is not a receiver key; receivers take "
                        + String.join(", ", KEYS.names()));
            }
            byName.computeIfAbsent(name, n -> new HashMap<>()).put(key(name, k), e.getValue());
        }
        Map<String, ReceiverConfig> out = new java.util.LinkedHashMap<>();
        byName.forEach((name, values) -> out.put(name, new ReceiverConfig(name, new AbstractConfig(definition(name), values, false))));
        return out;
    }

    /** The keys of receiver {@code name}, as they are written in the settings: {@code receivers.<name>.<key>}. */
    public static ConfigDef definition(String name) {
        ConfigDef def = new ConfigDef();
        for (ConfigDef.ConfigKey k : KEYS.configKeys().values()) {
            def.define(key(name, k.name), k.type, k.defaultValue, k.validator, k.importance, k.documentation);
        }
        return def;
    }

    /**
     * The key of the definition {@code written} means. From the environment ({@code RECEIVERS_ONCALL_URL_FILE}) every
     * {@code -} has become a {@code .}, so both are taken as the same.
     */
    private static String canonicalKey(String written) {
        String w = written.toLowerCase(Locale.ROOT).replace('-', '.');
        for (String k : KEYS.names()) {
            if (k.replace('-', '.').equals(w)) {
                return k;
            }
        }
        return null;
    }

    static String key(String name, String key) {
        return PREFIX + name + "." + key;
    }

    private static void notFor(String name, String key, String value) {
        if (value != null) {
            throw new ConfigException(key(name, key), value, "is not taken by this receiver's type");
        }
    }

    private static String readSecret(String key, String file) {
        String s;
        try {
            s = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigException(key, file, "file does not exist or is not readable");
        }
        if (s.isEmpty() || s.lines().count() > 1 || s.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            throw new ConfigException(key, file, "must hold one line without spaces or control characters");
        }
        return s;
    }

    private static URI httpsUrl(String key, String url, boolean secret) {
        Object shown = secret ? "(not shown)" : url;
        try {
            URI u = new URI(url);
            if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
                throw new ConfigException(key, shown, "must be an https:// URL with a host");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ConfigException(key, shown, "is not a URL");
        }
    }

    private static List<X509Certificate> caCertificates(String key, Path file) {
        try {
            return PemFiles.certificates(file);
        } catch (IOException e) {
            throw new ConfigException(key, file.toString(), "file does not exist or is not readable");
        } catch (GeneralSecurityException e) {
            throw new ConfigException(key, file.toString(), "holds no PEM certificate");
        }
    }

    /** The TLS context that trusts {@code ca-file}'s certificates only, or the JDK's default without one. */
    public SSLContext sslContext() {
        try {
            if (caFile.isEmpty()) {
                return SSLContext.getDefault();
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (X509Certificate c : caCertificates(key(name, "ca-file"), caFile.get())) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the TLS context of receiver " + name, e);
        }
    }

    public String name() { return name; }
    public ReceiverType type() { return type; }
    /** The receiver's URL; may hold a secret (Slack's), so never log it. */
    public URI url() { return url; }
    public Optional<String> bearerToken() { return token; }
    public Optional<String> routingKey() { return routingKey; }
    public Set<AlertSource> sources() { return Set.copyOf(sources); }
    public Severity minSeverity() { return minSeverity; }
    public Severity phiAccessMinSeverity() { return phiAccessMinSeverity; }
    public Duration requestTimeout() { return requestTimeout; }
    public RetryPolicy retry() { return retry; }
    /** Kafka's auto.offset.reset for a group without offsets: latest or earliest. */
    public String startAt() { return startAt; }

    @Override
    public String toString() {
        return "receiver " + name + " (" + type.code() + ")";
    }
}
