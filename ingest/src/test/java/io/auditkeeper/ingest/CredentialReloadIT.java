package io.auditkeeper.ingest;

import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import static io.auditkeeper.ingest.AuditWebhookIT.oneEvent;
import static io.auditkeeper.ingest.IngestHarness.post;
import static io.auditkeeper.ingest.IngestHarness.uri;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials rotated under a running ingest, as cert-manager and a Secret volume do it: a renewed server certificate
 * is served to new connections and a changed token file is honoured, without a restart; a change that does not hold
 * together (a key that is not the certificate's) is refused and the current credentials stay.
 */
@ExtendWith(LocalStackExtension.class)
class CredentialReloadIT {
    private static final String OLD_TOKEN = "old-apiserver-token-0123456789";
    private static final String NEW_TOKEN = "new-apiserver-token-9876543210";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void shouldServeRenewedCredentialsWithoutARestartAndKeepTheCurrentOnesWhenAChangeDoesNotHoldTogether(LocalStack stack)
            throws Exception {
        Path dir = IngestHarness.target("pki-reload-" + UUID.randomUUID().toString().substring(0, 8));
        DevPki pki = DevPki.create(dir);
        Path live = Files.createDirectories(dir.resolve("live"));
        Path cert = copy(pki.serverCert(), live.resolve("tls.crt"));
        Path key = copy(pki.serverKey(), live.resolve("tls.key"));
        Path tokens = Files.writeString(live.resolve("tokens.csv"), OLD_TOKEN + ",apiserver\n");
        Map<String, Object> s = IngestHarness.settings(pki, stack.kafkaBootstrap());
        s.put("tls.cert-file", cert.toString());
        s.put("tls.key-file", key.toString());
        s.put("auth.mode", "mtls-or-token");
        s.put("auth.token-file", tokens.toString());
        s.put("credentials.reload-interval-ms", "100");

        try (IngestService ingest = IngestHarness.start(s)) {
            assertThat(served(pki, ingest)).isEqualTo(serial(pki.serverCert()));

            Path renewed = pki.issueServer("renewed");
            copy(renewed, cert);
            copy(renewed.resolveSibling("renewed.key"), key);
            BigInteger renewedSerial = serial(renewed);
            await("the renewed certificate served", () -> served(pki, ingest).equals(renewedSerial));

            Files.writeString(tokens, NEW_TOKEN + ",apiserver\n");
            await("the new token accepted", () -> postWithToken(pki, ingest, NEW_TOKEN) == 200);
            assertThat(postWithToken(pki, ingest, OLD_TOKEN)).as("the old token, removed from the file").isEqualTo(401);

            double refusedBefore = refused(ingest);
            copy(pki.clientKey(), key);
            await("the mismatched key refused", () -> refused(ingest) > refusedBefore);
            assertThat(served(pki, ingest)).as("the current certificate stays").isEqualTo(renewedSerial);
            assertThat(postWithToken(pki, ingest, NEW_TOKEN)).isEqualTo(200);
            assertThat(ingest.registry().scrape()).contains("auditkeeper_ingest_tls_certificate_expiry_timestamp_seconds"
                    + "{certificate=\"server\"} " + (double) DevPki.readCertificate(renewed).getNotAfter().toInstant()
                    .getEpochSecond());
        }
    }

    /** The serial of the certificate a new connection is served (a new client context: no session resumed). */
    private static BigInteger served(DevPki pki, IngestService ingest) throws Exception {
        HttpResponse<String> r = post(IngestHarness.client(pki.clientSslContext(pki.clientCert(), pki.clientKey())),
                uri(ingest, "reload"), oneEvent("reload-" + UUID.randomUUID(), "ResponseComplete"));
        assertThat(r.statusCode()).isEqualTo(200);
        return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }

    private static int postWithToken(DevPki pki, IngestService ingest, String token) throws Exception {
        return post(IngestHarness.client(pki.trustOnlySslContext()), uri(ingest, "reload"),
                oneEvent("reload-" + UUID.randomUUID(), "ResponseComplete"), Map.of("Authorization", "Bearer " + token))
                .statusCode();
    }

    private static double refused(IngestService ingest) {
        return ingest.registry().find("auditkeeper.ingest.credentials.reloads").tag("result", "refused").counter().count();
    }

    private static BigInteger serial(Path pem) {
        return DevPki.readCertificate(pem).getSerialNumber();
    }

    /** Replaces {@code to} the way a Secret volume does: the new content appears at once, never half written. */
    private static Path copy(Path from, Path to) throws Exception {
        Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
        Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + PATIENCE);
            }
            Thread.sleep(100);
        }
    }
}
