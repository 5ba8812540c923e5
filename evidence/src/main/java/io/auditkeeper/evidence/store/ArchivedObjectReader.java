package io.auditkeeper.evidence.store;

import io.auditkeeper.evidence.ArchiveLayout;
import software.amazon.awssdk.services.s3.S3Client;
import io.auditkeeper.evidence.manifest.Problem;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The archived objects of the bucket as listed, read-only: what a verifier compares with the manifest chains to find
 * an object that no entry names (what an archiver fenced between its PUT and its entry leaves behind). Manifests say
 * what the archive holds; only a listing shows what else is there.
 */
public final class ArchivedObjectReader {
    private final S3Client s3;
    private final String bucket;
    private final ArchiveLayout layout;

    public ArchivedObjectReader(S3Client s3, String bucket, ArchiveLayout layout) {
        this.s3 = s3;
        this.bucket = bucket;
        this.layout = layout;
    }

    /**
     * Every version (delete markers aside) of {@code topic}'s objects under {@code directory} ({@link ArchiveLayout#EVENTS}
     * or {@link ArchiveLayout#DEAD_LETTERS}) whose key's hour (that of the batch's first record) is in
     * {@code [from, to)}, in key order. The listing goes day by day ({@link ArchiveLayout#objectDay}); with {@code from}
     * null it is one listing of the whole directory, and {@code to} null means no end (a day past now).
     */
    public List<ListedObject> versions(String directory, String topic, Instant from, Instant to) {
        Instant start = from == null ? null : from.truncatedTo(ChronoUnit.HOURS);
        List<ListedObject> out = new ArrayList<>();
        if (start == null) {
            list(layout.objects(directory), topic, null, to, out);
            return out;
        }
        // a batch's hour is its first record's time, which may run a little ahead of this clock; none is days ahead
        Instant horizon = Instant.now().plus(1, ChronoUnit.DAYS);
        Instant end = to == null || to.isAfter(horizon) ? horizon : to;
        for (Instant day = start.truncatedTo(ChronoUnit.DAYS); day.isBefore(end); day = day.plus(1, ChronoUnit.DAYS)) {
            list(layout.objectDay(directory, day), topic, start, to, out);
        }
        return out;
    }

    /**
     * Every version and delete marker under the archive's prefix whose key the layout does not name
     * ({@link ArchiveLayout#names}): nothing an archiver writes, so something else wrote it. One pass over the whole
     * prefix, a page at a time, keeping only what it finds.
     */
    public List<Problem> unexplained() {
        List<Problem> out = new ArrayList<>();
        String keyMarker = null;
        String versionMarker = null;
        do {
            String k = keyMarker;
            String v = versionMarker;
            ListObjectVersionsResponse page = s3.listObjectVersions(b -> b.bucket(bucket).prefix(layout.prefix().isEmpty()
                    ? null : layout.prefix() + "/").keyMarker(k).versionIdMarker(v));
            for (ObjectVersion o : page.versions()) {
                if (!layout.names(o.key())) {
                    out.add(new Problem(Problem.Kind.UNEXPLAINED_OBJECT, o.key(), -1, -1, "version " + o.versionId()
                            + " written " + o.lastModified() + " is nothing an archiver writes (no archived batch,"
                            + " manifest entry, digest, key record or revocation has this key): look at who wrote it"
                            + " in the S3 access logs"));
                }
            }
            for (DeleteMarkerEntry d : page.deleteMarkers()) {
                if (!layout.names(d.key())) {
                    out.add(new Problem(Problem.Kind.UNEXPLAINED_OBJECT, d.key(), -1, -1, "a delete marker put "
                            + d.lastModified() + " on a key the archive's layout does not name"));
                }
            }
            keyMarker = Boolean.TRUE.equals(page.isTruncated()) ? page.nextKeyMarker() : null;
            versionMarker = Boolean.TRUE.equals(page.isTruncated()) ? page.nextVersionIdMarker() : null;
        } while (keyMarker != null);
        return out;
    }

    private void list(String prefix, String topic, Instant from, Instant to, List<ListedObject> out) {
        String keyMarker = null;
        String versionMarker = null;
        do {
            String k = keyMarker;
            String v = versionMarker;
            ListObjectVersionsResponse page = s3.listObjectVersions(b -> b.bucket(bucket).prefix(prefix)
                    .keyMarker(k).versionIdMarker(v));
            for (ObjectVersion o : page.versions()) {
                layout.parseObject(o.key())
                        .filter(key -> key.topic().equals(topic))
                        .filter(key -> (from == null || !key.hour().isBefore(from))
                                && (to == null || key.hour().isBefore(to)))
                        .ifPresent(key -> out.add(new ListedObject(o.key(), o.versionId(), o.lastModified())));
            }
            keyMarker = Boolean.TRUE.equals(page.isTruncated()) ? page.nextKeyMarker() : null;
            versionMarker = Boolean.TRUE.equals(page.isTruncated()) ? page.nextVersionIdMarker() : null;
        } while (keyMarker != null);
    }
}
