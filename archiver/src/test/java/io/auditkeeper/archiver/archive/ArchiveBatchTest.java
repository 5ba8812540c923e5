package io.auditkeeper.archiver.archive;

import io.auditkeeper.evidence.proof.ArchivedEvents;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

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
}
