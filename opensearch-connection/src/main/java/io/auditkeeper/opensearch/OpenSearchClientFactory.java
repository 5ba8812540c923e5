package io.auditkeeper.opensearch;

import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.aws.AwsSdk2Transport;
import org.opensearch.client.transport.aws.AwsSdk2TransportOptions;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Builds an {@link OpenSearchClient} from an {@link OpenSearchConnection}: so TLS (a CA bundle, TLS 1.2+ only, hostname
 * verification), basic auth, client certificates and AWS SigV4 are set up in one place, the same for the archiver's
 * indexer and retention and for the auditors' {@code report}.
 *
 * <p>Basic and anonymous access go through the Apache HttpClient 5 transport; basic credentials are sent
 * preemptively (one round trip, not a 401 challenge per request), which is why a warning is logged when they would
 * travel over plain http. SigV4 goes through {@link AwsSdk2Transport} over the SDK's Apache 5 client, signing with
 * the default credentials provider chain (IRSA, EKS Pod Identity, instance profile, environment); that transport only
 * speaks https to a host without a path.
 */
public final class OpenSearchClientFactory {
    private static final Logger LOG = LoggerFactory.getLogger(OpenSearchClientFactory.class);

    private OpenSearchClientFactory() {
    }

    public static OpenSearchClient create(OpenSearchConnection connection) {
        return create(connection, OpenSearchTimeouts.DEFAULTS);
    }

    public static OpenSearchClient create(OpenSearchConnection connection, OpenSearchTimeouts timeouts) {
        return create(connection, timeouts, null);
    }

    /** With {@code credentials} null, SigV4 uses the AWS default credentials provider chain. */
    public static OpenSearchClient create(OpenSearchConnection connection, AwsCredentialsProvider credentials) {
        return create(connection, OpenSearchTimeouts.DEFAULTS, credentials);
    }

    /** With {@code credentials} null, SigV4 uses the AWS default credentials provider chain. */
    public static OpenSearchClient create(OpenSearchConnection connection, OpenSearchTimeouts timeouts,
                                          AwsCredentialsProvider credentials) {
        SSLContext tls = connection.https() ? sslContext(connection) : null;
        if (!connection.verifyHostname()) {
            LOG.atError().addKeyValue("opensearch_url", connection.url().toString())
                    .log("OpenSearch hostname verification is OFF (opensearch.tls.verify-hostname=false): any server "
                            + "holding a certificate from the trusted CAs can impersonate OpenSearch");
        }
        LOG.atInfo().addKeyValue("opensearch_url", connection.url().toString())
                .addKeyValue("auth", connection.auth().name().toLowerCase(java.util.Locale.ROOT))
                .addKeyValue("basic_auth_user", connection.username())
                .addKeyValue("ca_file", String.valueOf(connection.caFile()))
                .addKeyValue("client_certificate", String.valueOf(connection.certFile()))
                .addKeyValue("connect_timeout_ms", timeouts.connect().toMillis())
                .addKeyValue("socket_timeout_ms", timeouts.socket().toMillis())
                .log("OpenSearch client configured");
        return connection.auth() == OpenSearchConnection.Auth.SIGV4
                ? sigV4(connection, tls, timeouts, credentials)
                : httpClient5(connection, tls, timeouts);
    }

    private static OpenSearchClient httpClient5(OpenSearchConnection c, SSLContext tls, OpenSearchTimeouts t) {
        HttpHost host = new HttpHost(c.https() ? "https" : "http", c.url().getHost(), c.port());
        ApacheHttpClient5TransportBuilder builder = ApacheHttpClient5TransportBuilder.builder(host);
        c.pathPrefix().ifPresent(builder::setPathPrefix);
        Timeout connect = Timeout.of(t.connect());
        Timeout socket = Timeout.of(t.socket());
        builder.setConnectionConfigCallback(b -> b.setConnectTimeout(connect).setSocketTimeout(socket));
        builder.setRequestConfigCallback(b -> b.setResponseTimeout(socket));
        if (c.username() != null) {
            if (!c.https()) {
                LOG.atWarn().addKeyValue("opensearch_url", c.url().toString())
                        .log("OpenSearch basic-auth credentials are sent over plain http");
            }
            String token = Base64.getEncoder().encodeToString(
                    (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
            builder.setDefaultHeaders(new org.apache.hc.core5.http.Header[]{
                    new BasicHeader(HttpHeaders.AUTHORIZATION, "Basic " + token, true)});
        }
        if (tls != null) {
            var strategy = ClientTlsStrategyBuilder.create().setSslContext(tls).setTlsVersions(TlsContexts.PROTOCOLS)
                    .setHostVerificationPolicy(hostnamePolicy(c)).setHostnameVerifier(hostnameVerifier(c))
                    .buildAsync();
            // this connection manager replaces the transport's, and with it the connection config set above
            builder.setHttpClientConfigCallback(b -> b.setConnectionManager(
                    PoolingAsyncClientConnectionManagerBuilder.create().setTlsStrategy(strategy)
                            .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(connect)
                                    .setSocketTimeout(socket).build())
                            .build()));
        }
        return new OpenSearchClient(builder.build());
    }

    private static OpenSearchClient sigV4(OpenSearchConnection c, SSLContext tls, OpenSearchTimeouts t,
                                          AwsCredentialsProvider credentials) {
        SdkHttpClient http = Apache5HttpClient.builder()
                .connectionTimeout(t.connect())
                .socketTimeout(t.socket())
                .tlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls)
                        .setTlsVersions(TlsContexts.PROTOCOLS).setHostVerificationPolicy(hostnamePolicy(c))
                        .setHostnameVerifier(hostnameVerifier(c)).buildClassic())
                .build();
        String host = c.url().getPort() == -1 ? c.url().getHost() : c.url().getHost() + ":" + c.url().getPort();
        AwsSdk2TransportOptions options = AwsSdk2TransportOptions.builder()
                .setCredentials(credentials != null ? credentials : DefaultCredentialsProvider.builder().build())
                .build();
        return new OpenSearchClient(new AwsSdk2Transport(http, host, c.awsService(), Region.of(c.awsRegion()), options));
    }

    private static HostnameVerificationPolicy hostnamePolicy(OpenSearchConnection c) {
        // CLIENT: only the verifier below decides, so that turning it off really turns it off
        return c.verifyHostname() ? HostnameVerificationPolicy.BOTH : HostnameVerificationPolicy.CLIENT;
    }

    private static javax.net.ssl.HostnameVerifier hostnameVerifier(OpenSearchConnection c) {
        return c.verifyHostname() ? null : NoopHostnameVerifier.INSTANCE;
    }

    private static SSLContext sslContext(OpenSearchConnection c) {
        try {
            return TlsContexts.create(c.caFile(), c.certFile(), c.keyFile());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS to OpenSearch from " + List.of(
                    String.valueOf(c.caFile()), String.valueOf(c.certFile()), String.valueOf(c.keyFile()))
                    + ": " + e.getMessage(), e);
        }
    }
}
