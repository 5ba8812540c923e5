package io.auditkeeper.evidence.store;

import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The archive bucket as the manifest verifier sees it: an object version's bytes and lock, and every version of a key
 * (delete markers included, so that one written on top is noticed).
 */
public final class S3ObjectStore implements ObjectStore {
    private final S3Client s3;
    private final String bucket;

    public S3ObjectStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public Optional<StoredObject> get(String key, String versionId) {
        try {
            ResponseBytes<GetObjectResponse> r = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId));
            return Optional.of(new StoredObject(r.asByteArray(), r.response().objectLockModeAsString(),
                    r.response().objectLockRetainUntilDate()));
        } catch (S3Exception e) {
            // 405: the version is a delete marker, which has no bytes (S3 answers a GET of one so)
            if (e.statusCode() == 404 || e.statusCode() == 405) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<String> versions(String key) {
        List<String> out = new ArrayList<>();
        var listing = s3.listObjectVersions(b -> b.bucket(bucket).prefix(key));
        listing.versions().stream().filter(v -> v.key().equals(key)).map(ObjectVersion::versionId).forEach(out::add);
        listing.deleteMarkers().stream().filter(m -> m.key().equals(key)).forEach(m -> out.add(m.versionId()));
        return out;
    }
}
