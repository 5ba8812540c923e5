package io.auditkeeper.ingest.tls;

import io.auditkeeper.ingest.admin.IngestMetrics;
import io.auditkeeper.ingest.auth.BearerTokens;
import io.auditkeeper.ingest.auth.ClientAuthenticator;
import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.ingest.firehose.FirehoseAccessKeys;
import io.auditkeeper.ingest.pubsub.JsonWebKeySet;
import io.auditkeeper.ingest.pubsub.PushTokenVerifier;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads the webhook's credentials again when their files change, so that a renewed certificate (cert-manager renews
 * weeks before expiry and rewrites the mounted Secret) or a changed token file takes effect without a restart: the
 * server certificate and key, the client CA bundle, the token file, Firehose's access key file and
 * the Google keys of Pub/Sub push tokens are checked every
 * {@code credentials.reload-interval-ms}, by their content. A change that does not read, or a certificate caught
 * between its renewal and its key's, is refused: the credentials in use stay, the error is logged once per content,
 * and the next change is tried again. New connections get the new certificate; open ones keep theirs.
 */
public final class CredentialReloader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialReloader.class);

    private final IngestConfig config;
    private final SslContextFactory.Server ssl;
    private final ClientAuthenticator authenticator;
    private final FirehoseAccessKeys firehoseKeys;
    private final PushTokenVerifier pushTokens;
    private final IngestMetrics metrics;
    private String applied;
    private String refused;
    private ScheduledExecutorService scheduler;

    /**
     * @param ssl      the running server's TLS context, or null with {@code listen.plaintext}
     * @param firehoseKeys the Firehose endpoint's access keys, or null when it is off
     * @param pushTokens   the Pub/Sub endpoint's token verifier (its Google keys), or null when it is off
     * @param baseline {@link #fingerprint(IngestConfig)} taken before the credentials in use were read, so that a change
     *                 made while the server started is not missed
     */
    public CredentialReloader(IngestConfig config, SslContextFactory.Server ssl, ClientAuthenticator authenticator,
                              FirehoseAccessKeys firehoseKeys, PushTokenVerifier pushTokens, IngestMetrics metrics,
                              String baseline) {
        this.config = config;
        this.ssl = ssl;
        this.authenticator = authenticator;
        this.firehoseKeys = firehoseKeys;
        this.pushTokens = pushTokens;
        this.metrics = metrics;
        this.applied = baseline;
    }

    public CredentialReloader start(Duration interval) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "credential-reloader");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::checkSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void checkSafely() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue("exception", e.getClass().getName()).log("credentials not checked: " + e.getMessage());
        }
    }

    /** Applies the files if they changed since last applied; true when something new was applied. */
    public synchronized boolean check() {
        String now = fingerprint(config);
        if (now.equals(applied) || now.equals(refused)) {
            return false;
        }
        try {
            BearerTokens tokens = config.authMode().usesToken() ? BearerTokens.load(config.tokenFile().orElseThrow()) : null;
            BearerTokens accessKeys = firehoseKeys == null ? null
                    : FirehoseAccessKeys.read(config.firehoseEksAccessKeyFile().orElseThrow());
            JsonWebKeySet googleKeys = pushTokens == null ? null
                    : JsonWebKeySet.read(config.pubsubGkeJwksFile().orElseThrow(), "pubsub.gke.jwks-file");
            if (ssl != null) {
                ServerTlsFactory.Material material = ServerTlsFactory.read(config);
                ssl.reload(f -> ServerTlsFactory.apply(f, material));
                metrics.certificateExpiry("server", material.serverExpiry());
                if (material.clientCaExpiry() != null) {
                    metrics.certificateExpiry("client-ca", material.clientCaExpiry());
                }
            }
            if (accessKeys != null) {
                firehoseKeys.replace(accessKeys);
            }
            if (googleKeys != null) {
                pushTokens.replace(googleKeys);
            }
            if (tokens != null) {
                authenticator.replaceTokens(tokens);
            }
            applied = now;
            refused = null;
            metrics.credentialReload(true);
            LOG.atInfo().addKeyValue("files", watched(config).toString())
                    .log("credentials read again: new connections use them");
            return true;
        } catch (Exception e) {
            refused = now;
            metrics.credentialReload(false);
            // the message names the key and the file, never their content
            LOG.atError().addKeyValue("exception", e.getClass().getName())
                    .log("changed credentials not used, the current ones stay: " + e.getMessage());
            return false;
        }
    }

    /** The files whose content decides: server certificate and key, client CA bundle, token file. */
    private static List<Path> watched(IngestConfig config) {
        List<Path> files = new ArrayList<>();
        if (!config.plaintext()) {
            files.add(config.tlsCertFile().orElseThrow());
            files.add(config.tlsKeyFile().orElseThrow());
        }
        if (config.authMode().usesMtls()) {
            config.clientCaFile().ifPresent(files::add);
        }
        if (config.authMode().usesToken()) {
            config.tokenFile().ifPresent(files::add);
        }
        if (config.firehoseEksEnabled()) {
            config.firehoseEksAccessKeyFile().ifPresent(files::add);
        }
        if (config.pubsubGkeEnabled()) {
            config.pubsubGkeJwksFile().ifPresent(files::add);
        }
        return files;
    }

    /** A digest of the watched files' names and contents. */
    public static String fingerprint(IngestConfig config) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path p : watched(config)) {
                sha.update(p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(read(p).orElse(new byte[0]));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The file's bytes, or empty while it is missing (a Secret volume swaps its files through a symlink). */
    private static Optional<byte[]> read(Path p) {
        try {
            return Optional.of(Files.readAllBytes(p));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(("unreadable: " + e.getMessage()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
