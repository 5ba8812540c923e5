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
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * Builds the webhook's TLS context from PEM files: TLS 1.2 and 1.3 only (whatever the JVM would allow), AEAD cipher
 * suites with forward secrecy in the server's order of preference, and client certificates verified against the configured client CA when
 * the auth mode uses mutual TLS (required for {@code mtls} and {@code mtls-and-token}, optional for
 * {@code mtls-or-token}). The same files are read again by {@link CredentialReloader} when they change.
 */
public final class ServerTlsFactory {
    private ServerTlsFactory() {
    }

    /**
     * What the PEM files hold, checked: the key pairs with the certificate (a renewal caught between writing the
     * certificate and the key must not be served).
     *
     * @param trustStore null unless the auth mode uses mutual TLS
     * @param clientCaExpiry null unless the auth mode uses mutual TLS
     */
    public record Material(KeyStore keyStore, String password, KeyStore trustStore, Instant serverExpiry,
                           Instant clientCaExpiry) {
    }

    public static SslContextFactory.Server create(IngestConfig config) {
        return create(config, read(config));
    }

    public static SslContextFactory.Server create(IngestConfig config, Material material) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        apply(ssl, material);
        ssl.setIncludeProtocols(config.tlsProtocols().toArray(String[]::new));
        ssl.setExcludeProtocols("SSL", "SSLv2", "SSLv2Hello", "SSLv3", "TLSv1", "TLSv1.1");
        ssl.setIncludeCipherSuites(config.tlsCipherSuites().toArray(String[]::new));
        ssl.setUseCipherSuitesOrder(true);
        ssl.setRenegotiationAllowed(false);
        IngestConfig.AuthMode mode = config.authMode();
        if (mode.usesMtls()) {
            if (mode == IngestConfig.AuthMode.MTLS_OR_TOKEN) {
                ssl.setWantClientAuth(true);
            } else {
                ssl.setNeedClientAuth(true);
            }
        }
        return ssl;
    }

    /** Puts the key and trust stores into {@code ssl} (before it starts, or inside {@code ssl.reload}). */
    static void apply(SslContextFactory ssl, Material material) {
        ssl.setKeyStore(material.keyStore());
        ssl.setKeyStorePassword(material.password());
        if (material.trustStore() != null) {
            ssl.setTrustStore(material.trustStore());
        }
    }

    /** Reads and checks the PEM files; a {@link ConfigException} names the file's key and what is wrong. */
    public static Material read(IngestConfig config) {
        String password = randomPassword();
        String certKey = "tls.cert-file";
        List<X509Certificate> chain;
        KeyStore ks;
        try {
            chain = PemFiles.certificates(config.tlsCertFile().orElseThrow());
            certKey = "tls.key-file";
            PrivateKey key = PemFiles.privateKey(config.tlsKeyFile().orElseThrow());
            if (!pairs(key, chain.get(0))) {
                throw new GeneralSecurityException("the key does not belong to the certificate of tls.cert-file");
            }
            ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, password.toCharArray(), chain.toArray(X509Certificate[]::new));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new ConfigException(certKey, String.valueOf(certKey.equals("tls.cert-file") ? config.tlsCertFile().orElse(null)
                    : config.tlsKeyFile().orElse(null)), "cannot be used: " + e.getMessage());
        }
        KeyStore ts = null;
        Instant caExpiry = null;
        if (config.authMode().usesMtls()) {
            try {
                ts = KeyStore.getInstance("PKCS12");
                ts.load(null, null);
                int i = 0;
                List<X509Certificate> cas = PemFiles.certificates(config.clientCaFile().orElseThrow());
                for (X509Certificate ca : cas) {
                    ts.setCertificateEntry("client-ca-" + i++, ca);
                }
                caExpiry = cas.stream().map(c -> c.getNotAfter().toInstant()).min(Comparator.naturalOrder()).orElseThrow();
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                throw new ConfigException("auth.client-ca-file", String.valueOf(config.clientCaFile().orElse(null)),
                        "cannot be used: " + e.getMessage());
            }
        }
        return new Material(ks, password, ts, chain.get(0).getNotAfter().toInstant(), caExpiry);
    }

    /** Whether {@code key} signs what the certificate's public key verifies (unknown key types are let through). */
    static boolean pairs(PrivateKey key, X509Certificate cert) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        byte[] probe = new byte[32];
        new SecureRandom().nextBytes(probe);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(cert.getPublicKey());
        verifier.update(probe);
        try {
            return verifier.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    private static String randomPassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }
}
