package io.auditkeeper.cli.investigate;

import io.auditkeeper.archiver.archive.S3ManifestStore;
import io.auditkeeper.evidence.manifest.ManifestCodec;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code auditkeeper replay archive} against archives the real archiver wrote to Ceph (Object Lock enforced): 40
 * events, one a minute, on two partitions (even events on 0, odd on 1), ten per object, so each partition has two
 * objects: events 0-18 and 20-38 on partition 0, 1-19 and 21-39 on partition 1. One archive stays intact; another is
 * tampered with as Object Lock still allows: a new version written on top of a data object (the recorded version is
 * intact, so the replay goes on) and a new version of a manifest entry with an altered field (its signature fails).
 */
@ExtendWith(LocalStackExtension.class)
class ReplayArchiveCommandIT {
    private static final List<String> REPLAY = List.of("replay", "archive");

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final int EVENTS = 40;
    private static final int PARTITIONS = 2;

    @TempDir
    static Path dir;

    private static TestArchive intact;
    private static TestArchive tampered;
    private static ManifestEntry alteredEntry;
    private static ManifestEntry overwrittenObject;
    private static String alteredManifest;

    /** Event i: namespace, verb, actor and cluster vary with i so that filters pick known ones. */
    private static String event(int i) {
        String ns = i % 2 == 0 ? "phi-records" : "default";
        return "{\"schemaVersion\":1,\"cluster\":\"" + (i % 5 == 0 ? "prod-west" : "prod-east") + "\",\"auditID\":\"a-" + i
                + "\",\"stage\":\"ResponseComplete\",\"timestamp\":\"" + T0.plus(Duration.ofMinutes(i)) + "\",\"verb\":\""
                + (i % 3 == 0 ? "get" : "list") + "\",\"actor\":\"" + (i % 4 == 0 ? "alice" : "bob")
                + "\",\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"" + ns + "\",\"name\":\"db\"}}";
    }

    private static List<String> events(int... is) {
        return IntStream.of(is).mapToObj(ReplayArchiveCommandIT::event).toList();
    }

