package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.KeyHistory;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.evidence.store.KeyRecordReader;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The manifest public key an investigation command checks signatures with, and where it came from. Shared by
 * {@code verify} and {@code replay archive} so that both fall back to the bucket's published key the same way and
 * warn the same way: a key read from the archive itself only proves the archive is consistent with itself.
 */
record PublicKeySource(ManifestVerifier verifier, String description, boolean fromBucket) {

    /** The key from {@code file}, or else the one the archiver published in the bucket ({@link ArchiveLayout#publicKey}). */
    static PublicKeySource load(Path file, S3Client s3, String bucket, ArchiveLayout layout) {
        PublicKeySource pinned = pinned(file, s3, bucket, layout);
        // the keys that followed the pinned one, each trusted through a record the key before it signed
        KeyHistory keys = new KeyRecordReader(s3, bucket, layout).read()
                .trustFrom(pinned.verifier().keys().pinnedKey());
        return new PublicKeySource(ManifestVerifier.withKeys(keys), pinned.description(), pinned.fromBucket());
    }

    private static PublicKeySource pinned(Path file, S3Client s3, String bucket, ArchiveLayout layout) {
        if (file != null) {
            return new PublicKeySource(ManifestVerifier.fromPublicKeyPemFile(file), file.toString(), false);
        }
        String key = layout.publicKey();
        String pem;
        try {
            pem = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asString(StandardCharsets.US_ASCII);
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
                throw new IllegalArgumentException("s3://" + bucket + "/" + key + " does not exist; give --public-key");
            }
            throw e;
        }
        return new PublicKeySource(ManifestVerifier.fromPublicKeyPem(pem), "s3://" + bucket + "/" + key, true);
    }

    /** The warning printed on stderr when the key came from the bucket; null when it did not. */
    String warning(String command, String doing) {
        return fromBucket ? "auditkeeper " + command + ": WARNING: " + doing + " with the public key stored in the"
                + " bucket itself (" + description + "). Whoever could rewrite the archive could have replaced that"
                + " key as well; for evidence, pass --public-key with a copy kept elsewhere." : null;
    }

    static boolean isNoSuchBucket(S3Exception e) {
        return e instanceof NoSuchBucketException || "NoSuchBucket".equals(errorCode(e));
    }

    static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
    }
}
