package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.ArchiveLayout;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the archive is, with the archiver's own environment variables as defaults ({@code AUDITKEEPER_ARCHIVER_S3_*}),
 * so that an investigator on a machine set up like the archiver needs no options, and one elsewhere names the bucket.
 * The secret key is never an option (it would show in {@code ps} and shell history): it comes from the environment or
 * a file, else the AWS default credential chain (profile, SSO, instance role, IRSA) is used.
 */
public final class S3Options {
    @Option(names = "--bucket", defaultValue = "${env:AUDITKEEPER_ARCHIVER_S3_BUCKET}",
            description = "Archive bucket (env AUDITKEEPER_ARCHIVER_S3_BUCKET).")
    String bucket;

    @Option(names = "--prefix", defaultValue = "${env:AUDITKEEPER_ARCHIVER_S3_PREFIX:-}",
            description = "Key prefix the archiver writes under (env AUDITKEEPER_ARCHIVER_S3_PREFIX; default none).")
    String prefix;

    @Option(names = "--s3-endpoint", defaultValue = "${env:AUDITKEEPER_ARCHIVER_S3_ENDPOINT}",
            description = "S3 endpoint URL for Ceph, MinIO or another S3 server; unset for AWS S3"
                    + " (env AUDITKEEPER_ARCHIVER_S3_ENDPOINT).")
    String endpoint;

    @Option(names = "--s3-region", defaultValue = "${env:AUDITKEEPER_ARCHIVER_S3_REGION:-us-east-1}",
            description = "S3 region (env AUDITKEEPER_ARCHIVER_S3_REGION; default ${DEFAULT-VALUE}).")
    String region;

    @Option(names = "--path-style", defaultValue = "${env:AUDITKEEPER_ARCHIVER_S3_PATH_STYLE:-false}", arity = "0..1",
            description = "Path-style addressing, needed by most S3 servers other than AWS"
                    + " (env AUDITKEEPER_ARCHIVER_S3_PATH_STYLE).")
    boolean pathStyle;

    @Option(names = "--access-key", defaultValue = "${env:AUDITKEEPER_ARCHIVER_S3_ACCESS_KEY}",
            description = "Static access key (env AUDITKEEPER_ARCHIVER_S3_ACCESS_KEY); the secret comes from"
                    + " AUDITKEEPER_ARCHIVER_S3_SECRET_KEY or --secret-key-file. Unset: the AWS default credential chain.")
    String accessKey;

    @Option(names = "--secret-key-file", paramLabel = "<file>",
            description = "File holding the secret key for --access-key (a trailing line break is ignored).")
    Path secretKeyFile;

    /** The bucket's key prefix with its trailing slash, or empty. */
    public String keyPrefix() {
        return prefix == null || prefix.isEmpty() ? "" : prefix + "/";
    }

    public String prefix() {
        return prefix == null ? "" : prefix;
    }

    /** Where the archive's objects, manifests, digests and public key are in the bucket. */
    public ArchiveLayout layout() {
        return new ArchiveLayout(prefix());
    }

    public String bucket() {
        return bucket;
    }

    /** A client as the archiver builds one; the caller closes it. */
    public S3Client client() {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("no bucket: give --bucket or set AUDITKEEPER_ARCHIVER_S3_BUCKET");
        }
        S3ClientBuilder b = S3Client.builder().region(Region.of(region)).forcePathStyle(pathStyle)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (accessKey != null && !accessKey.isEmpty()) {
            b.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey())));
        } else {
            b.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        if (endpoint != null && !endpoint.isEmpty()) {
            b.endpointOverride(URI.create(endpoint));
        }
        return b.build();
    }

    /**
     * Prints why S3 failed, after {@code prefix} (the command's name), and gives the exit code: a bucket that does not
     * exist is a usage error, anything else S3 refused or could not answer is {@link ExitCodes#UNREACHABLE}.
     */
    int failure(SdkException e, PrintWriter err, String prefix) {
        if (e instanceof S3Exception s3) {
            if (PublicKeySource.isNoSuchBucket(s3)) {
                err.println(prefix + "bucket " + bucket + " does not exist");
                return ExitCodes.USAGE;
            }
            err.println(prefix + "S3 refused the request: HTTP " + s3.statusCode() + " " + PublicKeySource.errorCode(s3));
            return ExitCodes.UNREACHABLE;
        }
        err.println(prefix + "S3 cannot be reached: " + e.getMessage());
        return ExitCodes.UNREACHABLE;
    }

    private String secretKey() {
        if (secretKeyFile != null) {
            try {
                return Files.readString(secretKeyFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("--secret-key-file " + secretKeyFile + " cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        String env = System.getenv("AUDITKEEPER_ARCHIVER_S3_SECRET_KEY");
        if (env == null || env.isEmpty()) {
            throw new IllegalArgumentException("--access-key is set but no secret key: set"
                    + " AUDITKEEPER_ARCHIVER_S3_SECRET_KEY or give --secret-key-file");
        }
        return env;
    }
}
