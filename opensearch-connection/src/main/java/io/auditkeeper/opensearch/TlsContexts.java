package io.auditkeeper.opensearch;

import io.auditkeeper.tls.PemFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The {@link SSLContext} the archiver uses towards OpenSearch, from PEM files as Kubernetes and cert-manager mount
 * them: a CA bundle (instead of the JVM's trust store, so a private CA needs no keytool step) and optionally a client
 * certificate with its key (the security plugin's certificate authentication). Protocols are limited to
 * {@link #PROTOCOLS} by the transports that use it.
 */
final class TlsContexts {
    /** TLS 1.2 and 1.3 only: older versions are broken and HIPAA guidance (NIST SP 800-52r2) excludes them. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private static final char[] NO_PASSWORD = new char[0];

    private TlsContexts() {
    }

    /**
     * @param caFile   PEM bundle of trusted CAs, or null for the JVM's default trust store
     * @param certFile PEM certificate chain to present, or null for none
     * @param keyFile  PEM private key of {@code certFile}
     */
    static SSLContext create(Path caFile, Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        TrustManager[] trust = null;
        if (caFile != null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            List<X509Certificate> cas = PemFiles.certificates(caFile);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            trust = tmf.getTrustManagers();
        }
        KeyManager[] keys = null;
        if (certFile != null) {
            List<X509Certificate> chain = PemFiles.certificates(certFile);
            PrivateKey key = PemFiles.privateKey(keyFile);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, NO_PASSWORD);
            keys = kmf.getKeyManagers();
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, trust, null);
        return context;
    }
}
