package io.auditkeeper.localstack;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.regex.Pattern;

/**
 * A development certificate authority that writes PEM files: a CA, a server certificate for {@code localhost} /
 * {@code 127.0.0.1}, and client certificates.
 *
 * <p>The audit webhook is authenticated by mutual TLS (kube-apiserver presents a client certificate), so tests and
 * the demo need a CA, a server certificate and client certificates, including one from a foreign CA that must be
 * refused. Keys are EC P-256, signatures SHA256withECDSA, private keys unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY})
 * readable by Jetty, curl and kube-apiserver alike. Certificates are valid from two days ago (clock skew) to one year
 * ahead. Never use these files outside development: the CA key sits next to the certificates.
 */
public final class DevPki {
    /** Subject of {@code client.crt}: the identity the demo's kube-apiserver presents to the webhook. */
    public static final String CLIENT_SUBJECT = "CN=kube-apiserver,O=auditkeeper-demo";
    /** Subject of every CA made here, foreign ones included, so a refusal can only come from the signature. */
    public static final String CA_SUBJECT = "CN=Audit Keeper development CA,O=auditkeeper-demo";
    static final String SERVER_SUBJECT = "CN=localhost,O=auditkeeper-demo";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] NO_PASSWORD = new char[0];

    private final Path dir;
    private final X509Certificate caCertificate;
    private final PrivateKey caPrivateKey;

    private DevPki(Path dir, X509Certificate caCertificate, PrivateKey caPrivateKey) {
        this.dir = dir;
        this.caCertificate = caCertificate;
        this.caPrivateKey = caPrivateKey;
    }

    /**
     * Creates a new CA in {@code dir} (created if needed, existing files replaced) with {@code ca.crt}/{@code ca.key},
     * {@code server.crt}/{@code server.key} and {@code client.crt}/{@code client.key}.
     */
    public static DevPki create(Path dir) {
        try {
            Path d = Files.createDirectories(dir.toAbsolutePath());
            KeyPair ca = newKeyPair();
            X500Name caName = x500(CA_SUBJECT);
            X509v3CertificateBuilder b = builder(caName, caName, ca.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(ca.getPublic()));
            X509Certificate caCert = sign(b, ca.getPrivate());
            write(d, "ca", caCert, ca.getPrivate());
            DevPki pki = new DevPki(d, caCert, ca.getPrivate());
            pki.issue("server", SERVER_SUBJECT, true);
            pki.issue("client", CLIENT_SUBJECT, false);
            return pki;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the development PKI to " + dir, e);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot create the development PKI", e);
        }
    }

    /**
     * A second, unrelated CA in {@code dir} whose CA and client certificate carry exactly the same names as those of
     * {@link #create(Path)}: its {@code client.crt} is an impostor that a server trusting the real CA must refuse.
     */
    public static DevPki createUntrusted(Path dir) {
        return create(dir);
    }

    /** Loads the CA in {@code dir} if {@code ca.crt} and {@code ca.key} exist there, otherwise {@link #create(Path)}s one. */
    public static DevPki openOrCreate(Path dir) {
        Path d = dir.toAbsolutePath();
        Path crt = d.resolve("ca.crt");
        Path key = d.resolve("ca.key");
        if (!Files.isRegularFile(crt) || !Files.isRegularFile(key)) {
            return create(d);
        }
        DevPki pki = new DevPki(d, readCertificate(crt), readPrivateKey(key));
        if (!Files.isRegularFile(pki.serverCert()) || !Files.isRegularFile(pki.serverKey())) {
            pki.issueOrThrow("server", SERVER_SUBJECT, true);
        }
        if (!Files.isRegularFile(pki.clientCert()) || !Files.isRegularFile(pki.clientKey())) {
            pki.issueOrThrow("client", CLIENT_SUBJECT, false);
        }
        return pki;
    }

    /**
     * Issues another client certificate, written as {@code name.crt} and {@code name.key} in {@link #dir()}.
     *
     * @param name file name stem: letters, digits, {@code . _ -}; not {@code ca}
     * @param subjectDn e.g. {@code CN=alice,O=auditors}
     * @return the certificate's path; the key is the sibling {@code name.key}
     */
    public Path issueClient(String name, String subjectDn) {
        if (!NAME.matcher(name).matches() || name.equals("ca")) {
            throw new IllegalArgumentException("invalid certificate name: " + name);
        }
        return issueOrThrow(name, subjectDn, false);
    }

    /**
     * Issues another server certificate for localhost and 127.0.0.1 from the same CA, as {@code name.crt} and
     * {@code name.key} in {@link #dir()}: a renewal, as cert-manager makes one.
     *
     * @param name file name stem: letters, digits, {@code . _ -}; not {@code ca}
     * @return the certificate's path; the key is the sibling {@code name.key}
     */
    public Path issueServer(String name) {
        if (!NAME.matcher(name).matches() || name.equals("ca")) {
            throw new IllegalArgumentException("invalid certificate name: " + name);
        }
        return issueOrThrow(name, SERVER_SUBJECT, true);
    }

    public Path dir() {
        return dir;
    }

    public Path caCert() {
        return dir.resolve("ca.crt");
    }

    public Path caKey() {
        return dir.resolve("ca.key");
    }

    public Path serverCert() {
        return dir.resolve("server.crt");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    public Path clientCert() {
        return dir.resolve("client.crt");
    }

    public Path clientKey() {
        return dir.resolve("client.key");
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    /** TLS client context that trusts only this CA and presents the given client certificate and key. */
    public SSLContext clientSslContext(Path cert, Path key) {
        return sslContext(keyStore(cert, key));
    }

    /** TLS client context that trusts only this CA and presents no certificate. */
    public SSLContext trustOnlySslContext() {
        return sslContext(null);
    }

    /** TLS server context presenting {@code server.crt} and trusting this CA for client certificates. */
    public SSLContext serverSslContext() {
        return sslContext(keyStore(serverCert(), serverKey()));
    }

    /** Reads a PEM certificate (the first one in the file). */
    public static X509Certificate readCertificate(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pem, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + pem, e);
        }
    }

    /** Reads a PEM private key, PKCS#8 or traditional EC. */
    public static PrivateKey readPrivateKey(Path pem) {
        try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair kp) {
                return conv.getPrivateKey(kp.getPrivateKeyInfo());
            }
            throw new IllegalArgumentException("no unencrypted private key in " + pem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pem, e);
        }
    }

    private Path issueOrThrow(String name, String subjectDn, boolean server) {
        try {
            return issue(name, subjectDn, server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + name + " certificate to " + dir, e);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot issue " + name + " certificate", e);
        }
    }

    private Path issue(String name, String subjectDn, boolean server)
        throws IOException, GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        KeyPair kp = newKeyPair();
        X509v3CertificateBuilder b = builder(X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded()),
            x500(subjectDn), kp.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCertificate));
        if (server) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        X509Certificate cert = sign(b, caPrivateKey);
        write(dir, name, cert, kp.getPrivate());
        return dir.resolve(name + ".crt");
    }

    /** Parsed the JDK's way (RFC 2253), so that {@code getSubjectX500Principal().getName()} gives back the same text. */
    private static X500Name x500(String dn) {
        return X500Name.getInstance(new X500Principal(dn).getEncoded());
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key) {
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(Duration.ofDays(2))),
            Date.from(now.plus(Duration.ofDays(365))), subject, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey)
        throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static void write(Path dir, String name, X509Certificate cert, PrivateKey key) throws IOException {
        Path keyFile = dir.resolve(name + ".key");
        Files.deleteIfExists(keyFile);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try (Writer w = Files.newBufferedWriter(keyFile, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(new JcaPKCS8Generator(key, null));
        }
        try (Writer w = Files.newBufferedWriter(dir.resolve(name + ".crt"), StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(cert);
        }
    }

    private KeyStore keyStore(Path cert, Path key) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("key", readPrivateKey(key), NO_PASSWORD,
                new Certificate[] {readCertificate(cert), caCertificate});
            return ks;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a key store from " + cert + " and " + key, e);
        }
    }

    private SSLContext sslContext(KeyStore keys) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", caCertificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManager[] km = new KeyManager[0];
            if (keys != null) {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, NO_PASSWORD);
                km = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(km, tmf.getTrustManagers(), RANDOM);
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build an SSLContext", e);
        }
    }
}
