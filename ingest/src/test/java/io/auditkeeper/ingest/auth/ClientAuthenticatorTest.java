package io.auditkeeper.ingest.auth;

import io.auditkeeper.ingest.config.IngestConfig.AuthMode;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.security.auth.x500.X500Principal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAuthenticatorTest {
    private static final String TOKEN = "s3cr3t-t0ken-for-tests";
    private static X509Certificate[] apiserver;
    private static X509Certificate[] stranger;
    private static BearerTokens tokens;

    @BeforeAll
    static void setUp(@TempDir Path dir) throws Exception {
        apiserver = new X509Certificate[]{certificate("CN=kube-apiserver,O=prod")};
        stranger = new X509Certificate[]{certificate("CN=someone-else")};
        Path file = dir.resolve("tokens");
        Files.writeString(file, TOKEN + ",prod-apiserver\n");
        tokens = BearerTokens.load(file);
    }

    @Test
    void shouldIdentifyAClientCertificateBySubject() throws Exception {
        ClientAuthenticator auth = new ClientAuthenticator(AuthMode.MTLS, List.of(), null);

        assertThat(auth.authenticate(apiserver, null).value()).isEqualTo("mtls:CN=kube-apiserver,O=prod");
    }

    @Test
    void shouldRefuseACertificateOutsideTheAllowList() throws Exception {
        ClientAuthenticator byCn = new ClientAuthenticator(AuthMode.MTLS, List.of("kube-apiserver"), null);
        ClientAuthenticator byDn = new ClientAuthenticator(AuthMode.MTLS, List.of("CN=kube-apiserver,O=prod"), null);

        assertThat(byCn.authenticate(apiserver, null).value()).startsWith("mtls:");
        assertThat(byDn.authenticate(apiserver, null).value()).startsWith("mtls:");
        assertStatus(() -> byCn.authenticate(stranger, null), 403);
        assertStatus(() -> byCn.authenticate(null, null), 401);
    }

    @Test
    void shouldAcceptOnlyAValidBearerTokenInTokenMode() throws Exception {
        ClientAuthenticator auth = new ClientAuthenticator(AuthMode.TOKEN, List.of(), tokens);

        assertThat(auth.authenticate(null, "Bearer " + TOKEN).value()).isEqualTo("token:prod-apiserver");
        assertThat(auth.authenticate(null, "bearer " + TOKEN).value()).isEqualTo("token:prod-apiserver");
        assertStatus(() -> auth.authenticate(null, "Bearer wrong-token-wrong-token"), 401);
        assertStatus(() -> auth.authenticate(null, null), 401);
        assertStatus(() -> auth.authenticate(apiserver, "Basic " + TOKEN), 401);
    }

    @Test
    void shouldAcceptEitherProofInMtlsOrTokenMode() throws Exception {
        ClientAuthenticator auth = new ClientAuthenticator(AuthMode.MTLS_OR_TOKEN, List.of("kube-apiserver"), tokens);

        assertThat(auth.authenticate(apiserver, null).value()).isEqualTo("mtls:CN=kube-apiserver,O=prod");
        assertThat(auth.authenticate(null, "Bearer " + TOKEN).value()).isEqualTo("token:prod-apiserver");
        assertThat(auth.authenticate(stranger, "Bearer " + TOKEN).value()).isEqualTo("token:prod-apiserver");
        assertStatus(() -> auth.authenticate(null, null), 401);
        assertStatus(() -> auth.authenticate(stranger, null), 403);
    }

    @Test
    void shouldRequireBothProofsInMtlsAndTokenMode() throws Exception {
        ClientAuthenticator auth = new ClientAuthenticator(AuthMode.MTLS_AND_TOKEN, List.of(), tokens);

        assertThat(auth.authenticate(apiserver, "Bearer " + TOKEN).value())
                .isEqualTo("mtls:CN=kube-apiserver,O=prod+token:prod-apiserver");
        assertStatus(() -> auth.authenticate(apiserver, null), 401);
        assertStatus(() -> auth.authenticate(null, "Bearer " + TOKEN), 401);
    }

    @Test
    void shouldBindACertificateByItsCommonNameAndATokenByItsNameWhenClusterBindingsAreSet() throws Exception {
        ClusterBindings bindings = ClusterBindings.parse(List.of("kube-apiserver=prod", "prod-apiserver=prod|prod-dr"));
        ClientAuthenticator certs = new ClientAuthenticator(AuthMode.MTLS, List.of(), null, bindings);
        ClientAuthenticator either = new ClientAuthenticator(AuthMode.MTLS_OR_TOKEN, List.of("kube-apiserver"), tokens, bindings);

        ClientIdentity cert = certs.authenticate(apiserver, null);
        certs.authorize(cert, "prod");
        assertStatus(() -> certs.authorize(cert, "prod-dr"), 403);
        assertStatus(() -> certs.authorize(certs.authenticate(stranger, null), "prod"), 403);
        ClientIdentity token = either.authenticate(null, "Bearer " + TOKEN);
        either.authorize(token, "prod-dr");
        assertThatThrownBy(() -> either.authorize(token, "staging")).isInstanceOf(AuthenticationException.class)
                .hasMessage("client token:prod-apiserver may not post audit events for cluster 'staging'"
                        + " (auth.cluster-bindings)");
    }

    private static void assertStatus(ThrowingCall call, int status) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(AuthenticationException.class,
                e -> assertThat(e.status()).isEqualTo(status));
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    private static X509Certificate certificate(String dn) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        X500Principal name = new X500Principal(dn);
        long now = System.currentTimeMillis();
        var holder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, new Date(now - 60_000), new Date(now + 3_600_000),
                name, kp.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }
}
