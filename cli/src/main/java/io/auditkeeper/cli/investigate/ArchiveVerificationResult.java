package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.Leftover;
import io.auditkeeper.evidence.manifest.Problem;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole outcome of {@code verify}: each partition's findings, the findings on the digests (which are what shows a
 * deleted chain tail), the objects under the prefix that nothing explains ({@code unexplained}, null when not looked
 * for), and where the public key came from, since a key read from the bucket itself proves less. The
 * partitions' leftovers are explained findings, not problems: they do not make the result fail.
 */
public record ArchiveVerificationResult(String bucket, String prefix, String topic, TimeWindow window,
                                        String publicKeySource, boolean keyFromBucket, int digestsChecked,
                                        List<PartitionVerification> partitions, List<Problem> digestProblems,
                                        List<String> trustedKeys, List<Problem> keyProblems,
                                        List<Problem> unexplained) {
    public ArchiveVerificationResult {
        partitions = List.copyOf(partitions);
        digestProblems = List.copyOf(digestProblems);
        trustedKeys = List.copyOf(trustedKeys);
        keyProblems = List.copyOf(keyProblems);
        unexplained = unexplained == null ? null : List.copyOf(unexplained);
    }

    /** A result that did not look at the key history (nothing trusted but the pinned key, nothing found of it). */
    public ArchiveVerificationResult(String bucket, String prefix, String topic, TimeWindow window,
                                     String publicKeySource, boolean keyFromBucket, int digestsChecked,
                                     List<PartitionVerification> partitions, List<Problem> digestProblems) {
        this(bucket, prefix, topic, window, publicKeySource, keyFromBucket, digestsChecked, partitions, digestProblems,
                List.of(), List.of(), null);
    }

    public boolean ok() {
        return digestProblems.isEmpty() && keyProblems.isEmpty() && (unexplained == null || unexplained.isEmpty())
                && partitions.stream().allMatch(PartitionVerification::ok);
    }

    public int problemCount() {
        return digestProblems.size() + keyProblems.size() + (unexplained == null ? 0 : unexplained.size())
                + partitions.stream().mapToInt(p -> p.problems().size()).sum();
    }

    /** Every partition's leftovers, partition by partition. */
    public List<Leftover> leftovers() {
        return partitions.stream().flatMap(p -> p.leftovers().stream()).toList();
    }

    /** How many leftovers of each kind there are, in the kinds' order; only kinds found. */
    public Map<Leftover.Kind, Integer> leftoverCounts() {
        Map<Leftover.Kind, Integer> counts = new TreeMap<>();
        leftovers().forEach(l -> counts.merge(l.kind(), 1, Integer::sum));
        return counts;
    }
}
