package io.auditkeeper.demo;

import io.auditkeeper.cli.investigate.ReportCommand;
import io.auditkeeper.localstack.S3Endpoint;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The demo's evidence report: {@code auditkeeper report} itself, run with the options a user would type, over the
 * hour around the demo's traffic, so that what the demo shows is what the command does. Also the lines of "what to try
 * next", which use the same options through the variables of {@code endpoints.env}.
 */
final class DemoReport {
    private DemoReport() {
    }

    /** Runs the report into {@code dir}/report and prints where it is; true when it was written and the archive verifies. */
    static boolean write(PrintWriter out, Path dir, Instant from, Instant to, String openSearchUrl, S3Endpoint s3,
                         String bucket, String topic, Path publicKey) throws IOException {
        Path reportDir = dir.resolve("report");
        Path secretFile = secretKeyFile(dir, s3);
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine report = new CommandLine(new ReportCommand());
        report.setOut(new PrintWriter(stdout, true));
        report.setErr(new PrintWriter(stderr, true));
        int code = report.execute("--from", seconds(from), "--to", seconds(to), "--opensearch", openSearchUrl,
                "--bucket", bucket, "--prefix", "", "--s3-endpoint", s3.endpoint().toString(), "--s3-region",
                s3.region(), "--path-style", "--access-key", s3.accessKey(), "--secret-key-file", secretFile.toString(),
                "--topic", topic, "--public-key", publicKey.toString(), "--out", reportDir.toString());
        Path html = reportDir.resolve("report.html").toAbsolutePath();
        if (code != 0 && code != 1) {
            out.println("  evidence report: FAILED (exit " + code + "): " + stderr.toString().strip());
            return false;
        }
        out.println("  evidence report " + seconds(from) + " to " + seconds(to) + ": " + html);
        out.println("    open it in a browser: file://" + html + "   (CSV per section next to it)");
        List<String> lines = stdout.toString().lines().filter(l -> l.startsWith("archive verification")).toList();
        lines.forEach(l -> out.println("    " + l));
        return code == 0;
    }

    /** The commands an investigator would run next against this demo, with endpoints.env sourced. */
    static void printTryNext(PrintWriter out, Path dir, Instant from, Instant to, Path publicKey) {
        String env = dir.resolve("endpoints.env").toString();
        out.println("Try next (in another terminal, while the demo runs; docs/investigate.md explains each):");
        out.println("  source " + env);
        out.println("  ./auditkeeper verify --public-key " + publicKey);
        out.println("  ./auditkeeper replay kafka --topic audit.phi-access --from " + seconds(from) + " --to "
                + seconds(to) + " --rule pod-exec");
        out.println("  ./auditkeeper replay archive --from " + seconds(from) + " --to " + seconds(to)
                + " --actor mallory@contractor.example --public-key " + publicKey);
        out.println("  ./auditkeeper replay archive --topic audit.dlq --public-key " + publicKey
                + "     # the dead letters kept: reason, source, SHA-256");
        out.println("  ./auditkeeper report --from " + seconds(from) + " --to " + seconds(to)
                + " --namespace phi-imaging --public-key " + publicKey + " --out /tmp/phi-imaging-report");
        out.println();
    }

    /**
     * The S3 secret goes to the report in a file readable only by its owner: the command takes no secret as an option,
     * since it would show in {@code ps}.
     */
    private static Path secretKeyFile(Path dir, S3Endpoint s3) throws IOException {
        return DemoFiles.writeOwnerOnly(dir.resolve("s3-secret-key"), s3.secretKey());
    }

    static String seconds(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
