package io.auditkeeper.evidence.store;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every version and delete marker under a prefix of a versioned bucket, key by key. A plain listing shows each key's
 * latest version only: a version written on top of a locked object would be read in its place, and a delete marker
 * hides an object altogether. What is written once (manifest objects, digests) must have exactly one version, and it
 * is read at the oldest one.
 */
public final class VersionListing {
    private VersionListing() {
    }

    /** One key's versions, oldest first, and its delete markers. */
    public record KeyVersions(String key, List<Version> versions, int deleteMarkers) {
        public KeyVersions {
            versions = List.copyOf(versions);
        }

        /** The version to read: the oldest, or null when only delete markers are left. */
        public String oldest() {
            return versions.isEmpty() ? null : versions.get(0).versionId();
        }

        /** Whether anything was written after the first version: another version, or a delete marker. */
        public boolean rewritten() {
            return versions.size() + deleteMarkers > 1 || versions.isEmpty();
        }

        /** What was found, in the words of {@code docs/verify-by-hand.sh}. */
        public String describe() {
            if (versions.isEmpty()) {
                return "only delete marker(s), no version";
            }
            return versions.size() + " versions and " + deleteMarkers + " delete marker(s); something was written on"
                    + " top (reading the oldest version, " + oldest() + ")";
        }
    }

    /** One version of a key. */
    public record Version(String versionId, Instant lastModified) {
    }

    /** Every key under {@code prefix} that has a version or a delete marker, in key order. */
    public static List<KeyVersions> of(S3Client s3, String bucket, String prefix) {
        return of(s3, bucket, prefix, null, key -> false);
    }

    /**
     * The keys under {@code prefix} after {@code startAfter} (null: from the first) and before the first key that is
     * {@code past}, each with every version and delete marker; the listing stops at that key, so that a range of a
     * long chain costs what the range holds.
     */
    public static List<KeyVersions> of(S3Client s3, String bucket, String prefix, String startAfter,
                                       java.util.function.Predicate<String> past) {
        Map<String, List<Version>> versions = new TreeMap<>();
        Map<String, Integer> markers = new TreeMap<>();
        String keyMarker = startAfter;
        String versionMarker = null;
        boolean done = false;
        while (!done) {
            String k = keyMarker;
            String v = versionMarker;
            ListObjectVersionsResponse page = s3.listObjectVersions(b -> b.bucket(bucket).prefix(prefix)
                    .keyMarker(k).versionIdMarker(v));
            // within a key, S3 lists the newest first; the order of equal times is kept (stable sort below)
            for (ObjectVersion o : page.versions()) {
                if (past.test(o.key())) {
                    done = true;
                } else {
                    versions.computeIfAbsent(o.key(), x -> new ArrayList<>())
                            .add(new Version(o.versionId(), o.lastModified()));
                }
            }
            for (DeleteMarkerEntry d : page.deleteMarkers()) {
                if (past.test(d.key())) {
                    done = true;
                } else {
                    markers.merge(d.key(), 1, Integer::sum);
                    versions.computeIfAbsent(d.key(), x -> new ArrayList<>());
                }
            }
            if (!Boolean.TRUE.equals(page.isTruncated())) {
                break;
            }
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
        }
        List<KeyVersions> out = new ArrayList<>();
        versions.forEach((key, list) -> {
            List<Version> oldestFirst = new ArrayList<>(list);
            java.util.Collections.reverse(oldestFirst);
            oldestFirst.sort(Comparator.comparing(Version::lastModified));
            out.add(new KeyVersions(key, oldestFirst, markers.getOrDefault(key, 0)));
        });
        return out;
    }
}
