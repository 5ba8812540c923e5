package io.auditkeeper.ingest.tls;

import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.tls.PemFiles;
import org.apache.kafka.common.config.ConfigException;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * Builds the webhook's TLS context from PEM files: TLS 1.2 and 1.3 only (whatever the JVM would allow), AEAD cipher
 * suites with forward secrecy in the server's order of preference, and client certificates verified against the configured client CA when
 * the auth mode uses mutual TLS (required for {@code mtls} and {@code mtls-and-token}, optional for
 * {@code mtls-or-token}).
 */
public final class ServerTlsFactory {
    private ServerTlsFactory() {
    }

    public static SslContextFactory.Server create(IngestConfig config) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        String password = randomPassword();
        ssl.setKeyStore(keyStore(config, password));
        ssl.setKeyStorePassword(password);
        ssl.setIncludeProtocols(config.tlsProtocols().toArray(String[]::new));
        ssl.setExcludeProtocols("SSL", "SSLv2", "SSLv2Hello", "SSLv3", "TLSv1", "TLSv1.1");
        ssl.setIncludeCipherSuites(config.tlsCipherSuites().toArray(String[]::new));
        ssl.setUseCipherSuitesOrder(true);
        ssl.setRenegotiationAllowed(false);
        IngestConfig.AuthMode mode = config.authMode();
        if (mode.usesMtls()) {
            ssl.setTrustStore(trustStore(config));
            if (mode == IngestConfig.AuthMode.MTLS_OR_TOKEN) {
                ssl.setWantClientAuth(true);
            } else {
                ssl.setNeedClientAuth(true);
            }
        }
        return ssl;
    }

    private static KeyStore keyStore(IngestConfig config, String password) {
        String certKey = "tls.cert-file";
        try {
            List<X509Certificate> chain = PemFiles.certificates(config.tlsCertFile().orElseThrow());
            certKey = "tls.key-file";
            PrivateKey key = PemFiles.privateKey(config.tlsKeyFile().orElseThrow());
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, password.toCharArray(), chain.toArray(X509Certificate[]::new));
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(certKey, String.valueOf(certKey.equals("tls.cert-file") ? config.tlsCertFile().orElse(null)
                    : config.tlsKeyFile().orElse(null)), "cannot be used: " + e.getMessage());
        }
    }

    private static KeyStore trustStore(IngestConfig config) {
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            int i = 0;
            for (X509Certificate ca : PemFiles.certificates(config.clientCaFile().orElseThrow())) {
                ts.setCertificateEntry("client-ca-" + i++, ca);
            }
            return ts;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("auth.client-ca-file", String.valueOf(config.clientCaFile().orElse(null)),
                    "cannot be used: " + e.getMessage());
        }
    }

    private static String randomPassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }
}
