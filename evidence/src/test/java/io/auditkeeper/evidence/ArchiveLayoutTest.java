package io.auditkeeper.evidence;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The bucket's keys are part of the evidence: archives written years ago must be found by the same names. */
class ArchiveLayoutTest {
    private static final Instant T = Instant.parse("2026-03-04T05:06:07.089Z");

    @Test
    void shouldNameEveryKeyAsArchivesAlreadyWrittenNameThem() {
        ArchiveLayout root = new ArchiveLayout("");
        assertThat(root.events("audit.events", 3, 100, 101, T))
                .isEqualTo("events/2026/03/04/05/audit.events_0003_00000000000000000100-00000000000000000101.ndjson.gz");
        assertThat(root.object(ArchiveLayout.DEAD_LETTERS, "audit.dlq", 0, 7, 7, T))
                .isEqualTo("dead-letters/2026/03/04/05/audit.dlq_0000_00000000000000000007-00000000000000000007.ndjson.gz");
        assertThat(root.manifest("audit.events", 12, 0, 41))
                .isEqualTo("manifests/audit.events/0012/00000000000000000000-00000000000000000041.json");
        assertThat(root.digest(T)).isEqualTo("digests/2026/03/04/050607.089.json");
        assertThat(root.publicKey()).isEqualTo("manifests/public-key.pem");
    }

    @Test
    void shouldPutEveryKeyUnderThePrefixWhenOneIsGiven() {
        ArchiveLayout layout = new ArchiveLayout("tenant-a");
        assertThat(layout.events("t", 0, 1, 2, T)).startsWith("tenant-a/events/");
        assertThat(layout.manifests("t", 1)).isEqualTo("tenant-a/manifests/t/0001/");
        assertThat(layout.manifests("t")).isEqualTo("tenant-a/manifests/t/");
        assertThat(layout.digests()).isEqualTo("tenant-a/digests/");
        assertThat(layout.publicKey()).isEqualTo("tenant-a/manifests/public-key.pem");
        assertThat(new ArchiveLayout(null).digests()).isEqualTo("digests/");
    }

    @Test
    void shouldReadOffsetsAndPartitionsBackFromKeys() {
        ArchiveLayout layout = new ArchiveLayout("p");
        assertThat(ArchiveLayout.manifestOffsets(layout.manifest("t", 2, 5, 9))).containsExactly(5, 9);
        assertThat(ArchiveLayout.manifestOffsets("p/manifests/t/0002/garbage.json")).containsExactly(-1, -1);
        assertThat(ArchiveLayout.partitionOf(layout.manifests("t", 17))).isEqualTo(17);
    }

    @Test
    void shouldReadTopicPartitionAndOffsetsBackFromAnObjectKey() {
        ArchiveLayout layout = new ArchiveLayout("tenant-a");
        String key = layout.object(ArchiveLayout.DEAD_LETTERS, "audit.dlq_v2", 12, 100, 199, T);

        assertThat(layout.parseObject(key)).contains(new ArchiveLayout.ObjectKey(ArchiveLayout.DEAD_LETTERS,
                Instant.parse("2026-03-04T05:00:00Z"), "audit.dlq_v2", 12, 100, 199));
        assertThat(layout.parseObject(layout.events("t", 10000, 0, 1, T)).map(ArchiveLayout.ObjectKey::partition))
                .contains(10000);
        assertThat(layout.parseObject(new ArchiveLayout("other").events("t", 0, 0, 1, T))).isEmpty();
        assertThat(layout.parseObject(layout.manifest("t", 0, 0, 1))).isEmpty();
        assertThat(layout.parseObject("tenant-a/events/2026/03/04/05/t_0000_1-2.ndjson.gz")).isEmpty();
    }

    @Test
    void shouldNameTheDayAndHourPrefixesOfAnObjectDirectory() {
        ArchiveLayout layout = new ArchiveLayout("p");
        assertThat(layout.objects(ArchiveLayout.EVENTS)).isEqualTo("p/events/");
        assertThat(layout.objectDay(ArchiveLayout.EVENTS, T)).isEqualTo("p/events/2026/03/04/");
        assertThat(layout.objectHour(ArchiveLayout.DEAD_LETTERS, T)).isEqualTo("p/dead-letters/2026/03/04/05/");
        assertThat(layout.events("t", 0, 0, 1, T)).startsWith(layout.objectHour(ArchiveLayout.EVENTS, T));
    }

    @Test
    void shouldSortTheKeysFromAnOffsetOrATimeAfterTheirListingBound() {
        ArchiveLayout layout = new ArchiveLayout("p");
        String bound = layout.manifestsFrom("t", 3, 100);
        assertThat(layout.manifest("t", 3, 100, 100)).isGreaterThan(bound);
        assertThat(layout.manifest("t", 3, 101, 200)).isGreaterThan(bound);
        assertThat(layout.manifest("t", 3, 99, 1000)).isLessThan(bound);
        assertThat(bound).startsWith(layout.manifests("t", 3));

        String from = layout.digestsFrom(T);
        assertThat(layout.digest(T)).isGreaterThan(from);
        assertThat(layout.digest(T.plusMillis(1))).isGreaterThan(from);
        assertThat(layout.digest(T.minusMillis(1))).isLessThan(from);
    }

    @Test
    void shouldNameEveryKeyAnArchiverWritesAndNothingElse() {
        ArchiveLayout layout = new ArchiveLayout("run.1");
        java.time.Instant t = java.time.Instant.parse("2026-03-01T10:15:00Z");
        String keyId = "ab".repeat(32);

        assertThat(List.of(layout.events("audit.events", 3, 0, 9, t), layout.object(ArchiveLayout.DEAD_LETTERS,
                "audit.dlq", 0, 5, 5, t), layout.manifest("audit.events", 3, 0, 9), layout.digest(t),
                layout.keyRecord(keyId), layout.revocation(keyId), layout.publicKey()))
                .allSatisfy(key -> assertThat(layout.names(key)).as(key).isTrue());
        assertThat(List.of("run.1/events/notes.txt", "run.1/exports/patients.csv", "runX1/manifests/public-key.pem",
                "run.1/other/2026/03/01/10/audit.events_0003_00000000000000000000-00000000000000000009.ndjson.gz",
                "run.1/manifests/audit.events/0003/readme.json", "run.1/keys/" + keyId + ".json.bak",
                "events/2026/03/01/10/audit.events_0003_00000000000000000000-00000000000000000009.ndjson.gz"))
                .allSatisfy(key -> assertThat(layout.names(key)).as(key).isFalse());
    }
}
