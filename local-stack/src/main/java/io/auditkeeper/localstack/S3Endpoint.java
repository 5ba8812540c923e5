package io.auditkeeper.localstack;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.net.URI;
import java.util.Objects;

/**
 * Where and how to reach an S3-compatible store: the embedded Ceph gateway, MinIO, or AWS S3.
 *
 * <p>Exists so that tests and the demo build their client one way for every backend. The client computes and
 * validates checksums only when an operation requires them: with the SDK's default (always), Ceph 16 answers
 * {@code XAmzContentSHA256Mismatch}. Without keys ({@code accessKey} and {@code secretKey} both null) the SDK's
 * default credential chain applies, which is what AWS S3 with an instance role needs. {@link #toString()} hides the
 * secret key.
 *
 * @param endpoint base URL, e.g. {@code http://127.0.0.1:17480}; null for the region's AWS endpoint
 * @param region signing region, e.g. {@code us-east-1}
 * @param accessKey access key id, or null for the default credential chain
 * @param secretKey secret access key, or null for the default credential chain
 * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key}; Ceph and MinIO need it
 */
public record S3Endpoint(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle) {
    public S3Endpoint {
        Objects.requireNonNull(region, "region");
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("give both accessKey and secretKey, or neither");
        }
    }

    /** A new synchronous client (Apache HTTP); the caller closes it. */
    public S3Client client() {
        S3ClientBuilder b = S3Client.builder()
            .region(Region.of(region))
            .credentialsProvider(credentials())
            .forcePathStyle(pathStyle)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }

    private AwsCredentialsProvider credentials() {
        if (accessKey == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }

    @Override
    public String toString() {
        return "S3Endpoint[endpoint=" + endpoint + ", region=" + region + ", accessKey=" + accessKey
            + ", secretKey=" + (secretKey == null ? "null" : "***") + ", pathStyle=" + pathStyle + "]";
    }
}
