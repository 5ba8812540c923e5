package io.auditkeeper.cli.investigate;

import io.auditkeeper.archiver.manifest.ManifestKeyException;
import io.auditkeeper.archiver.manifest.ManifestVerifier;
import io.auditkeeper.model.AuditTopics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.PrintWriter;
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
                "Every partition found under [<prefix>/]manifests/<topic>/ is checked."},
        footer = {ExitCodes.HELP})
public final class VerifyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    S3Options s3Options;

    @Option(names = "--topic", defaultValue = AuditTopics.EVENTS, description = "Archived topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--from", paramLabel = "<date|instant>",
            description = "Start of the period (event times): 2026-03-01 or 2026-03-01T08:00:00Z. Default: the beginning.")
    String from;

    @Option(names = "--to", paramLabel = "<date|instant>",
            description = "End of the period, exclusive; a date includes that whole day (UTC). Default: now.")
    String to;

    @Option(names = "--public-key", paramLabel = "<pem>",
            description = "The manifest public key (PEM) held outside the bucket. Default: the bucket's own"
                    + " [<prefix>/]manifests/public-key.pem, which proves less: whoever could rewrite the archive could"
                    + " have replaced that key too.")
    Path publicKey;

    @Option(names = "--parallelism", defaultValue = "8", paramLabel = "<n>",
            description = "Archive objects read from S3 at once while verifying, ahead of the checks (default"
                    + " ${DEFAULT-VALUE}; each is held in memory until checked).")
    int parallelism;

    @Option(names = "--min-retention-years", defaultValue = "6",
            description = "Every object must be locked in COMPLIANCE mode at least this long after its last event"
                    + " (default ${DEFAULT-VALUE}, as HIPAA asks; a year counts 365.25 days, rounded down).")
    int minRetentionYears;

    @Option(names = "--json", description = "Print one JSON document instead of the summary.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TimeWindow window;
        try {
            window = TimeWindow.parse(from, to);
            if (parallelism < 1 || parallelism > 64) {
                throw new IllegalArgumentException("--parallelism must be 1 to 64");
            }
            if (minRetentionYears < 0) {
                throw new IllegalArgumentException("--min-retention-years must not be negative");
            }
        } catch (IllegalArgumentException e) {
            err.println("auditkeeper verify: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        try (S3Client s3 = s3Options.client()) {
            PublicKeySource key = PublicKeySource.load(publicKey, s3, s3Options.bucket(), s3Options.keyPrefix());
            if (key.fromBucket()) {
                err.println(key.warning("verify", "verifying"));
            }
            ArchiveVerification.Outcome outcome = new ArchiveVerification(s3, s3Options.bucket(), s3Options.prefix(),
                    key.verifier(), Duration.ofDays(365L * minRetentionYears + minRetentionYears / 4))
                    .withProgress(Terminal.verificationProgress(err, topic)).withParallelism(parallelism)
                    .verify(topic, window, Instant.now());
            ArchiveVerificationResult result = new ArchiveVerificationResult(s3Options.bucket(), s3Options.prefix(),
                    topic, window, key.description(), key.fromBucket(), outcome.digestsChecked(), outcome.partitions(),
                    outcome.digestProblems());
            if (json) {
                VerifyReportPrinter.json(out, result);
            } else {
                VerifyReportPrinter.human(out, result);
            }
            return result.ok() ? ExitCodes.OK : ExitCodes.PROBLEMS;
        } catch (IllegalArgumentException | ManifestKeyException e) {
            err.println("auditkeeper verify: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (S3Exception e) {
            if (PublicKeySource.isNoSuchBucket(e)) {
                err.println("auditkeeper verify: bucket " + s3Options.bucket() + " does not exist");
                return ExitCodes.USAGE;
            }
            err.println("auditkeeper verify: S3 refused the request: HTTP " + e.statusCode() + " "
                    + errorCode(e));
            return ExitCodes.UNREACHABLE;
        } catch (SdkException e) {
            err.println("auditkeeper verify: S3 cannot be reached: " + e.getMessage());
            return ExitCodes.UNREACHABLE;
        }
    }

    private static String errorCode(S3Exception e) {
        return PublicKeySource.errorCode(e);
    }
}
