package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.HttpsForwardingProxy;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.opensearch.client.opensearch.OpenSearchClient;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.auditkeeper.cli.investigate.ReportFixture.ALICE;
import static io.auditkeeper.cli.investigate.ReportFixture.EVIL;
import static io.auditkeeper.cli.investigate.ReportFixture.RBAC;
import static io.auditkeeper.cli.investigate.ReportFixture.csv;
import static io.auditkeeper.cli.investigate.ReportFixture.index;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code auditkeeper report} on the local stack: a handful of events indexed with the real templates and archived by
 * the real archiver to Ceph, one alert; the report names the actors and rules, escapes what it shows, says the archive
 * verifies, and each CSV holds exactly the expected rows.
 */
@ExtendWith(LocalStackExtension.class)
class ReportCommandIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldWriteTheHtmlAndCsvOfThePeriodWithTheArchiveVerifiedWhenEventsAreIndexedAndArchived(LocalStack stack)
            throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        List<ObjectNode> events = ReportFixture.events(id);
        String eventsAlias = "akrep-" + id;
        String alertsIndex = "akrepa-" + id;

        index(stack, events, eventsAlias, alertsIndex, id);
        List<TestArchive.Event> records = ReportFixture.records(events);
        // a body refused in the period, and one the day after
        List<TestArchive.Event> deadLetters = List.of(
                new TestArchive.Event(0, Instant.parse("2026-03-01T10:30:00Z"), "{\"kind\":\"EventList\",\"items\":["),
                new TestArchive.Event(0, Instant.parse("2026-03-02T09:00:00Z"), "not json"));
        TestArchive archived = TestArchive.write(stack, dir, "report", 1, records, 100, true, deadLetters);
        String topic = archived.topic();

        Path out = dir.resolve("out");
        List<String> common = List.of(archived.args(List.of("report", "--from", "2026-03-01", "--to", "2026-03-01",
                "--events-index", eventsAlias, "--alerts-index", alertsIndex), "--public-key",
                archived.publicKey().toString(), "--dead-letter-topic", archived.deadLetterTopic()));
        List<String> args = List.of(with(common, "--opensearch", stack.openSearchUrl(), "--out", out.toString()));
        CliRun run = CliRun.of(args.toArray(String[]::new));

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains(out.resolve("report.html").toAbsolutePath().toString())
                .contains(out.resolve("phi-access.csv").toAbsolutePath().toString())
                .contains("archive verification: OK");
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains(ALICE).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script")
                .contains("secret-read", "pod-exec", "access-denied", "rbac-change")
                .contains("<span class=\"ok\">OK</span>").contains("<svg").contains("<style>")
                .as("how to get a proof of a flagged request").contains("auditkeeper prove --audit-id &lt;auditID&gt;");
        assertThat(html).doesNotContainPattern("(?i)<(link|img|script)[\\s>]");

        String ts = "2026-03-01T10:";
        assertThat(csv(out, "phi-access-by-actor")).containsExactly(
                "actor,namespace,rule,requests",
                EVIL + ",phi-records,access-denied,1",
                EVIL + ",phi-records,pod-exec,1",
                EVIL + ",phi-records,secret-read,1",
                ALICE + ",phi-records,rbac-change,1",
                ALICE + ",phi-records,secret-read,1");
        assertThat(csv(out, "phi-access")).containsExactly(
                "timestamp,actor,namespace,verb,resource,name,rules,severity,responseCode,decision,cluster,auditID",
                ts + "00:00.000000Z," + ALICE + ",phi-records,get,secrets,db-password,secret-read,high,200,allow,test,"
                        + id + "-s1",
                ts + "05:00.000000Z," + EVIL + ",phi-records,create,pods/exec,web-0,pod-exec,high,101,allow,test,"
                        + id + "-x1",
                ts + "10:00.000000Z," + EVIL + ",phi-records,get,secrets,db-password,secret-read access-denied,high,"
                        + "403,forbid,test," + id + "-d1",
                ts + "15:00.000000Z," + ALICE + ",phi-records,create,rolebindings,read-secrets,rbac-change,high,201,"
                        + "allow,test," + id + "-r1");
        assertThat(csv(out, "denied")).containsExactly(
                "timestamp,actor,namespace,verb,resource,name,requestURI,responseCode,decision,sourceIPs,cluster,auditID",
                ts + "10:00.000000Z," + EVIL + ",phi-records,get,secrets,db-password,"
                        + "/api/v1/namespaces/phi-records/secrets/db-password,403,forbid,10.0.0.7,test," + id + "-d1");
        assertThat(csv(out, "changes")).containsExactly(
                "timestamp,actor,namespace,verb,resource,name,responseCode,decision,cluster,auditID",
                ts + "15:00.000000Z," + ALICE + ",phi-records,create," + RBAC + "/rolebindings,read-secrets,201,allow,"
                        + "test," + id + "-r1");
        assertThat(csv(out, "alerts")).containsExactly(
                "windowStart,windowEnd,type,severity,actor,namespaces,count,threshold,description,cluster,alertId",
                ts + "10:00.000000Z," + ts + "11:00.000000Z,denied-burst,high," + EVIL + ",phi-records,5,5,"
                        + "denied requests,test," + id + "-a1");
        List<String> archive = csv(out, "archive");
        assertThat(archive.get(0)).isEqualTo("topic,partition,objects,events,offsets,firstEventTime,lastEventTime,"
                + "retentionMode,earliestRetainUntil,status,problems,leftovers");
        assertThat(archive).hasSize(3);
        assertThat(archive.get(1)).startsWith(topic + ",0,").contains(",COMPLIANCE,").endsWith(",OK,,");
        assertThat(archive.get(2)).as("the dead-letter archive, verified with the events'")
                .startsWith(archived.deadLetterTopic() + ",0,").contains(",COMPLIANCE,").endsWith(",OK,,");
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("{\"kind\":\"EventList\",\"items\":[".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        JsonNode json = MAPPER.readTree(out.resolve("report.json").toFile());
        assertThat(run.out()).contains(out.resolve("report.json").toAbsolutePath().toString());
        assertThat(json.path("archiveVerification").path("ok").asBoolean()).isTrue();
        assertThat(json.path("archiveVerification").path("partitions")).hasSize(2);
        for (JsonNode section : json.path("sections")) {
            String file = section.path("file").asText();
            assertThat(section.path("rows")).as(file).hasSize(csv(out, file.replace(".csv", "")).size() - 1);
        }
        assertThat(json.path("sections").findValuesAsText("file")).contains("dead-letters.csv", "phi-access.csv");
        assertThat(csv(out, "dead-letters")).containsExactly(
                "time,source,reason,detail,cluster,client,partition,offset,valueBytes,valueSha256,valueKept",
                "2026-03-01T10:30:00Z,ingest,malformed-json,,test,,0,0,29," + sha + ",no");

        // paged: two rows a request, as many pages as it takes, and the row limit said when reached
        OpenSearchConnection plain = OpenSearchConnection.of(URI.create(stack.openSearchUrl()));
        OpenSearchClient client = OpenSearchClientFactory.create(plain);
        TimeWindow day = TimeWindow.parse("2026-03-01", "2026-03-01");
        ReportTable all = new EvidenceSearch(client, plain, eventsAlias, alertsIndex, day, List.of(), 10, 2).phiAccess();
        ReportTable three = new EvidenceSearch(client, plain, eventsAlias, alertsIndex, day, List.of(), 3, 2).phiAccess();
        ReportTable byActor = new EvidenceSearch(client, plain, eventsAlias, alertsIndex, day, List.of(), 4, 2)
                .phiAccessByActor();
        assertThat(all.rows()).hasSize(4);
        assertThat(all.truncated()).isFalse();
        assertThat(csv(out, "phi-access").subList(1, 5)).as("the same rows in the same order as one page")
                .containsExactlyElementsOf(all.rows().stream().map(r -> String.join(",", r)).toList());
        assertThat(three.rows()).isEqualTo(all.rows().subList(0, 3));
        assertThat(three.truncated()).isTrue();
        assertThat(byActor.rows()).extracting(r -> String.join(",", r))
                .isEqualTo(csv(out, "phi-access-by-actor").subList(1, 5));
        assertThat(byActor.truncated()).as("five rows, four allowed").isTrue();

        // the same report through a secured OpenSearch: HTTPS from a private CA and basic auth, password from a file
        DevPki pki = DevPki.create(dir.resolve("pki"));
        Path password = Files.writeString(dir.resolve("opensearch-password"), "s3cret-pw\n");
        Path wrong = Files.writeString(dir.resolve("wrong-password"), "guess");
        try (HttpsForwardingProxy secured = new HttpsForwardingProxy(URI.create(stack.openSearchUrl()),
                pki.serverSslContext(), false, "auditor", "s3cret-pw")) {
            String[] tls = {"--opensearch", secured.url().toString(), "--opensearch-ca", pki.caCert().toString(),
                    "--opensearch-user", "auditor"};
            CliRun viaTls = CliRun.of(with(common, concat(tls, "--opensearch-password-file", password.toString(),
                    "--out", dir.resolve("tls").toString())));
            CliRun badPassword = CliRun.of(with(common, concat(tls, "--opensearch-password-file", wrong.toString(),
                    "--out", dir.resolve("bad").toString())));
            CliRun noCa = CliRun.of(with(common, "--opensearch", secured.url().toString(), "--out",
                    dir.resolve("noca").toString()));

            assertThat(viaTls.code()).as(viaTls.out() + viaTls.err()).isZero();
            assertThat(csv(dir.resolve("tls"), "phi-access")).isEqualTo(csv(out, "phi-access"));
            assertThat(badPassword.code()).as(badPassword.out() + badPassword.err()).isEqualTo(3);
            assertThat(badPassword.err()).contains("refused the credentials (401)").doesNotContain("guess");
            assertThat(noCa.code()).as(noCa.out() + noCa.err()).isEqualTo(3);
            assertThat(noCa.err()).contains("certificate is not trusted");
            assertThat(dir.resolve("bad")).doesNotExist();
        }

        // one cluster: this one's requests, alerts and dead letters; another's: none of them
        CliRun test = CliRun.of(with(common, "--opensearch", stack.openSearchUrl(), "--cluster", "test", "--out",
                dir.resolve("cluster-test").toString()));
        CliRun elsewhere = CliRun.of(with(common, "--opensearch", stack.openSearchUrl(), "--cluster", "elsewhere", "--out",
                dir.resolve("cluster-elsewhere").toString()));
        CliRun invalid = CliRun.of(with(common, "--opensearch", stack.openSearchUrl(), "--cluster", "Not/A/Cluster",
                "--out", dir.resolve("cluster-invalid").toString()));
        assertThat(test.code()).as(test.out() + test.err()).isZero();
        assertThat(csv(dir.resolve("cluster-test"), "phi-access")).isEqualTo(csv(out, "phi-access"));
        assertThat(csv(dir.resolve("cluster-test"), "alerts")).isEqualTo(csv(out, "alerts"));
        assertThat(csv(dir.resolve("cluster-test"), "dead-letters")).isEqualTo(csv(out, "dead-letters"));
        assertThat(MAPPER.readTree(dir.resolve("cluster-test").resolve("report.json").toFile()).path("about")
                .path("Clusters").asText()).isEqualTo("test");
        assertThat(elsewhere.code()).as(elsewhere.out() + elsewhere.err()).isZero();
        for (String section : List.of("phi-access", "phi-access-by-actor", "denied", "changes", "alerts", "dead-letters")) {
            assertThat(csv(dir.resolve("cluster-elsewhere"), section)).as(section).hasSize(1);
        }
        assertThat(invalid.code()).isEqualTo(2);
        assertThat(invalid.err()).contains("--cluster 'Not/A/Cluster'");

        // a namespace with none of it: the cluster-wide alert filter keeps nothing, the tables are empty
        CliRun other = CliRun.of(withNamespace(args, dir.resolve("other")));
        assertThat(other.code()).as(other.out() + other.err()).isZero();
        assertThat(csv(dir.resolve("other"), "phi-access")).hasSize(1);
        assertThat(csv(dir.resolve("other"), "changes")).hasSize(1);
        assertThat(csv(dir.resolve("other"), "alerts")).hasSize(1);
    }

    @Test
    void shouldExitTwoForAMissingEventsIndexAndThreeWhenOpenSearchCannotBeReached(LocalStack stack) throws Exception {
        List<String> args = List.of("report", "--from", "2026-03-01", "--to", "2026-03-01", "--bucket", "unused",
                "--out", dir.resolve("out").toString(), "--opensearch");

        CliRun missing = CliRun.of(with(args, stack.openSearchUrl(), "--events-index", "no-such-" + UUID.randomUUID()));
        CliRun unreachable = CliRun.of(with(args, "http://127.0.0.1:1"));

        assertThat(missing.code()).as(missing.out() + missing.err()).isEqualTo(2);
        assertThat(missing.err()).contains("no index or alias no-such-");
        assertThat(unreachable.code()).as(unreachable.out() + unreachable.err()).isEqualTo(3);
        assertThat(unreachable.err()).contains("cannot connect to OpenSearch");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    private static String[] with(List<String> args, String... more) {
        List<String> a = new ArrayList<>(args);
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static String[] concat(String[] first, String... more) {
        List<String> a = new ArrayList<>(List.of(first));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static String[] withNamespace(List<String> args, Path out) {
        List<String> a = new ArrayList<>(args.subList(0, args.size() - 2));
        a.addAll(List.of("--namespace", "billing", "--out", out.toString()));
        return a.toArray(String[]::new);
    }
}