    @Test
    void shouldPrintExactlyTheFilteredEventsOfThePeriodInPartitionAndOffsetOrderWhenTheArchiveIsIntact(LocalStack stack)
            throws Exception {
        TestArchive a = intact(stack);

        // [10:06, 10:30) and verb get: 6, 9, 12, ..., 27; partition 0 (even) first, each in offset (= time) order
        CliRun run = CliRun.of(a.args(REPLAY, "--public-key", a.publicKey().toString(), "--from", "2026-03-01T10:06:00Z",
                "--to", "2026-03-01T10:30:00Z", "--verb", "get", "--resource", "secrets"));

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out().lines().toList()).containsExactlyElementsOf(events(6, 12, 18, 24, 9, 15, 21, 27));
        assertThat(run.err()).as("no warning, no progress line when stderr is not a terminal").isEmpty();
    }

    @Test
    void shouldPublishTheMatchingEventsKeyedAndTimedAsTheStreamProcessorDoesWhenToTopicIsGiven(LocalStack stack)
            throws Exception {
        TestArchive a = intact(stack);
        String target = a.topic() + ".replayed";
        TestArchive.createTopic(stack, target, 1);

        // the bucket's own key this time: it must work, with the warning
        CliRun run = CliRun.of(a.args(REPLAY, "--actor", "alice", "--cluster", "prod-west", "--to-topic", target,
                "--bootstrap", stack.kafkaBootstrap()));

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("WARNING").contains("manifests/public-key.pem")
                .contains("2 of " + EVENTS + " events published to " + target);
        List<ConsumerRecord<byte[], byte[]>> got = TestArchive.readAll(stack, target, 2);
        assertThat(got).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactlyElementsOf(events(0, 20));
        assertThat(got).extracting(r -> new String(r.key(), StandardCharsets.UTF_8) + "@" + Instant.ofEpochMilli(r.timestamp()))
                .containsExactly("prod-west/a-0@" + T0, "prod-west/a-20@" + T0.plus(Duration.ofMinutes(20)));
    }

    @Test
    void shouldExitOneNamingTheFirstObjectAndPrintNothingWhenThePublicKeyIsNotTheArchivers(LocalStack stack)
            throws Exception {
        TestArchive a = intact(stack);
        Path otherKey = dir.resolve("other.pub.pem");
        ManifestSigner.generate(dir.resolve("other.pem"), otherKey);
        ManifestEntry first = a.manifests().all(a.topic(), 0).get(0);

        CliRun run = CliRun.of(a.args(REPLAY, "--public-key", otherKey.toString()));
        CliRun skipping = CliRun.of(a.args(REPLAY, "--public-key", otherKey.toString(), "--continue-on-error"));

        assertThat(run.code()).as(run.err()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("FAILED " + first.key() + " (" + a.topic() + "-0 offsets 0-9)")
                .contains("BAD_SIGNATURE " + first.key() + " offsets 0-9: entry is signed with key " + first.keyId()
                        + ", which the key history trusted from the pinned key")
                .contains("STOPPED after 0 of 4 objects");
        assertThat(skipping.code()).as(skipping.err()).isEqualTo(1);
        assertThat(skipping.out()).isEmpty();
        assertThat(skipping.err().lines().filter(l -> l.contains(": SKIPPED "))).hasSize(4);
        assertThat(skipping.err()).contains("FAILED: 4 of 4 objects failed verification");
    }

    @Test
    void shouldStopAtTheObjectWhoseManifestEntryWasAlteredAfterReplayingTheOnesBefore(LocalStack stack)
            throws Exception {
        TestArchive a = tampered(stack);

        CliRun run = CliRun.of(a.args(REPLAY, "--public-key", a.publicKey().toString()));

        assertThat(run.code()).as(run.err()).isEqualTo(1);
        // partition 0's first object, then its altered second entry stops the replay
        assertThat(run.out().lines().toList()).containsExactlyElementsOf(events(0, 2, 4, 6, 8, 10, 12, 14, 16, 18));
        assertThat(run.err()).contains("FAILED " + alteredEntry.key() + " (" + a.topic() + "-0 offsets 10-19)")
                .contains("REWRITTEN_MANIFEST " + alteredManifest + " offsets 10-19")
                .contains("STOPPED after 1 of 4 objects");
    }

    @Test
    void shouldSkipOnlyTheAlteredObjectAndReplayTheRecordedVersionUnderANewOneWhenContinuingOnError(LocalStack stack)
            throws Exception {
        TestArchive a = tampered(stack);

        CliRun run = CliRun.of(a.args(REPLAY, "--public-key", a.publicKey().toString(), "--continue-on-error"));

        assertThat(run.code()).as(run.err()).isEqualTo(1);
        List<String> expected = new ArrayList<>(events(0, 2, 4, 6, 8, 10, 12, 14, 16, 18));
        IntStream.range(0, 20).map(i -> 2 * i + 1).mapToObj(ReplayArchiveCommandIT::event).forEach(expected::add);
        assertThat(run.out().lines().toList()).containsExactlyElementsOf(expected);
        assertThat(run.err()).contains("SKIPPED " + alteredEntry.key() + " (" + a.topic() + "-0 offsets 10-19)")
                .contains("REWRITTEN_MANIFEST " + alteredManifest)
                .contains("note: NEWER_VERSION " + overwrittenObject.key() + " offsets 0-9")
                .contains("FAILED: 1 of 4 objects failed verification");
    }

    /** {@link #EVENTS} events archived by the real archiver under fresh names. */
    private static TestArchive archive(LocalStack stack, String name) throws Exception {
        List<TestArchive.Event> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            events.add(new TestArchive.Event(i % PARTITIONS, T0.plus(Duration.ofMinutes(i)), event(i)));
        }
        return TestArchive.write(stack, dir, "replay-" + name, PARTITIONS, events, 10, false);
    }

    private static synchronized TestArchive intact(LocalStack stack) throws Exception {
        if (intact == null) {
            intact = archive(stack, "intact");
        }
        return intact;
    }

    /**
     * Partition 1's first object gets a new version on top; partition 0's second entry a new, altered version (read
     * at its first version, it still verifies: the object it names fails as REWRITTEN_MANIFEST).
     */
    private static synchronized TestArchive tampered(LocalStack stack) throws Exception {
        if (tampered == null) {
            TestArchive a = archive(stack, "tampered");
            S3Client s3 = stack.s3().client();
            S3ManifestStore manifests = a.manifests();
            overwrittenObject = manifests.all(a.topic(), 1).get(0);
            byte[] forged = "{\"forged\":true}\n".getBytes(StandardCharsets.UTF_8);
            s3.putObject(b -> b.bucket(a.bucket()).key(overwrittenObject.key()).contentMD5(md5(forged)),
                    RequestBody.fromBytes(forged));
            alteredEntry = manifests.all(a.topic(), 0).get(1);
            ManifestEntry e = alteredEntry;
            ManifestEntry altered = new ManifestEntry(e.version(), e.topic(), e.partition(), e.firstOffset(),
                    e.lastOffset(), e.count() - 1, e.firstEventTime(), e.lastEventTime(), e.key(), e.versionId(),
                    e.sha256(), e.previousHash(), e.retentionMode(), e.retainUntil(), e.signature());
            byte[] manifest = ManifestCodec.write(List.of(altered));
            String manifestKey = manifests.key(e.topic(), e.partition(), e.firstOffset(), e.lastOffset());
            alteredManifest = manifestKey;
            s3.putObject(b -> b.bucket(a.bucket()).key(manifestKey).contentMD5(md5(manifest)), RequestBody.fromBytes(manifest));
            tampered = a;
        }
        return tampered;
    }

    private static String md5(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
