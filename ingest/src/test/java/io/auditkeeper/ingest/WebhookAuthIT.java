package io.auditkeeper.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.AuditTopics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.auditkeeper.ingest.AuditWebhookIT.oneEvent;
import static io.auditkeeper.ingest.IngestHarness.header;
import static io.auditkeeper.ingest.IngestHarness.post;
import static io.auditkeeper.ingest.IngestHarness.readCluster;
import static io.auditkeeper.ingest.IngestHarness.uniqueCluster;
import static io.auditkeeper.ingest.IngestHarness.uri;
import static org.assertj.core.api.Assertions.assertThat;

/** The authentication modes other than plain mTLS: bearer tokens, a subject allow-list, and either proof. */
@ExtendWith(LocalStackExtension.class)
class WebhookAuthIT {
    private static final String TOKEN = "k8s-prod-apiserver-token-0123456789";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static String bootstrap;
    private static DevPki pki;
    private static IngestService tokenOnly;
    private static IngestService allowList;
    private static IngestService either;
    private static IngestService bound;
    private static String boundCluster;

    @BeforeAll
    static void start(LocalStack stack) throws Exception {
        bootstrap = stack.kafkaBootstrap();
        pki = DevPki.create(IngestHarness.target("pki-auth"));
        pki.issueClient("intruder", "CN=intruder,O=elsewhere");
        Path tokens = Files.writeString(IngestHarness.target("pki-auth").resolve("tokens.csv"),
                "# name is recorded as the client identity\n" + TOKEN + ",prod-apiserver\n");

        Map<String, Object> t = IngestHarness.settings(pki, bootstrap);
        t.put("auth.mode", "token");
        t.put("auth.token-file", tokens.toString());
        tokenOnly = IngestHarness.start(t);

        Map<String, Object> a = IngestHarness.settings(pki, bootstrap);
        a.put("auth.allowed-subjects", "kube-apiserver");
        allowList = IngestHarness.start(a);

        Map<String, Object> e = IngestHarness.settings(pki, bootstrap);
        e.put("auth.mode", "mtls-or-token");
        e.put("auth.token-file", tokens.toString());
        either = IngestHarness.start(e);

        boundCluster = uniqueCluster("bound");
        Map<String, Object> b = IngestHarness.settings(pki, bootstrap);
        b.put("auth.mode", "mtls-or-token");
        b.put("auth.token-file", tokens.toString());
        b.put("auth.cluster-bindings", "kube-apiserver=" + boundCluster + ",prod-apiserver=*");
        bound = IngestHarness.start(b);
    }

    @AfterAll
    static void stop() {
        tokenOnly.close();
        allowList.close();
        either.close();
        bound.close();
    }

    @Test
    void shouldAcceptTheRightTokenAndRecordItsNameNotItsValue() throws Exception {
        String cluster = uniqueCluster("token");
        HttpClient c = IngestHarness.client(pki.trustOnlySslContext());

        HttpResponse<String> r = post(c, uri(tokenOnly, cluster), oneEvent("tok-1", "ResponseComplete"),
                Map.of("Authorization", "Bearer " + TOKEN));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(readCluster(bootstrap, AuditTopics.RAW, cluster)).singleElement()
                .satisfies(rec -> assertThat(header(rec, AuditHeaders.CLIENT)).isEqualTo("token:prod-apiserver"));
    }

    @Test
    void shouldRefuseAMissingOrWrongTokenWith401() throws Exception {
        HttpClient c = IngestHarness.client(pki.trustOnlySslContext());

        HttpResponse<String> missing = post(c, uri(tokenOnly, "t"), oneEvent("tok-2", "ResponseComplete"));
        HttpResponse<String> wrong = post(c, uri(tokenOnly, "t"), oneEvent("tok-3", "ResponseComplete"),
                Map.of("Authorization", "Bearer " + TOKEN + "x"));

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(MAPPER.readTree(wrong.body()).get("message").asText()).isEqualTo("the bearer token is not valid");
    }

    @Test
    void shouldRefuseACertificateOutsideTheAllowListWith403() throws Exception {
        Path dir = IngestHarness.target("pki-auth");
        HttpClient intruder = IngestHarness.client(pki.clientSslContext(dir.resolve("intruder.crt"), dir.resolve("intruder.key")));
        HttpClient apiserver = IngestHarness.client(pki.clientSslContext(pki.clientCert(), pki.clientKey()));

        assertThat(post(intruder, uri(allowList, "a"), oneEvent("allow-1", "ResponseComplete")).statusCode()).isEqualTo(403);
        assertThat(post(apiserver, uri(allowList, "a"), oneEvent("allow-2", "ResponseComplete")).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAcceptEitherACertificateOrATokenInMtlsOrTokenMode() throws Exception {
        HttpClient withCert = IngestHarness.client(pki.clientSslContext(pki.clientCert(), pki.clientKey()));
        HttpClient withoutCert = IngestHarness.client(pki.trustOnlySslContext());

        assertThat(post(withCert, uri(either, "e"), oneEvent("e-1", "ResponseComplete")).statusCode()).isEqualTo(200);
        assertThat(post(withoutCert, uri(either, "e"), oneEvent("e-2", "ResponseComplete"),
                Map.of("Authorization", "Bearer " + TOKEN)).statusCode()).isEqualTo(200);
        assertThat(post(withoutCert, uri(either, "e"), oneEvent("e-3", "ResponseComplete")).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldRefuseWith403AndKeepNothingWhenAClientPostsForAClusterItIsNotBoundTo() throws Exception {
        HttpClient apiserver = IngestHarness.client(pki.clientSslContext(pki.clientCert(), pki.clientKey()));
        HttpClient withoutCert = IngestHarness.client(pki.trustOnlySslContext());
        String other = uniqueCluster("forged");

        HttpResponse<String> forged = post(apiserver, uri(bound, other), oneEvent("bind-1", "ResponseComplete"));
        HttpResponse<String> own = post(apiserver, uri(bound, boundCluster), oneEvent("bind-2", "ResponseComplete"));
        HttpResponse<String> anyCluster = post(withoutCert, uri(bound, other + "-relay"), oneEvent("bind-3", "ResponseComplete"),
                Map.of("Authorization", "Bearer " + TOKEN));

        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(MAPPER.readTree(forged.body()).get("error").asText()).isEqualTo("cluster-not-allowed");
        assertThat(MAPPER.readTree(forged.body()).get("message").asText()).contains(other).contains("auth.cluster-bindings");
        assertThat(own.statusCode()).isEqualTo(200);
        assertThat(anyCluster.statusCode()).as("a token bound to *").isEqualTo(200);
        assertThat(readCluster(bootstrap, AuditTopics.RAW, other)).as("nothing written in the forged cluster's name").isEmpty();
        assertThat(readCluster(bootstrap, AuditTopics.DEAD_LETTER, other)).isEmpty();
        assertThat(readCluster(bootstrap, AuditTopics.RAW, boundCluster)).hasSize(1);
    }
}
