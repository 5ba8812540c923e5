package io.auditkeeper.archiver.index.connection;

import io.auditkeeper.archiver.index.OpenSearchIndexer;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.HttpsForwardingProxy;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.opensearch.ConnectionErrors;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The archiver's OpenSearch client against a secured cluster: an HTTPS front (a test CA's certificate) of the local
 * stack's node that demands basic credentials or a client certificate. The right settings index; a wrong CA, missing
 * credentials or a missing client certificate fail with an error that says which setting to look at.
 */
@ExtendWith(LocalStackExtension.class)
class OpenSearchTlsIT {
    private static final String USER = "archiver";
    private static final String PASSWORD = "s3cret-pw";

    @TempDir
    static Path dir;
    private static DevPki pki;
    private static DevPki foreign;

    @BeforeAll
    static void pki() {
        pki = DevPki.create(dir.resolve("pki"));
        foreign = DevPki.createUntrusted(dir.resolve("foreign"));
    }

    @Test
    void shouldIndexOverTlsWithBasicAuthWhenCaAndCredentialsAreRight(LocalStack stack) throws Exception {
        try (HttpsForwardingProxy proxy = new HttpsForwardingProxy(URI.create(stack.openSearchUrl()),
                pki.serverSslContext(), false, USER, PASSWORD)) {
            OpenSearchConnection connection = OpenSearchConnection.of(proxy.url()).withCaFile(pki.caCert())
                    .withBasicAuth(USER, PASSWORD);

            String prefix = indexTwoDocuments(OpenSearchClientFactory.create(connection));

            assertThat(count(stack, prefix)).isEqualTo(2);
        }
    }

    @Test
    void shouldFailNamingTheCaWhenTheServerCertificateIsFromAnotherCa(LocalStack stack) throws Exception {
        try (HttpsForwardingProxy proxy = new HttpsForwardingProxy(URI.create(stack.openSearchUrl()),
                pki.serverSslContext(), false, USER, PASSWORD)) {
            OpenSearchConnection connection = OpenSearchConnection.of(proxy.url()).withCaFile(foreign.caCert())
                    .withBasicAuth(USER, PASSWORD);

            assertThatThrownBy(() -> indexTwoDocuments(OpenSearchClientFactory.create(connection)))
                    .isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(ConnectionErrors.describe(e))
                            .contains("certificate is not trusted").contains("opensearch.tls.ca-file"));
        }
    }

    @Test
    void shouldFailWith401NamingTheCredentialsWhenNoneAreGiven(LocalStack stack) throws Exception {
        try (HttpsForwardingProxy proxy = new HttpsForwardingProxy(URI.create(stack.openSearchUrl()),
                pki.serverSslContext(), false, USER, PASSWORD)) {
            OpenSearchConnection anonymous = OpenSearchConnection.of(proxy.url()).withCaFile(pki.caCert());
            OpenSearchConnection wrongPassword = anonymous.withBasicAuth(USER, "wrong");

            for (OpenSearchConnection connection : List.of(anonymous, wrongPassword)) {
                assertThatThrownBy(() -> indexTwoDocuments(OpenSearchClientFactory.create(connection)))
                        .isInstanceOf(IOException.class)
                        .satisfies(e -> assertThat(ConnectionErrors.describe(e))
                                .contains("refused the credentials (401)").contains("opensearch.username")
                                .doesNotContain(PASSWORD).doesNotContain("wrong"));
            }
        }
    }

    @Test
    void shouldIndexWithAClientCertificateWhenTheServerRequiresOne(LocalStack stack) throws Exception {
        try (HttpsForwardingProxy proxy = new HttpsForwardingProxy(URI.create(stack.openSearchUrl()),
                pki.serverSslContext(), true, null, null)) {
            OpenSearchConnection connection = OpenSearchConnection.of(proxy.url()).withCaFile(pki.caCert())
                    .withClientCertificate(pki.clientCert(), pki.clientKey());

            String prefix = indexTwoDocuments(OpenSearchClientFactory.create(connection));

            assertThat(count(stack, prefix)).isEqualTo(2);
        }
    }

    @Test
    void shouldFailTheHandshakeWhenTheServerRequiresAClientCertificateAndNoneOrAForeignOneIsGiven(LocalStack stack)
            throws Exception {
        try (HttpsForwardingProxy proxy = new HttpsForwardingProxy(URI.create(stack.openSearchUrl()),
                pki.serverSslContext(), true, null, null)) {
            OpenSearchConnection none = OpenSearchConnection.of(proxy.url()).withCaFile(pki.caCert());
            OpenSearchConnection impostor = none.withClientCertificate(foreign.clientCert(), foreign.clientKey());

            for (OpenSearchConnection connection : List.of(none, impostor)) {
                assertThatThrownBy(() -> indexTwoDocuments(OpenSearchClientFactory.create(connection)))
                        .isInstanceOf(IOException.class)
                        .satisfies(e -> assertThat(ConnectionErrors.describe(e)).startsWith("TLS")
                                .contains("client certificate").contains("opensearch.tls.cert-file"));
            }
        }
    }

    /** Puts the template and two documents under a fresh prefix (no retries: a refusal must surface at once). */
    private static String indexTwoDocuments(OpenSearchClient client) throws IOException {
        String prefix = "ak-tls-" + UUID.randomUUID().toString().substring(0, 8);
        OpenSearchIndexer indexer = new OpenSearchIndexer(client, OpenSearchIndexer.Settings.defaults()
                .withIndexPrefix(prefix).withReplicas(0).withRetries(0, Duration.ZERO));
        indexer.ensureTemplate();
        OpenSearchIndexer.BulkResult result = indexer.index(List.of(doc("a"), doc("b")));
        assertThat(result.indexed()).isEqualTo(2);
        return prefix;
    }

    private static OpenSearchIndexer.Doc doc(String auditID) {
        return new OpenSearchIndexer.Doc(("{\"cluster\":\"tls\",\"auditID\":\"" + auditID + "\",\"stage\":"
                + "\"ResponseComplete\",\"timestamp\":\"2026-11-27T10:00:00Z\"}").getBytes(StandardCharsets.UTF_8));
    }

    /** Counted directly on the node, not through the proxy. */
    private static long count(LocalStack stack, String prefix) throws IOException {
        OpenSearchClient direct = OpenSearchClientFactory.create(OpenSearchConnection.of(URI.create(stack.openSearchUrl())));
        try (Response r = direct.generic().execute(Requests.builder().method("POST").endpoint("/" + prefix + "/_refresh").build())) {
            assertThat(r.getStatus()).isEqualTo(200);
        }
        try (Response r = direct.generic().execute(Requests.builder().method("GET").endpoint("/" + prefix + "/_count").build())) {
            String body = r.getBody().map(Body::bodyAsString).orElseThrow();
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("count").asLong();
        }
    }
}
