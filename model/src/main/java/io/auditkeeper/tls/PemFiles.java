package io.auditkeeper.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads certificates and private keys from PEM files as cert-manager, kubeadm and openssl write them: certificate
 * chains and CA bundles, and keys in PKCS#8, PKCS#1 (RSA) or SEC1 (EC) form. Unencrypted keys only: a key file is
 * protected by file permissions or a Kubernetes Secret, not by a password in the same config.
 *
 * <p>Shared by ingest (its server certificate and client CA) and the archiver (the CA bundle and client certificate
 * it presents to OpenSearch), so both read the same PEM forms. Needs {@code bcpkix-jdk18on} on the class path, which
 * this module declares optional: a module that calls it declares the dependency itself.
 */
public final class PemFiles {
    private PemFiles() {
    }

    public static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof X509CertificateHolder holder) {
                    out.add(converter.getCertificate(holder));
                }
            }
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no PEM certificate in " + file);
        }
        return out;
    }

    public static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        }
        throw new GeneralSecurityException("no unencrypted PEM private key in " + file);
    }
}
