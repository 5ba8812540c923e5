package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.KeyHistory;
import io.auditkeeper.evidence.manifest.Leftover;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.evidence.manifest.Problem;
import io.auditkeeper.evidence.manifest.VerificationReport;
import io.auditkeeper.evidence.store.ArchivedObjectReader;
import io.auditkeeper.evidence.store.DigestReader;
import io.auditkeeper.evidence.store.KeyRecordReader;
import io.auditkeeper.evidence.store.ListedObject;
import io.auditkeeper.evidence.store.ManifestReader;
import io.auditkeeper.evidence.store.ObjectStore;
import io.auditkeeper.evidence.store.S3ObjectStore;
import io.auditkeeper.evidence.store.StoredObject;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Reads an archive's manifest chains and digests and hands them to the archiver's {@link ManifestVerifier}: this class
 * only chooses what to verify (the partitions found under the manifests prefix, the entries of the period) and never
 * judges an entry itself, so the CLI and the archiver's own tests agree on what "intact" means.
 *
 * <p>For a period, the entries whose event times overlap it are verified as a consecutive range anchored on the hash
 * of the entry just before it (or the chain's genesis). Without a start, every entry of each chain is read and the
 * latest digest is held against the whole chains, because a deleted tail is only visible there. With a start, only
 * what the period needs is read (see {@code verifyPeriod}), so that a day of an archive six years old costs a day.
 *
 * <p>The topic's objects of the period are listed too ({@link ArchivedObjectReader}), and those that no entry of the
 * chains names handed to {@link ManifestVerifier#unreferencedObjects}: what an archiver that lost its partition left
 * behind is reported as a leftover, not a problem (docs/archiver.md, "Several archivers").
 */
public final class ArchiveVerification {
    /**
     * How long before a period's start its objects are listed: an object is filed under the hour of its first record,
     * and a batch is cut within {@code batch.max-age-ms} (a minute by default), so one holding events of the period
     * began at most that long before it.
     */
    static final Duration PERIOD_SLACK = Duration.ofHours(1);
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final ManifestVerifier verifier;
    private final Duration minimumRetention;
    private Progress progress;
    private int parallelism = 1;

    /** Told after each archived object is checked, for a progress line; never told anything else. */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param partition   the partition being verified
         * @param checked     objects of it checked so far
         * @param objects     objects of it in the period
         * @param partitionsLeft partitions after this one
         */
        void objectChecked(int partition, int checked, int objects, int partitionsLeft);
    }

    public ArchiveVerification(S3Client s3, String bucket, String prefix, ManifestVerifier verifier,
                               Duration minimumRetention) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.verifier = verifier;
        this.minimumRetention = minimumRetention;
    }

    /** Reports each object checked to {@code progress} (null: to nobody). */
    public ArchiveVerification withProgress(Progress progress) {
        this.progress = progress;
        return this;
    }

    /**
     * Reads up to {@code requests} objects (and version listings) of the bucket at once, ahead of the checks
     * ({@link PrefetchingObjectStore}); 1 reads one at a time.
     */
    public ArchiveVerification withParallelism(int requests) {
        if (requests < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        this.parallelism = requests;
        return this;
    }

    /** Verifies every partition of {@code topic} found under the manifests prefix, and the digests. */
    public Outcome verify(String topic, TimeWindow window, Instant now) {
        ExecutorService pool = parallelism > 1 ? Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "verify-read");
            t.setDaemon(true);
            return t;
        }) : null;
        try {
            return verify(topic, window, now, pool);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private Outcome verify(String topic, TimeWindow window, Instant now, ExecutorService pool) {
        ArchiveLayout layout = new ArchiveLayout(prefix);
        // every key trusted from the pinned one through the archive's key history; entries name theirs
        KeyRecordReader.History history = new KeyRecordReader(s3, bucket, layout).read();
        KeyHistory keys = history.trustFrom(this.verifier.keys().pinnedKey());
        ManifestVerifier verifier = ManifestVerifier.withKeys(keys);
        List<Problem> keyProblems = new ArrayList<>(history.problems());
        keyProblems.addAll(keys.problems());
        ManifestReader manifests = new ManifestReader(s3, bucket, layout);
        S3ObjectStore objects = new S3ObjectStore(s3, bucket);
        if (!window.from().equals(Instant.EPOCH)) {
            return verifyPeriod(topic, window, now, pool, layout, verifier, keyProblems);
        }

        Map<String, List<ManifestEntry>> chains = new LinkedHashMap<>();
        Map<Integer, List<ManifestEntry>> topicChains = new TreeMap<>();
        Map<Integer, List<ManifestEntry>> ranges = new TreeMap<>();
        Map<Integer, VerificationReport> reports = new TreeMap<>();
        Map<Integer, List<Problem>> chainProblems = new TreeMap<>();
        TreeSet<Integer> all = new TreeSet<>(manifests.partitions(topic));
        int left = all.size();
        for (int partition : all) {
            left--;
            ManifestReader.Chain read = pool == null ? manifests.readChain(topic, partition)
                    : manifests.readChain(topic, partition, pool);
            List<ManifestEntry> chain = read.entries();
            chains.put(topic + "-" + partition, chain);
            topicChains.put(partition, chain);
            int first = firstInPeriod(window, chain);
            List<ManifestEntry> range = chain.subList(first, endOfPeriod(window, chain, first));
            String anchor = first == 0 ? ManifestEntry.GENESIS : chain.get(first - 1).hash();
            VerificationReport report = range.isEmpty()
                    ? new VerificationReport(List.of(), 0, -1, -1)
                    : verifier.verifyPartition(range, anchor, counted(pool == null ? objects
                    : new PrefetchingObjectStore(objects, range, pool, parallelism), partition, range, left),
                    now, minimumRetention);
            ranges.put(partition, range);
            reports.put(partition, report);
            List<Problem> found = new ArrayList<>(read.problems());
            found.addAll(verifier.revokedSignatures(range, read::writtenAt));
            chainProblems.put(partition, found);
        }

        Map<Integer, List<Leftover>> unreferenced = ManifestVerifier.unreferencedObjects(layout, topic,
                listObjects(layout, topic, window, topicChains, ranges), topicChains);
        List<PartitionVerification> partitions = new ArrayList<>();
        TreeSet<Integer> found = new TreeSet<>(all);
        found.addAll(unreferenced.keySet());
        for (int partition : found) {
            VerificationReport report = reports.get(partition);
            List<Problem> problems = new ArrayList<>(chainProblems.getOrDefault(partition, List.of()));
            List<Leftover> leftovers = new ArrayList<>();
            if (report != null) {
                problems.addAll(report.problems());
                leftovers.addAll(report.leftovers());
            }
            leftovers.addAll(unreferenced.getOrDefault(partition, List.of()));
            partitions.add(new PartitionVerification(topic, partition, ranges.getOrDefault(partition, List.of()),
                    problems, leftovers));
        }

        DigestReader.Digests read = new DigestReader(s3, bucket, layout).everyVersion();
        List<Digest> digests = read.digests();
        if (!digests.isEmpty()) {
            // the latest digest may vouch for other topics' heads too; their chains are needed to judge it
            for (Digest.PartitionHead head : digests.get(digests.size() - 1).heads()) {
                chains.computeIfAbsent(head.topicPartition(), k -> manifests.readChain(head.topic(), head.partition()).entries());
            }
        }
        List<Problem> digestProblems = new ArrayList<>(verifier.verifyDigests(digests, chains));
        digestProblems.addAll(read.rewritten());
        digestProblems.addAll(verifier.revokedDigests(digests, read::writtenAt));
        return new Outcome(partitions, digestProblems, digests.size(), verifier.keys().trustedIds(), keyProblems,
                new ArchivedObjectReader(s3, bucket, layout).unexplained());
    }

    /**
     * A period with a start, reading what it needs and no more, so that its cost follows the period and not the
     * archive's age: the topic's objects listed from {@link #PERIOD_SLACK} before the start to the end (their keys name
     * their offsets), the manifest entries of those offsets and the one before them (its hash anchors the range), the
     * digests from the same time on until one seals each partition's range, and the entries between a range's end and
     * the head that digest names. A deleted tail of a chain is outside any period: {@code verify} without
     * {@code --from} checks it against the latest digest.
     */
    private Outcome verifyPeriod(String topic, TimeWindow window, Instant now, ExecutorService pool,
                                 ArchiveLayout layout, ManifestVerifier verifier, List<Problem> keyProblems) {
        ManifestReader manifests = new ManifestReader(s3, bucket, layout);
        S3ObjectStore objects = new S3ObjectStore(s3, bucket);
        java.util.concurrent.Executor reads = pool == null ? Runnable::run : pool;
        Instant listFrom = window.from().minus(PERIOD_SLACK);
        Instant to = window.to().equals(Instant.MAX) ? null : window.to();
        ArchivedObjectReader reader = new ArchivedObjectReader(s3, bucket, layout);
        List<ListedObject> listed = new ArrayList<>();
        for (String directory : List.of(ArchiveLayout.EVENTS, ArchiveLayout.DEAD_LETTERS)) {
            listed.addAll(reader.versions(directory, topic, listFrom, to));
        }
        Map<Integer, long[]> spans = new TreeMap<>();
        for (ListedObject o : listed) {
            layout.parseObject(o.key()).ifPresent(k -> spans.merge(k.partition(),
                    new long[] {k.firstOffset(), k.lastOffset()},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])}));
        }
        TreeSet<Integer> all = new TreeSet<>(manifests.partitions(topic));
        all.addAll(spans.keySet());
        Map<Integer, List<ManifestEntry>> topicChains = new TreeMap<>();
        Map<Integer, List<ManifestEntry>> ranges = new TreeMap<>();
        Map<Integer, VerificationReport> reports = new TreeMap<>();
        Map<Integer, List<Problem>> chainProblems = new TreeMap<>();
        int left = all.size();
        for (int partition : all) {
            left--;
            long[] span = spans.get(partition);
            List<Problem> found = new ArrayList<>();
            chainProblems.put(partition, found);
            if (span == null) {
                ranges.put(partition, List.of());
                reports.put(partition, new VerificationReport(List.of(), 0, -1, -1));
                continue;
            }
            ManifestReader.Chain read = manifests.readRange(topic, partition, span[0], span[1], reads);
            List<ManifestEntry> chain = read.entries();
            topicChains.put(partition, chain);
            found.addAll(read.problems());
            int first = firstInPeriod(window, chain);
            List<ManifestEntry> range = chain.subList(first, endOfPeriod(window, chain, first));
            String anchor = first > 0 ? chain.get(first - 1).hash()
                    : anchorBefore(manifests, topic, partition, chain.isEmpty() ? span[0] : chain.get(0).firstOffset(),
                    found);
            VerificationReport report = range.isEmpty()
                    ? new VerificationReport(List.of(), 0, -1, -1)
                    : verifier.verifyPartition(range, anchor, counted(pool == null ? objects
                    : new PrefetchingObjectStore(objects, range, pool, parallelism), partition, range, left),
                    now, minimumRetention);
            ranges.put(partition, range);
            reports.put(partition, report);
            found.addAll(verifier.revokedSignatures(range, read::writtenAt));
        }

        Map<String, ManifestEntry> ends = new LinkedHashMap<>();
        ranges.values().stream().filter(r -> !r.isEmpty()).map(r -> r.get(r.size() - 1))
                .forEach(e -> ends.put(e.topicPartition(), e));
        DigestReader.Digests read = new DigestReader(s3, bucket, layout).from(listFrom,
                digests -> (to == null || !createdAt(digests.get(digests.size() - 1)).isBefore(to))
                        && ends.values().stream().allMatch(e -> covering(digests, e) != null));
        List<Digest> digests = read.digests();
        List<Problem> digestProblems = new ArrayList<>(verifier.verifyDigestChain(digests,
                digests.isEmpty() ? ManifestEntry.GENESIS : digests.get(0).previousDigestHash()));
        digestProblems.addAll(read.rewritten());
        digestProblems.addAll(verifier.revokedDigests(digests, read::writtenAt));
        for (ManifestEntry end : ends.values()) {
            Digest digest = covering(digests, end);
            if (digest == null) {
                continue;
            }
            long head = digest.heads().stream().filter(h -> h.topicPartition().equals(end.topicPartition()))
                    .findFirst().orElseThrow().lastOffset();
            ManifestReader.Chain link = manifests.readRange(end.topic(), end.partition(), end.lastOffset() + 1, head,
                    reads);
            List<ManifestEntry> fromEnd = new ArrayList<>();
            fromEnd.add(end);
            fromEnd.addAll(link.entries());
            List<Problem> partitionProblems = chainProblems.get(end.partition());
            partitionProblems.addAll(link.problems());
            partitionProblems.addAll(verifier.sealedBy(digest, fromEnd));
        }

        Map<Integer, List<Leftover>> unreferenced = ManifestVerifier.unreferencedObjects(layout, topic, listed,
                topicChains);
        List<PartitionVerification> partitions = new ArrayList<>();
        for (int partition : all) {
            VerificationReport report = reports.get(partition);
            List<Problem> problems = new ArrayList<>(chainProblems.get(partition));
            problems.addAll(report.problems());
            List<Leftover> leftovers = new ArrayList<>(report.leftovers());
            leftovers.addAll(unreferenced.getOrDefault(partition, List.of()));
            partitions.add(new PartitionVerification(topic, partition, ranges.get(partition), problems, leftovers));
        }
        return new Outcome(partitions, digestProblems, digests.size(), verifier.keys().trustedIds(), keyProblems, null);
    }

    /**
     * The hash the first entry read must record as previousHash: that of the entry before it (read at its first
     * version, a rewritten one noted in {@code problems}), or the genesis when there is none.
     */
    private static String anchorBefore(ManifestReader manifests, String topic, int partition, long firstOffset,
                                       List<Problem> problems) {
        if (firstOffset <= 0) {
            return ManifestEntry.GENESIS;
        }
        java.util.Optional<String> key = manifests.keyAtOrBefore(topic, partition, firstOffset - 1);
        if (key.isEmpty()) {
            return ManifestEntry.GENESIS;
        }
        long start = ArchiveLayout.manifestOffsets(key.get())[0];
        ManifestReader.Chain before = manifests.readRange(topic, partition, start, start, Runnable::run);
        problems.addAll(before.problems());
        List<ManifestEntry> entries = before.entries();
        return entries.isEmpty() ? ManifestEntry.GENESIS : entries.get(entries.size() - 1).hash();
    }

    /** The first of {@code digests} that names a head of {@code end}'s partition at or after it; null if none. */
    private static Digest covering(List<Digest> digests, ManifestEntry end) {
        for (Digest d : digests) {
            if (d.heads() != null && d.heads().stream().anyMatch(h -> h != null
                    && h.topicPartition().equals(end.topicPartition()) && h.lastOffset() >= end.lastOffset())) {
                return d;
            }
        }
        return null;
    }

    private static Instant createdAt(Digest digest) {
        Instant t = instant(digest.createdAt());
        return t == null ? Instant.EPOCH : t;
    }

    /**
     * The versions of {@code topic}'s objects in the bucket for the period, to find those no entry names: under each
     * directory its entries' keys are in (both {@link ArchiveLayout#EVENTS} and {@link ArchiveLayout#DEAD_LETTERS}
     * when it has none), from the hour of the earliest entry verified (or the period's start, if earlier) to the
     * period's end; the whole directory when the period has no start.
     */
    private List<ListedObject> listObjects(ArchiveLayout layout, String topic, TimeWindow window,
                                           Map<Integer, List<ManifestEntry>> chains,
                                           Map<Integer, List<ManifestEntry>> ranges) {
        TreeSet<String> directories = new TreeSet<>();
        chains.values().forEach(chain -> chain.forEach(e -> layout.parseObject(e.key())
                .ifPresent(k -> directories.add(k.directory()))));
        if (directories.isEmpty()) {
            directories.addAll(List.of(ArchiveLayout.EVENTS, ArchiveLayout.DEAD_LETTERS));
        }
        Instant from = null;
        if (!window.from().equals(Instant.EPOCH)) {
            from = window.from();
            for (List<ManifestEntry> range : ranges.values()) {
                Instant first = range.isEmpty() ? null : instant(range.get(0).firstEventTime());
                if (first != null && first.isBefore(from)) {
                    from = first;
                }
            }
        }
        Instant to = window.to().equals(Instant.MAX) ? null : window.to();
        ArchivedObjectReader reader = new ArchivedObjectReader(s3, bucket, layout);
        List<ListedObject> out = new ArrayList<>();
        for (String directory : directories) {
            out.addAll(reader.versions(directory, topic, from, to));
        }
        return out;
    }

    /**
     * The store, telling {@link #progress} of each entry's object read (one {@code get} of its recorded version per
     * entry verified; the reads of other versions of a key are not counted).
     */
    private ObjectStore counted(ObjectStore store, int partition, List<ManifestEntry> range, int partitionsLeft) {
        if (progress == null) {
            return store;
        }
        Set<String> recorded = new HashSet<>();
        range.forEach(e -> recorded.add(e.key() + "\n" + e.versionId()));
        int total = range.size();
        int[] checked = {0};
        return new ObjectStore() {
            @Override
            public java.util.Optional<StoredObject> get(String key, String versionId) {
                java.util.Optional<StoredObject> o = store.get(key, versionId);
                if (recorded.contains(key + "\n" + versionId)) {
                    progress.objectChecked(partition, ++checked[0], total, partitionsLeft);
                }
                return o;
            }

            @Override
            public List<String> versions(String key) {
                return store.versions(key);
            }
        };
    }

    /**
     * The index of the first entry of {@code chain} that overlaps the period. From it to {@link #endOfPeriod} is the
     * range verified: from the first to the last entry overlapping the period, so that the range stays consecutive.
     */
    private static int firstInPeriod(TimeWindow window, List<ManifestEntry> chain) {
        int first = 0;
        while (first < chain.size() && !overlaps(window, chain.get(first))) {
            first++;
        }
        return first;
    }

    /** The index after the last entry of {@code chain} that overlaps the period, {@code first} at the least. */
    private static int endOfPeriod(TimeWindow window, List<ManifestEntry> chain, int first) {
        int end = chain.size();
        while (end > first && !overlaps(window, chain.get(end - 1))) {
            end--;
        }
        return end;
    }

    private static boolean overlaps(TimeWindow window, ManifestEntry e) {
        return !window.bounded() || window.overlaps(instant(e.firstEventTime()), instant(e.lastEventTime()));
    }

    /** An entry's time, or null when unreadable (the verifier reports that; the entry is then kept in the range). */
    static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The partitions' findings, the digests', the key history's, and the objects under the prefix that the layout
     * does not name ({@code unexplained}: null when not looked for, in a period).
     */
    public record Outcome(List<PartitionVerification> partitions, List<Problem> digestProblems, int digestsChecked,
                          List<String> trustedKeys, List<Problem> keyProblems, List<Problem> unexplained) {
    }
}
