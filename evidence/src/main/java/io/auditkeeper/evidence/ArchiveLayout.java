package io.auditkeeper.evidence;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every key of the archive bucket, in one place, because the layout is part of the evidence: the archiver writes
 * under these keys, and {@code verify}, {@code replay archive}, {@code report} and {@code docs/verify-by-hand.sh} find
 * the evidence by them. Under an optional prefix ({@code [<prefix>/]}):
 * <ul>
 *   <li>{@value #EVENTS}{@code /yyyy/MM/dd/HH/<topic>_<partition>_<firstOffset>-<lastOffset>.ndjson.gz}, and the same
 *       under {@value #DEAD_LETTERS}{@code /} for the dead-letter topic: deterministic from what a batch holds, so
 *       that a retried write lands on the same key; the hour is that of the batch's first record (UTC); no {@code +},
 *       which some S3 servers mis-sign; a time range is a prefix listing;</li>
 *   <li>{@code manifests/<topic>/<partition>/<firstOffset>-<lastOffset>.json}: one signed entry per object, so the
 *       listing of a partition is its chain's order and the last key its head;</li>
 *   <li>{@code digests/yyyy/MM/dd/HHmmss.SSS.json}: the periodic signed digests of every chain's head;</li>
 *   <li>{@code keys/<keyId>.json}: the key history, one record per signing key, each signed by the key before it
 *       ({@code KeyRecord});</li>
 *   <li>{@code manifests/public-key.pem}: the archive's first public key, for convenience (evidence checks against a
 *       copy kept elsewhere).</li>
 * </ul>
 * Offsets are zero-padded to 20 digits and partitions to 4, so that names sort.
 */
public final class ArchiveLayout {
    /** Directory of the events' objects. */
    public static final String EVENTS = "events";
    /** Directory of the dead-letter topic's objects. */
    public static final String DEAD_LETTERS = "dead-letters";
    /** User metadata of every archived object: the SHA-256 (hex) of its bytes. */
    public static final String SHA256_METADATA = "auditkeeper-sha256";

    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
    /** {@code <dir>/yyyy/MM/dd/HH/<topic>_<pppp>_<first>-<last>.ndjson.gz}, after the prefix. */
    private static final Pattern OBJECT = Pattern.compile(
            "([^/]+)/(\\d{4}/\\d{2}/\\d{2}/\\d{2})/([^/]+)_(\\d{4,})_(\\d{20})-(\\d{20})\\.ndjson\\.gz");
    /** Manifest entries, digests, key records and revocations, after the prefix. */
    private static final Pattern KNOWN = Pattern.compile("manifests/[^/]+/\\d{4,}/\\d{20}-\\d{20}\\.json"
            + "|digests/\\d{4}/\\d{2}/\\d{2}/\\d{6}\\.\\d{3}\\.json|(keys|key-revocations)/[0-9a-f]{64}\\.json");
    private static final DateTimeFormatter DIGEST_TIME =
            DateTimeFormatter.ofPattern("yyyy/MM/dd/HHmmss.SSS").withZone(ZoneOffset.UTC);

    private final String prefix;
    private final String root;

    /** The layout under {@code prefix} (null or empty: the bucket's root). */
    public ArchiveLayout(String prefix) {
        this.prefix = prefix == null ? "" : prefix;
        this.root = this.prefix.isEmpty() ? "" : this.prefix + "/";
    }

    /** The prefix as configured, without a trailing slash; empty for the bucket's root. */
    public String prefix() {
        return prefix;
    }

    /** An archived batch of {@code topic}'s records under {@code directory} ({@link #EVENTS} or {@link #DEAD_LETTERS}). */
    public String object(String directory, String topic, int partition, long firstOffset, long lastOffset,
                         Instant firstRecordTime) {
        return root + directory + "/" + HOUR.format(firstRecordTime) + "/" + topic + "_" + partition(partition) + "_"
                + offset(firstOffset) + "-" + offset(lastOffset) + ".ndjson.gz";
    }

    /** An archived batch of events. */
    public String events(String topic, int partition, long firstOffset, long lastOffset, Instant firstRecordTime) {
        return object(EVENTS, topic, partition, firstOffset, lastOffset, firstRecordTime);
    }

    /** Where {@code directory}'s objects are ({@link #EVENTS} or {@link #DEAD_LETTERS}), every hour of them. */
    public String objects(String directory) {
        return root + directory + "/";
    }

    /** Where {@code directory}'s objects whose first record is of {@code time}'s UTC day are: a listing's prefix. */
    public String objectDay(String directory, Instant time) {
        return objects(directory) + DAY.format(time) + "/";
    }

    /** Where {@code directory}'s objects whose first record is of {@code time}'s UTC hour are: a listing's prefix. */
    public String objectHour(String directory, Instant time) {
        return objects(directory) + HOUR.format(time) + "/";
    }

    /**
     * What an archived object's key says about it ({@link #object}): its directory, the hour of its first record, its
     * topic, partition and offsets; empty for a key under another prefix or of another shape. What a verifier reads
     * from a key that no manifest entry names, since only the key is there to tell what it holds.
     */
    public Optional<ObjectKey> parseObject(String key) {
        if (key == null || !key.startsWith(root)) {
            return Optional.empty();
        }
        Matcher m = OBJECT.matcher(key.substring(root.length()));
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            Instant hour = HOUR.parse(m.group(2), Instant::from);
            return Optional.of(new ObjectKey(m.group(1), hour, m.group(3), Integer.parseInt(m.group(4)),
                    Long.parseLong(m.group(5)), Long.parseLong(m.group(6))));
        } catch (DateTimeParseException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether {@code key} is one this layout defines: an archived object, a manifest entry, the public key, a digest,
     * a key record or a revocation. A key under the prefix that is none of them was not written by an archiver: what a
     * verifier lists as unexplained.
     */
    public boolean names(String key) {
        if (key == null || !key.startsWith(root)) {
            return false;
        }
        String rest = key.substring(root.length());
        return parseObject(key).filter(k -> k.directory().equals(EVENTS) || k.directory().equals(DEAD_LETTERS))
                .isPresent() || rest.equals("manifests/public-key.pem")
                || KNOWN.matcher(rest).matches();
    }

    /**
     * An archived object's key, read back: {@code hour} is the UTC hour of the batch's first record, {@code directory}
     * {@link #EVENTS} or {@link #DEAD_LETTERS} (or whatever directory the key is under).
     */
    public record ObjectKey(String directory, Instant hour, String topic, int partition, long firstOffset,
                            long lastOffset) {
    }

    /** The manifest entry of the object that holds these offsets. */
    public String manifest(String topic, int partition, long firstOffset, long lastOffset) {
        return manifests(topic, partition) + offset(firstOffset) + "-" + offset(lastOffset) + ".json";
    }

    /**
     * A listing's {@code StartAfter} within a partition's manifest chain: the keys of the entries whose first offset is
     * {@code firstOffset} or later sort after it, the others before.
     */
    public String manifestsFrom(String topic, int partition, long firstOffset) {
        return manifests(topic, partition) + offset(firstOffset);
    }

    /** Where a partition's manifest chain is, in chain order. */
    public String manifests(String topic, int partition) {
        return manifests(topic) + partition(partition) + "/";
    }

    /** Where the manifest chains of a topic's partitions are, one "directory" per partition. */
    public String manifests(String topic) {
        return root + "manifests/" + topic + "/";
    }

    /** The digest written at {@code time}. */
    public String digest(Instant time) {
        return digests() + DIGEST_TIME.format(time) + ".json";
    }

    /**
     * A listing's {@code StartAfter} among the digests: the digests written at {@code time} (to the millisecond) or
     * later sort after it, the others before.
     */
    public String digestsFrom(Instant time) {
        return digests() + DIGEST_TIME.format(time);
    }

    /** Where the digests are, oldest first. */
    public String digests() {
        return root + "digests/";
    }

    /** Where the key history's records are. */
    public String keys() {
        return root + "keys/";
    }

    /** Where the revocations of signing keys are. */
    public String revocations() {
        return root + "key-revocations/";
    }

    /** The revocation of one signing key. */
    public String revocation(String keyId) {
        return revocations() + keyId + ".json";
    }

    /** The record of one signing key. */
    public String keyRecord(String keyId) {
        return keys() + keyId + ".json";
    }

    /** The public key the archiver publishes next to its manifests. */
    public String publicKey() {
        return root + "manifests/public-key.pem";
    }

    /**
     * {@code {first, last}} from a manifest key {@code .../<first>-<last>.json}; -1 for what it does not say (a key
     * that is not a manifest entry's).
     */
    public static long[] manifestOffsets(String manifestKey) {
        String name = manifestKey.substring(manifestKey.lastIndexOf('/') + 1).replace(".json", "");
        int dash = name.indexOf('-');
        try {
            return new long[] {Long.parseLong(name.substring(0, dash)), Long.parseLong(name.substring(dash + 1))};
        } catch (RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    /** The partition a listing's common prefix {@code .../manifests/<topic>/<partition>/} names. */
    public static int partitionOf(String commonPrefix) {
        String last = commonPrefix.substring(0, commonPrefix.length() - 1);
        return Integer.parseInt(last.substring(last.lastIndexOf('/') + 1));
    }

    private static String partition(int partition) {
        return String.format("%04d", partition);
    }

    private static String offset(long offset) {
        return String.format("%020d", offset);
    }
}
