package io.auditkeeper.localstack;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SignatureException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevPkiTest {
    @TempDir
    static Path dir;
    static DevPki pki;
    static DevPki impostor;

    @BeforeAll
    static void createPkis() {
        pki = DevPki.create(dir.resolve("pki"));
        impostor = DevPki.createUntrusted(dir.resolve("impostor"));
    }

    @Test
    void writesPemFilesWithPkcs8KeysReadableOnlyByTheOwner() throws Exception {
        for (Path crt : List.of(pki.caCert(), pki.serverCert(), pki.clientCert())) {
            assertThat(Files.readString(crt)).startsWith("-----BEGIN CERTIFICATE-----");
        }
        for (Path key : List.of(pki.caKey(), pki.serverKey(), pki.clientKey())) {
            assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
            assertThat(Files.getPosixFilePermissions(key))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
        assertThat(DevPki.readPrivateKey(pki.serverKey()).getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void serverCertificateIsForLocalhostAndSignedByTheCa() throws Exception {
        X509Certificate server = DevPki.readCertificate(pki.serverCert());
        X509Certificate ca = DevPki.readCertificate(pki.caCert());

        server.verify(ca.getPublicKey());
        assertThat(server.getSigAlgName()).isEqualTo("SHA256withECDSA");
        List<String> sans = server.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList();
        assertThat(sans).containsExactlyInAnyOrder("localhost", "127.0.0.1");
        assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(server.getNotBefore().toInstant()).isBefore(Instant.now().minus(Duration.ofDays(1)));
        assertThat(server.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(360)));
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void clientCertificateCarriesTheApiServerIdentity() throws Exception {
        X509Certificate client = DevPki.readCertificate(pki.clientCert());

        assertThat(client.getSubjectX500Principal().getName()).isEqualTo("CN=kube-apiserver,O=auditkeeper-demo");
        assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        validate(client, pki.caCertificate());
    }

    @Test
    void impostorLooksIdenticalButDoesNotVerifyAgainstTheCa() throws Exception {
        X509Certificate fake = DevPki.readCertificate(impostor.clientCert());

        assertThat(fake.getSubjectX500Principal()).isEqualTo(DevPki.readCertificate(pki.clientCert()).getSubjectX500Principal());
        assertThat(fake.getIssuerX500Principal()).isEqualTo(pki.caCertificate().getSubjectX500Principal());
        assertThatThrownBy(() -> fake.verify(pki.caCertificate().getPublicKey())).isInstanceOf(SignatureException.class);
        assertThatThrownBy(() -> validate(fake, pki.caCertificate())).isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void issuesExtraClientCertificates() throws Exception {
        Path crt = pki.issueClient("alice", "CN=alice,O=auditors");

        assertThat(crt).isEqualTo(pki.dir().resolve("alice.crt"));
        assertThat(pki.dir().resolve("alice.key")).exists();
        X509Certificate alice = DevPki.readCertificate(crt);
        assertThat(alice.getSubjectX500Principal().getName()).isEqualTo("CN=alice,O=auditors");
        validate(alice, pki.caCertificate());
        assertThatThrownBy(() -> pki.issueClient("../evil", "CN=x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pki.issueClient("ca", "CN=x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void openOrCreateReusesAnExistingCa() throws Exception {
        DevPki again = DevPki.openOrCreate(pki.dir());

        assertThat(again.caCertificate()).isEqualTo(pki.caCertificate());
        assertThat(Files.readString(again.serverCert())).isEqualTo(Files.readString(pki.serverCert()));
    }

    @Test
    void mutualTlsHandshakeWithTheServerCertificate() throws Exception {
        assertThat(handshake(pki.clientSslContext(pki.clientCert(), pki.clientKey())).get(10, TimeUnit.SECONDS))
            .isEqualTo("CN=kube-apiserver,O=auditkeeper-demo");
    }

    @Test
    void serverRefusesTheImpostorsClientCertificate() throws Exception {
        CompletableFuture<String> server = handshake(impostor.clientSslContext(impostor.clientCert(), impostor.clientKey()));

        assertThat(server).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(Exception.class)
            .havingRootCause().isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void httpClientPresentsTheClientCertificate() throws Exception {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(pki.serverSslContext()) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", exchange -> {
            byte[] who = ((HttpsExchange) exchange).getSSLSession().getPeerPrincipal().getName()
                .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, who.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(who);
            }
        });
        server.start();
        try {
            URI uri = URI.create("https://localhost:" + server.getAddress().getPort() + "/");
            HttpRequest get = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();

            HttpClient mtls = HttpClient.newBuilder()
                .sslContext(pki.clientSslContext(pki.clientCert(), pki.clientKey())).build();
            HttpResponse<String> ok = mtls.send(get, HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("CN=kube-apiserver,O=auditkeeper-demo");

            HttpClient anonymous = HttpClient.newBuilder().sslContext(pki.trustOnlySslContext()).build();
            assertThatThrownBy(() -> anonymous.send(get, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        } finally {
            server.stop(0);
        }
    }

    /** Serves one connection needing a client certificate; completes with the client's subject. */
    private static CompletableFuture<String> handshake(SSLContext client) throws IOException {
        SSLServerSocket listener = (SSLServerSocket) pki.serverSslContext().getServerSocketFactory()
            .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
        listener.setNeedClientAuth(true);
        CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> {
            try (listener; SSLSocket s = (SSLSocket) listener.accept()) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                String peer = s.getSession().getPeerPrincipal().getName();
                s.getOutputStream().write(1);
                s.getOutputStream().flush();
                return peer;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("localhost", listener.getLocalPort())) {
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            InputStream in = s.getInputStream();
            in.read();
        } catch (IOException refused) {
            // the impostor case: the server's alert surfaces here; the server side tells why
        }
        return result;
    }

    private static void validate(X509Certificate cert, X509Certificate ca) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
            .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), params);
    }
}
