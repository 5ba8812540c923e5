package io.auditkeeper.archiver.archive;

import io.auditkeeper.evidence.manifest.Digest;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The committed digest is what a new digest writer chains onto: it must come back byte for byte, and fit. */
class DigestScheduleTest {
    @Test
    void shouldReadBackTheSameSignedDigestFromTheCommittedMetadata(@TempDir Path dir) {
        Digest digest = digest(dir, 24);

        OffsetAndMetadata committed = new OffsetAndMetadata(0, DigestSchedule.encode(digest));

        assertThat(DigestSchedule.decode(committed)).contains(digest);
        assertThat(DigestSchedule.decode(committed).orElseThrow().hash()).isEqualTo(digest.hash());
    }

    @Test
    void shouldFitTheBrokersDefaultMetadataLimitForFortyEightPartitions(@TempDir Path dir) {
        assertThat(DigestSchedule.encode(digest(dir, 48)).length()).isLessThan(4096);
    }

    @Test
    void shouldFindNoDigestInAnOffsetCommittedWithoutOne() {
        assertThat(DigestSchedule.decode(null)).isEmpty();
        assertThat(DigestSchedule.decode(new OffsetAndMetadata(5, ""))).isEmpty();
        assertThat(DigestSchedule.decode(new OffsetAndMetadata(5, "archive-entry:{}"))).isEmpty();
    }

    private static Digest digest(Path dir, int partitions) {
        ManifestSigner.generate(dir.resolve("k.pem"), dir.resolve("k.pub.pem"));
        ManifestSigner signer = ManifestSigner.fromPemFile(dir.resolve("k.pem"));
        List<Digest.PartitionHead> heads = new ArrayList<>();
        java.util.Random random = new java.util.Random(partitions);
        for (int p = 0; p < partitions; p++) {
            byte[] hash = new byte[32];
            random.nextBytes(hash);
            heads.add(new Digest.PartitionHead(p % 2 == 0 ? "audit.events" : "audit.dlq", p, 1_000_000_000L + p,
                    HexFormat.of().formatHex(hash)));
        }
        return signer.sign(Digest.unsigned(Instant.parse("2026-12-06T08:00:00Z"), heads, ManifestEntry.GENESIS));
    }
}
