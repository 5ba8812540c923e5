package io.auditkeeper.archiver.archive;

import io.auditkeeper.evidence.proof.ArchivedEvents;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchiveBatchTest {

    @Test
    void shouldRecordTheMerkleRootThatTheObjectsOwnLinesGive() throws Exception {
        ArchiveBatch batch = new ArchiveBatch("audit.events", 0, 10);
        for (int i = 0; i < 13; i++) {
            batch.add(10 + 2L * i, 1_000L + i, ("{\"auditID\":\"a" + i + "\",\"note\":\"é\"}").getBytes(StandardCharsets.UTF_8));
        }

        assertThat(batch.merkleRoot()).matches("[0-9a-f]{64}").isEqualTo(ArchivedEvents.merkleRoot(batch.encode()));
        assertThat(ArchivedEvents.lines(batch.encode())).hasSize(13);
    }

    @Test
    void shouldEncodeTheSameLinesAsStandardGzipAtEveryLevelAndRefuseALevelOutsideOneToNine() throws Exception {
        ArchiveBatch batch = new ArchiveBatch("audit.events", 0, 0);
        for (int i = 0; i < 200; i++) {
            batch.add(i, 1_000L + i, ("{\"auditID\":\"a" + i + "\",\"verb\":\"get\",\"namespace\":\"phi-records\"}")
                    .getBytes(StandardCharsets.UTF_8));
        }

        byte[] fastest = batch.encode(1);
        byte[] smallest = batch.encode(9);

        assertThat(fastest).isNotEqualTo(smallest).startsWith((byte) 0x1f, (byte) 0x8b, (byte) 8);
        assertThat(smallest).startsWith((byte) 0x1f, (byte) 0x8b, (byte) 8);
        assertThat(ArchivedEvents.lines(fastest)).hasSize(200).containsExactlyElementsOf(ArchivedEvents.lines(smallest));
        assertThat(ArchivedEvents.merkleRoot(fastest)).isEqualTo(batch.merkleRoot()).isEqualTo(ArchivedEvents.merkleRoot(smallest));
        assertThat(batch.encode(1)).as("deterministic at a level").isEqualTo(fastest);
        assertThat(batch.encode()).isEqualTo(batch.encode(ArchiveBatch.DEFAULT_COMPRESSION_LEVEL));
        assertThatThrownBy(() -> batch.encode(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> batch.encode(10)).isInstanceOf(IllegalArgumentException.class);
    }
}
