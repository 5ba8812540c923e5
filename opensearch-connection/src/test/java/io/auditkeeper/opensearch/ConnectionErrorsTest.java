package io.auditkeeper.opensearch;

import io.auditkeeper.opensearch.HttpStatusException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.security.cert.CertPathValidatorException;
import javax.net.ssl.SSLHandshakeException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forms a refusal takes on the wire, including the ones a race decides (TLS 1.3 refusing a client certificate
 * while the request is being written), which {@code OpenSearchTlsIT} cannot produce on demand.
 */
class ConnectionErrorsTest {

    @Test
    void shouldNameTheClientCertificateWhenTheServerSentABadCertificateAlert() {
        String described = ConnectionErrors.describe(new IOException(
                new SSLHandshakeException("Received fatal alert: bad_certificate")));

        assertThat(described).startsWith("TLS").contains("client certificate").contains("opensearch.tls.cert-file");
    }

    @Test
    void shouldNameTheClientCertificateWhenTls13RefusalArrivesAsABareBrokenPipe() {
        assertThat(ConnectionErrors.describe(new IOException("Broken pipe")))
                .startsWith("TLS").contains("client certificate").contains("opensearch.tls.cert-file")
                .contains("Broken pipe");
        assertThat(ConnectionErrors.describe(new IOException("wrapped", new SocketException("Connection reset"))))
                .contains("client certificate").contains("Connection reset");
    }

    @Test
    void shouldNameTheCaFileWhenTheServerCertificateIsNotTrusted() {
        String described = ConnectionErrors.describe(new SSLHandshakeException("PKIX path validation failed")
                .initCause(new CertPathValidatorException("signature check failed")));

        assertThat(described).contains("not trusted").contains("opensearch.tls.ca-file");
    }

    @Test
    void shouldNameTheUrlWhenNothingListens() {
        assertThat(ConnectionErrors.describe(new ConnectException("Connection refused"))).contains("opensearch.url");
    }

    @Test
    void shouldNameTheCredentialsOn401AndThePermissionsOn403() {
        assertThat(ConnectionErrors.describe(new HttpStatusException(401, "Unauthorized", null)))
                .contains("opensearch.username");
        assertThat(ConnectionErrors.describe(new HttpStatusException(403, "Forbidden", null)))
                .contains("permissions");
    }

    @Test
    void shouldFallBackToTheErrorItselfWhenItIsNoneOfThese() {
        assertThat(ConnectionErrors.describe(new IOException("Read timed out")))
                .isEqualTo("java.io.IOException: Read timed out");
    }
}
