package io.auditkeeper.demo.soak;

import io.auditkeeper.demo.DemoCli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code auditkeeper soak} as CI runs it: the real jars of two ingest instances, two stream-processors and three
 * archivers as separate processes, a fault every 15 s for 150 s (each kind at least once: SIGKILL of each service,
 * SIGSTOP of an archiver and a stream-processor past their session, an archiver cut off from S3 and from OpenSearch,
 * the broker stopped), and at the end every acknowledged event in the verified archive exactly once and in OpenSearch.
 */
class SoakCommandIT {
    @Test
    void shouldLoseNothingAndArchiveNothingTwiceWhenEveryKindOfFaultIsInjected() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new DemoCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("soak", "--duration", "150s", "--fault-every", "15s", "--rate", "400",
                "--dir", Path.of("target", "soak-it").toString(), "--jars", "..",
                "--corpus", System.getProperty("auditkeeper.corpus", "../testdata/corpus"));

        String table = out.toString();
        System.out.println(table);
        assertThat(code).as("exit code; stderr: %s", err).isZero();
        for (FaultKind kind : FaultKind.values()) {
            assertThat(table).as("fault %s injected and caught up with", kind.label())
                    .containsPattern("(?m)^\\s+\\d+\\s+\\d+:\\d\\d\\s+" + Pattern.quote(kind.label()) + "\\s+.*\\d+\\.\\d s$");
        }
        assertThat(table).doesNotContain("NOT caught up");
        Matcher acknowledged = Pattern.compile("acknowledged \\(200\\) ([\\d,]+); dropped for an answer 0;")
                .matcher(table);
        assertThat(acknowledged.find()).as("nothing dropped for an answer of ingest").isTrue();
        String n = acknowledged.group(1);
        assertThat(Long.parseLong(n.replace(",", ""))).as("events acknowledged").isGreaterThan(20_000);
        assertThat(table).as("every acknowledged event archived once and indexed")
                .containsPattern("archive \\(S3\\)\\s+" + n + "\\s+" + n + "\\s+0\\s+0")
                .containsPattern("index \\(OpenSearch\\)\\s+" + n + "\\s+" + n + "\\s+0\\s+0")
                .contains("verify (auditkeeper verify --json, its own process): OK; problems 0;")
                .contains("one chain")
                .contains("SIGTERM at the end: 7 of 7 processes stopped gracefully")
                .contains("result: PASS");
    }
}
