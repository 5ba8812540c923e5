package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.ManifestKeyException;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code auditkeeper verify}: proves to a compliance officer (or a scheduled job) that the archive of a period is whole
 * and unaltered, using the same {@link ManifestVerifier} the archiver is tested with, and says precisely what is
 * wrong when it is not.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Verify the S3 archive of a topic: manifest signatures and hash chains, offset continuity, every"
                + " object's SHA-256, and its Object Lock mode and retain-until date; and the signed digests.",
                "Every partition found under [<prefix>/]manifests/<topic>/ is checked.",
                "What an archiver that lost its partition left behind (another version with the recorded bytes, an"
                        + " object no manifest entry names) is listed as an explained leftover, and does not fail it."},
        footer = {ExitCodes.HELP})
public final class VerifyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    S3Options s3Options;

    @Mixin
    ArchiveCheckOptions check;

    @Option(names = "--from", paramLabel = "<date|instant>",
            description = "Start of the period (event times): 2026-03-01 or 2026-03-01T08:00:00Z. Default: the beginning.")
    String from;

    @Option(names = "--to", paramLabel = "<date|instant>",
            description = "End of the period, exclusive; a date includes that whole day (UTC). Default: now.")
    String to;

    @Option(names = "--json", description = "Print one JSON document instead of the summary.")
    boolean json;

    @Option(names = "--metrics-file", paramLabel = "<file.prom>",
            description = "Also write the result as Prometheus metrics (auditkeeper_verify_*) to this file, replaced"
                    + " at once, for node_exporter's textfile collector (docs/operations.md, \"verify metrics\").")
    Path metricsFile;

    @Option(names = "--pushgateway", paramLabel = "<url>",
            description = "Also push the result as Prometheus metrics to this Pushgateway (job auditkeeper_verify,"
                    + " grouped by topic), for a verify run as a scheduled job.")
    URI pushgateway;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TimeWindow window;
        try {
            window = TimeWindow.parse(from, to);
            check.validate();
        } catch (IllegalArgumentException e) {
            err.println("auditkeeper verify: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        try (S3Client s3 = s3Options.client()) {
            Instant started = Instant.now();
            ArchiveVerificationResult result = check.verify(s3, s3Options, window, err, "verify");
            Instant finished = Instant.now();
            if (json) {
                VerifyReportPrinter.json(out, result);
            } else {
                VerifyReportPrinter.human(out, result);
            }
            boolean published = publish(VerifyMetrics.of(result, finished, Duration.between(started, finished)), err);
            if (!result.ok()) {
                return ExitCodes.PROBLEMS;
            }
            return published ? ExitCodes.OK : ExitCodes.USAGE;
        } catch (IllegalArgumentException | ManifestKeyException e) {
            err.println("auditkeeper verify: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (SdkException e) {
            return s3Options.failure(e, err, "auditkeeper verify: ");
        }
    }

    /** Writes and pushes the metrics asked for; false (and said) when one of them failed. */
    private boolean publish(VerifyMetrics metrics, PrintWriter err) {
        boolean ok = true;
        if (metricsFile != null) {
            try {
                metrics.writeTo(metricsFile);
            } catch (IOException e) {
                err.println("auditkeeper verify: cannot write the metrics file " + metricsFile + ": " + e.getMessage());
                ok = false;
            }
        }
        if (pushgateway != null) {
            try {
                metrics.pushTo(pushgateway);
            } catch (IOException e) {
                err.println("auditkeeper verify: cannot push the metrics: " + e.getMessage());
                ok = false;
            }
        }
        return ok;
    }
}
