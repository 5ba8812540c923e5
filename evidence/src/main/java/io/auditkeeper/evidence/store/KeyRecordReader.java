package io.auditkeeper.evidence.store;

import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.KeyRecord;
import io.auditkeeper.evidence.manifest.KeyRevocation;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import io.auditkeeper.evidence.manifest.ManifestFormatException;
import io.auditkeeper.evidence.manifest.Problem;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key history of an archive as stored under {@code keys/}, read at each record's oldest version. Two archivers
 * that start at once may both write a new key's record: Ed25519 signatures are deterministic, so they write the same
 * bytes, and versions with the same bytes are no finding. Versions with other bytes, or a delete marker, are
 * {@link Problem.Kind#REWRITTEN_KEY_RECORD}; a record that does not parse is {@link Problem.Kind#BAD_KEY_RECORD}.
 */
public final class KeyRecordReader {
    private final S3Client s3;
    private final String bucket;
    private final ArchiveLayout layout;

    public KeyRecordReader(S3Client s3, String bucket, ArchiveLayout layout) {
        this.s3 = s3;
        this.bucket = bucket;
        this.layout = layout;
    }

    /**
     * The records by their object key, when S3 wrote each (its first version), the revocations by their object key, and
     * what reading them found.
     */
    public record History(Map<String, KeyRecord> records, Map<String, java.time.Instant> writtenAt,
                          Map<String, KeyRevocation> revocations, List<Problem> problems) {
        public History {
            records = Map.copyOf(records);
            writtenAt = Map.copyOf(writtenAt);
            revocations = Map.copyOf(revocations);
            problems = List.copyOf(problems);
        }

        /** The keys trusted from {@code pinned} through these records and revocations. */
        public io.auditkeeper.evidence.manifest.KeyHistory trustFrom(java.security.PublicKey pinned) {
            return io.auditkeeper.evidence.manifest.KeyHistory.from(pinned, records, writtenAt, revocations);
        }
    }

    public History read() {
        Map<String, KeyRecord> records = new LinkedHashMap<>();
        Map<String, java.time.Instant> writtenAt = new LinkedHashMap<>();
        Map<String, KeyRevocation> revocations = new LinkedHashMap<>();
        List<Problem> problems = new ArrayList<>();
        for (VersionListing.KeyVersions k : VersionListing.of(s3, bucket, layout.revocations())) {
            byte[] oldest = readOnce(k, problems);
            if (oldest != null) {
                try {
                    revocations.put(k.key(), ManifestCodec.readRevocation(oldest));
                } catch (ManifestFormatException e) {
                    problems.add(new Problem(Problem.Kind.BAD_KEY_RECORD, k.key(), -1, -1, e.getMessage()));
                }
            }
        }
        for (VersionListing.KeyVersions k : VersionListing.of(s3, bucket, layout.keys())) {
            byte[] oldest = readOnce(k, problems);
            if (oldest == null) {
                continue;
            }
            writtenAt.put(k.key(), k.versions().get(0).lastModified());
            try {
                records.put(k.key(), ManifestCodec.readKeyRecord(oldest));
            } catch (ManifestFormatException e) {
                problems.add(new Problem(Problem.Kind.BAD_KEY_RECORD, k.key(), -1, -1, e.getMessage()));
            }
        }
        return new History(records, writtenAt, revocations, problems);
    }

    /** The oldest version's bytes, with a finding if other bytes were written on top; null if only markers are left. */
    private byte[] readOnce(VersionListing.KeyVersions k, List<Problem> problems) {
        if (k.oldest() == null) {
            problems.add(new Problem(Problem.Kind.REWRITTEN_KEY_RECORD, k.key(), -1, -1, k.describe()));
            return null;
        }
        byte[] oldest = get(k.key(), k.oldest());
        if (k.rewritten() && !sameBytesEverywhere(k, oldest)) {
            problems.add(new Problem(Problem.Kind.REWRITTEN_KEY_RECORD, k.key(), -1, -1, k.describe()));
        }
        return oldest;
    }

    private boolean sameBytesEverywhere(VersionListing.KeyVersions k, byte[] oldest) {
        if (k.deleteMarkers() > 0) {
            return false;
        }
        for (VersionListing.Version v : k.versions()) {
            if (!Arrays.equals(oldest, get(k.key(), v.versionId()))) {
                return false;
            }
        }
        return true;
    }

    private byte[] get(String key, String versionId) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)).asByteArray();
    }
}
