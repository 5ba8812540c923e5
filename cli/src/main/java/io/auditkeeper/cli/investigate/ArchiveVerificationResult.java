package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.Problem;

import java.util.List;

/**
 * The whole outcome of {@code verify}: each partition's findings, the findings on the digests (which are what shows a
 * deleted chain tail), and where the public key came from, since a key read from the bucket itself proves less.
 */
public record ArchiveVerificationResult(String bucket, String prefix, String topic, TimeWindow window,
                                        String publicKeySource, boolean keyFromBucket, int digestsChecked,
                                        List<PartitionVerification> partitions, List<Problem> digestProblems) {
    public ArchiveVerificationResult {
        partitions = List.copyOf(partitions);
        digestProblems = List.copyOf(digestProblems);
    }

    public boolean ok() {
        return digestProblems.isEmpty() && partitions.stream().allMatch(PartitionVerification::ok);
    }

    public int problemCount() {
        return digestProblems.size() + partitions.stream().mapToInt(p -> p.problems().size()).sum();
    }
}
