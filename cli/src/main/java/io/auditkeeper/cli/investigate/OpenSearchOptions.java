package io.auditkeeper.cli.investigate;

import io.auditkeeper.opensearch.OpenSearchConnection;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How to reach OpenSearch, with the archiver's own environment variables as defaults
 * ({@code AUDITKEEPER_ARCHIVER_OPENSEARCH_*}), so that a command run next to the archiver needs no options and the
 * same connection settings (TLS trust, basic auth, client certificate, SigV4) apply. The password is never an option
 * (it would show in {@code ps} and shell history): it comes from a file or the environment.
 */
public final class OpenSearchOptions {
    @Option(names = "--opensearch", paramLabel = "<url>",
            defaultValue = "${env:AUDITKEEPER_ARCHIVER_OPENSEARCH_URL}",
            description = "OpenSearch URL, e.g. https://search.example:9200 (env AUDITKEEPER_ARCHIVER_OPENSEARCH_URL).")
    String url;

    @Option(names = "--opensearch-user", paramLabel = "<user>",
            defaultValue = "${env:AUDITKEEPER_ARCHIVER_OPENSEARCH_USERNAME}",
            description = "Basic-auth user (env AUDITKEEPER_ARCHIVER_OPENSEARCH_USERNAME); its password comes from"
                    + " --opensearch-password-file or AUDITKEEPER_ARCHIVER_OPENSEARCH_PASSWORD.")
    String user;

    @Option(names = "--opensearch-password-file", paramLabel = "<file>",
            defaultValue = "${env:AUDITKEEPER_ARCHIVER_OPENSEARCH_PASSWORD_FILE}",
            description = "File holding the basic-auth password; a trailing line break is ignored"
                    + " (env AUDITKEEPER_ARCHIVER_OPENSEARCH_PASSWORD_FILE).")
    Path passwordFile;

    @Option(names = "--opensearch-ca", paramLabel = "<pem>",
            defaultValue = "${env:AUDITKEEPER_ARCHIVER_OPENSEARCH_TLS_CA_FILE}",
            description = "PEM CA bundle that signed OpenSearch's certificate; unset: the JVM's trust store"
                    + " (env AUDITKEEPER_ARCHIVER_OPENSEARCH_TLS_CA_FILE).")
    Path caFile;

    @Option(names = "--opensearch-cert", paramLabel = "<pem>",
            defaultValue = "${env:AUDITKEEPER_ARCHIVER_OPENSEARCH_TLS_CERT_FILE}",
            description = "PEM client certificate, with --opensearch-key (env AUDITKEEPER_ARCHIVER_OPENSEARCH_TLS_CERT_FILE).")
    Path certFile;

    @Option(names = "--opensearch-key", paramLabel = "<pem>",
            defaultValue = "${env:AUDITKEEPER_ARCHIVER_OPENSEARCH_TLS_KEY_FILE}",
            description = "PEM private key of --opensearch-cert (env AUDITKEEPER_ARCHIVER_OPENSEARCH_TLS_KEY_FILE).")
    Path keyFile;

    @Option(names = "--opensearch-auth", paramLabel = "basic|sigv4",
            defaultValue = "${env:AUDITKEEPER_ARCHIVER_OPENSEARCH_AUTH:-basic}",
            description = "basic (credentials if given, else none) or sigv4 for Amazon OpenSearch Service with the AWS"
                    + " default credentials (env AUDITKEEPER_ARCHIVER_OPENSEARCH_AUTH; default ${DEFAULT-VALUE}).")
    String auth;

    @Option(names = "--opensearch-aws-region", paramLabel = "<region>",
            defaultValue = "${env:AUDITKEEPER_ARCHIVER_OPENSEARCH_AWS_REGION}",
            description = "Signing region for sigv4 (env AUDITKEEPER_ARCHIVER_OPENSEARCH_AWS_REGION).")
    String awsRegion;

    @Option(names = "--opensearch-aws-service", paramLabel = "es|aoss",
            defaultValue = "${env:AUDITKEEPER_ARCHIVER_OPENSEARCH_AWS_SERVICE:-es}",
            description = "Signing service for sigv4: es (managed domains) or aoss (Serverless)"
                    + " (env AUDITKEEPER_ARCHIVER_OPENSEARCH_AWS_SERVICE; default ${DEFAULT-VALUE}).")
    String awsService;

    /** The connection these options describe; an {@link IllegalArgumentException} names the option that is wrong. */
    public OpenSearchConnection connection() {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("no OpenSearch: give --opensearch or set AUDITKEEPER_ARCHIVER_OPENSEARCH_URL");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--opensearch is not a URL: " + e.getReason());
        }
        OpenSearchConnection.Auth mode;
        try {
            mode = OpenSearchConnection.Auth.of(auth);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--opensearch-auth must be basic or sigv4, not " + auth);
        }
        String password = password();
        if (password != null && (user == null || user.isBlank())) {
            throw new IllegalArgumentException("a password is set but no --opensearch-user");
        }
        if (user != null && !user.isBlank() && password == null) {
            throw new IllegalArgumentException("--opensearch-user needs --opensearch-password-file or"
                    + " AUDITKEEPER_ARCHIVER_OPENSEARCH_PASSWORD");
        }
        for (Path p : new Path[]{caFile, certFile, keyFile}) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("cannot read " + p);
            }
        }
        try {
            OpenSearchConnection c = OpenSearchConnection.of(uri).withCaFile(caFile)
                    .withClientCertificate(certFile, keyFile);
            if (password != null) {
                c = c.withBasicAuth(user, password);
            }
            return mode == OpenSearchConnection.Auth.SIGV4 ? c.withSigV4(awsRegion, awsService) : c;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("OpenSearch options: " + e.getMessage());
        }
    }

    private String password() {
        if (passwordFile != null) {
            try {
                return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("--opensearch-password-file " + passwordFile + " cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        String env = System.getenv("AUDITKEEPER_ARCHIVER_OPENSEARCH_PASSWORD");
        return env == null || env.isEmpty() ? null : env;
    }
}
