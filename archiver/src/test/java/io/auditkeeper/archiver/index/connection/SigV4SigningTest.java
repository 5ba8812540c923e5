package io.auditkeeper.archiver.index.connection;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.auditkeeper.archiver.index.OpenSearchIndexer;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code opensearch.auth=sigv4} the requests that leave the archiver carry an AWS Signature V4 for the configured
 * region and service. A local HTTPS server captures what the real transport (AwsSdk2Transport over the SDK's Apache 5
 * client, the SDK's signer) sends, and the test recomputes the signature from the captured request with the
 * algorithm as AWS documents it, so a signature over the wrong scope, headers or body would not pass.
 */
class SigV4SigningTest {
    private static final String ACCESS_KEY = "AKIDEXAMPLE";
    private static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})");

    record Captured(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {
    }

    @TempDir
    Path dir;
    private HttpsServer server;
    private final List<Captured> captured = new CopyOnWriteArrayList<>();
    private DevPki pki;

    @BeforeEach
    void start() throws Exception {
        pki = DevPki.create(dir);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(pki.serverSslContext()));
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
            captured.add(new Captured(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), headers, body));
            byte[] reply = "{\"acknowledged\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"es", "aoss"})
    void shouldSignEveryRequestForTheConfiguredRegionAndServiceWhenAuthIsSigV4(String service) throws Exception {
        OpenSearchConnection connection = OpenSearchConnection
                .of(URI.create("https://127.0.0.1:" + server.getAddress().getPort()))
                .withCaFile(pki.caCert()).withSigV4("eu-central-1", service);
        var client = OpenSearchClientFactory.create(connection,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));

        new OpenSearchIndexer(client, OpenSearchIndexer.Settings.defaults().withIndexPrefix("ak-sig")).ensureTemplate();

        assertThat(captured).hasSize(1);
        Captured request = captured.get(0);
        assertThat(request.method()).isEqualTo("PUT");
        assertThat(request.path()).isEqualTo("/_index_template/ak-sig");
        String authorization = request.headers().get("authorization").get(0);
        Matcher m = AUTHORIZATION.matcher(authorization);
        assertThat(m.matches()).as(authorization).isTrue();
        assertThat(m.group(1)).isEqualTo(ACCESS_KEY);
        assertThat(m.group(3)).isEqualTo("eu-central-1");
        assertThat(m.group(4)).isEqualTo(service);
        List<String> signedHeaders = List.of(m.group(5).split(";"));
        assertThat(signedHeaders).contains("host", "x-amz-date");
        String amzDate = request.headers().get("x-amz-date").get(0);
        assertThat(amzDate).startsWith(m.group(2));
        assertThat(m.group(6)).isEqualTo(expectedSignature(request, signedHeaders, amzDate, "eu-central-1", service));
    }

    /** SigV4 as AWS documents it: canonical request, string to sign, derived key, HMAC. */
    private static String expectedSignature(Captured r, List<String> signedHeaders, String amzDate, String region,
                                            String service) throws Exception {
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signedHeaders) {
            List<String> values = new ArrayList<>();
            for (String v : r.headers().get(name)) {
                values.add(v.trim().replaceAll(" +", " "));
            }
            canonicalHeaders.append(name).append(':').append(String.join(",", values)).append('\n');
        }
        String canonicalRequest = r.method() + "\n" + r.path() + "\n" + (r.rawQuery() == null ? "" : r.rawQuery())
                + "\n" + canonicalHeaders + "\n" + String.join(";", signedHeaders) + "\n" + hex(sha256(r.body()));
        String scope = amzDate.substring(0, 8) + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + SECRET_KEY).getBytes(StandardCharsets.UTF_8), amzDate.substring(0, 8));
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        return hex(hmac(key, stringToSign));
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
