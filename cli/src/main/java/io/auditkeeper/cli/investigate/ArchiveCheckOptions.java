package io.auditkeeper.cli.investigate;

import io.auditkeeper.model.AuditTopics;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * What {@code verify} and {@code report} check the archive of, and how strictly: the topic, the public key held outside
 * the bucket, the minimum COMPLIANCE retention, and how many objects are read ahead. One place, so that the two
 * commands cannot come to verify differently.
 */
public final class ArchiveCheckOptions {
    @Option(names = "--topic", defaultValue = AuditTopics.EVENTS, description = "Archived topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--public-key", paramLabel = "<pem>",
            description = "The manifest public key (PEM) held outside the bucket. Default: the bucket's own"
                    + " [<prefix>/]manifests/public-key.pem, which proves less: whoever could rewrite the archive could"
                    + " have replaced that key too (a warning says so).")
    Path publicKey;

    @Option(names = "--parallelism", defaultValue = "8", paramLabel = "<n>",
            description = "Archive objects read from S3 at once while verifying, ahead of the checks (default"
                    + " ${DEFAULT-VALUE}, at most 64; each is held in memory until checked).")
    int parallelism;

    @Option(names = "--min-retention-years", defaultValue = "6",
            description = "Every object must be locked in COMPLIANCE mode at least this long after its last event"
                    + " (default ${DEFAULT-VALUE}, as HIPAA asks; a year counts 365.25 days, rounded down).")
    int minRetentionYears;

    public String topic() {
        return topic;
    }

    /** The key signatures are checked with: {@code --public-key}, or the bucket's own. */
    PublicKeySource key(S3Client s3, S3Options s3Options) {
        return PublicKeySource.load(publicKey, s3, s3Options.bucket(), s3Options.layout());
    }

    /** Throws an {@link IllegalArgumentException} naming the option that is out of range. */
    void validate() {
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("--parallelism must be 1 to 64");
        }
        if (minRetentionYears < 0) {
            throw new IllegalArgumentException("--min-retention-years must not be negative");
        }
    }

    /**
     * Verifies the archive of {@link #topic} in {@code window} with the archiver's verifier; a warning on {@code err}
     * when the key comes from the bucket, a progress line there on a terminal. S3 and key errors are the caller's.
     */
    ArchiveVerificationResult verify(S3Client s3, S3Options s3Options, TimeWindow window, PrintWriter err,
                                     String command) {
        return verify(s3, s3Options, topic, window, err, command, true);
    }

    /** The same for another archived topic of the bucket, warning about a key from the bucket only when asked. */
    ArchiveVerificationResult verify(S3Client s3, S3Options s3Options, String topic, TimeWindow window, PrintWriter err,
                                     String command, boolean warn) {
        PublicKeySource key = key(s3, s3Options);
        if (key.fromBucket() && warn) {
            err.println(key.warning(command, "verifying"));
        }
        ArchiveVerification.Outcome outcome = new ArchiveVerification(s3, s3Options.bucket(), s3Options.prefix(),
                key.verifier(), Duration.ofDays(365L * minRetentionYears + minRetentionYears / 4))
                .withProgress(Terminal.verificationProgress(err, topic)).withParallelism(parallelism)
                .verify(topic, window, Instant.now());
        return new ArchiveVerificationResult(s3Options.bucket(), s3Options.prefix(), topic, window, key.description(),
                key.fromBucket(), outcome.digestsChecked(), outcome.partitions(), outcome.digestProblems(),
                outcome.trustedKeys(), outcome.keyProblems(), outcome.unexplained());
    }
}
