package io.auditkeeper.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code auditkeeper demo --once} as a new user runs it: every corpus batch accepted, and every pointer printed. */
class DemoCommandIT {
    @Test
    void shouldAcceptEveryCorpusBatchAndPrintWhereToLook() throws Exception {
        Path corpus = Path.of(System.getProperty("auditkeeper.corpus", "../testdata/corpus"));
        int items = 0;
        for (Path batch : new CorpusFiles(corpus).batches()) {
            items += new ObjectMapper().readTree(batch.toFile()).get("items").size();
        }
        Path dir = Path.of("target", "demo-it");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new DemoCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("demo", "--once", "--dir", dir.toString(), "--corpus", corpus.toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("audit.raw: " + (items + syntheticEvents()) + " records")
                .containsPattern("audit.events: \\d+ normalized events")
                .contains("pod-exec").contains("privileged-pod").contains("rbac-change").contains("secret-write")
                .contains("secret-enumeration").contains("denied-burst").contains("new-exec")
                .containsPattern("S3 archive \\(bucket auditkeeper-archive, Object Lock COMPLIANCE, 6 years\\): \\d+ objects holding \\d+ events")
                .contains("verify: OK")
                .contains("audit.dlq: 1 records").contains("auditkeeper.dlq.reason: malformed-json")
                .containsPattern("alert routing \\(the notifier\\): ([1-9]\\d*) of \\1 alerts delivered over HTTPS to the demo's receiver, each once.*: OK")
                .contains("-> 400").containsPattern("dead-letter archive \\(dead-letters/, its own manifest chain\\): 1 objects holding 1 records")
                .doesNotContain("-> 5")
                .contains("curl --cacert").contains("kcat -b").contains("aws --endpoint-url")
                .contains("bucket auditkeeper-archive");
        assertThat(out.toString().lines().filter(l -> l.contains("-> 4")))
                .as("only the batch cut short on purpose is refused").singleElement().asString().contains("cut short")
                .contains("-> 400").contains("malformed-json");
        assertThat(out.toString().lines().filter(l -> l.contains("verify: OK"))).as("the events' and the dead letters'")
                .hasSize(2);
        java.util.regex.Matcher events = java.util.regex.Pattern.compile("audit.events: (\\d+) normalized").matcher(out.toString());
        java.util.regex.Matcher archived = java.util.regex.Pattern.compile("holding (\\d+) events").matcher(out.toString());
        assertThat(events.find() && archived.find()).isTrue();
        assertThat(archived.group(1)).as("every normalized event is in the archive").isEqualTo(events.group(1));
        java.util.regex.Matcher indexed = java.util.regex.Pattern.compile("OpenSearch \\(alias audit-events, daily indices\\): (\\d+) documents").matcher(out.toString());
        assertThat(indexed.find()).isTrue();
        assertThat(indexed.group(1)).as("every normalized event is searchable").isEqualTo(events.group(1));
        assertThat(out.toString()).as("every alert is searchable, and every archive object has its entry in the index")
                .containsPattern("audit-alerts: 4 alerts, audit-archive: (\\d+) archive entries");
        java.util.regex.Matcher objects = java.util.regex.Pattern.compile(": (\\d+) objects holding").matcher(out.toString());
        java.util.regex.Matcher entries = java.util.regex.Pattern.compile("audit-archive: (\\d+) archive entries").matcher(out.toString());
        assertThat(objects.find() && entries.find()).isTrue();
        java.util.regex.Matcher deadLetterObjects = java.util.regex.Pattern.compile("its own manifest chain\\): (\\d+) objects")
                .matcher(out.toString());
        assertThat(deadLetterObjects.find()).isTrue();
        assertThat(Integer.parseInt(entries.group(1))).as("an entry for every object of both archives")
                .isEqualTo(Integer.parseInt(objects.group(1)) + Integer.parseInt(deadLetterObjects.group(1)));
        assertThat(Files.readString(dir.toAbsolutePath().resolve("webhook-kubeconfig.yaml"))).contains("client-certificate:");
        assertThat(Files.readString(dir.toAbsolutePath().resolve("endpoints.env"))).contains("export KAFKA_BOOTSTRAP=")
                .contains("export AUDITKEEPER_ARCHIVER_S3_BUCKET=auditkeeper-archive");
        assertThat(Files.getPosixFilePermissions(dir.toAbsolutePath().resolve("endpoints.env")))
                .as("it holds the S3 secret").containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE);

        Path report = dir.toAbsolutePath().resolve("report");
        assertThat(out.toString()).contains("evidence report ").contains(report.resolve("report.html").toString())
                .contains("archive verification: OK")
                .contains("./auditkeeper verify --public-key").contains("./auditkeeper replay kafka")
                .contains("./auditkeeper replay archive").contains("./auditkeeper replay archive --topic audit.dlq")
                .contains("./auditkeeper report --from")
                .as("a proof of one flagged request, and the command that checks it offline")
                .contains("./auditkeeper prove --audit-id ").contains("./auditkeeper verify-proof ")
                .containsPattern("path +OK +leaf \\d+ of \\d+ events").containsPattern("digest +OK +created ")
                .contains("verdict: OK: the event is in the archive, unaltered");
        assertThat(Files.readString(report.resolve("report.html")))
                .contains("mallory@contractor.example", "ops.bob@clinic.example", "admin@clinic.example")
                .contains("secret-enumeration", "denied-burst");
        assertThat(Files.readAllLines(report.resolve("phi-access-by-actor.csv")))
                .as("the synthetic traffic's PHI access, one row per actor, namespace and rule")
                .contains("mallory@contractor.example,phi-records,secret-read,6",
                        "mallory@contractor.example,phi-imaging,secret-read,6",
                        "ops.bob@clinic.example,phi-records,pod-exec,1",
                        "admin@clinic.example,phi-records,rbac-change,1",
                        "system:serviceaccount:default:scanner,phi-imaging,access-denied,22");
        assertThat(Files.readAllLines(report.resolve("phi-access.csv")))
                .as("each request once, as its final stage: with its response code and decision")
                .filteredOn(l -> l.contains(",pod-exec,")).singleElement().asString()
                .contains("ops.bob@clinic.example,phi-records,create,pods/exec,ehr-db-0,pod-exec,critical,101,allow,");
        assertThat(Files.readAllLines(report.resolve("alerts.csv"))).hasSize(5);
        assertThat(Files.readAllLines(report.resolve("archive.csv")).get(1)).as("verified: no problem, no leftover")
                .contains(",COMPLIANCE,").endsWith(",OK,,");
    }

    private static int syntheticEvents() throws Exception {
        return new ObjectMapper().readTree(new DemoTraffic(java.time.Instant.now()).eventList()).get("items").size();
    }
}
