package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.model.AuditJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code auditkeeper prove} against an archive the real archiver wrote to Ceph, and {@code auditkeeper verify-proof} on
 * what it wrote: a proof checks offline; one changed byte in the event, the audit path, the entry or the chain makes
 * it fail, each part with its own message.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProveCommandIT {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final int EVENTS = 40;

    @TempDir
    static Path dir;

    private TestArchive archive;
    private String id;
    private Path proof;

    @BeforeAll
    void archiveAndProve(LocalStack stack) throws Exception {
        id = UUID.randomUUID().toString().substring(0, 8);
        List<TestArchive.Event> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            Instant t = T0.plus(Duration.ofMinutes(i));
            events.add(new TestArchive.Event(i % 2, t, "{\"schemaVersion\":1,\"cluster\":\"prove\",\"auditID\":\""
                    + id + "-" + i + "\",\"stage\":\"ResponseComplete\",\"timestamp\":\"" + t
                    + "\",\"verb\":\"get\",\"user\":{\"username\":\"dr-é\"}}"));
        }
        // sealed once all is written: the chain from event 6's entry to the first digest is then always its 2 later entries
        archive = TestArchive.write(stack, dir, "prove", 2, events, 7, TestArchive.Sealing.AFTER_ALL_ENTRIES, List.of());
        proof = dir.resolve("proof.json");
        // event 6 is the 4th of partition 0: in its first object, so that the chain to the digest has entries
        CliRun run = CliRun.of(archive.args(List.of("prove"), "--audit-id", id + "-6", "--stage", "ResponseComplete",
                "--cluster", "prove", "--from", "2026-03-01", "--to", "2026-03-02", "--public-key",
                archive.publicKey().toString(), "--out", proof.toString()));
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("proof written to " + proof, "auditkeeper verify-proof " + proof);
    }

    @Test
    void shouldCheckAProofOfflineWithNothingButThePinnedKey() throws Exception {
        CliRun run = CliRun.of("verify-proof", proof.toString(), "--public-key", archive.publicKey().toString());

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("proof of audit-id " + id + "-6 stage ResponseComplete cluster prove")
                .containsPattern("event +OK +audit-id " + id + "-6 ")
                .containsPattern("path +OK +leaf 3 of 7 events")
                .containsPattern("entry +OK +" + archive.topic() + "-0 offsets 0-6")
                .containsPattern("chain +OK +2 later entries link the entry")
                .containsPattern("digest +OK +created ")
                .contains("verdict: OK");
        CliRun byHand = byHand(proof, archive.publicKey());
        assertThat(byHand.code()).as(byHand.out() + byHand.err()).isZero();
        assertThat(byHand.out()).containsPattern("(?m)^OK +path +leaf 3 of 7 events")
                .containsPattern("(?m)^OK +chain +2 later entries").endsWith("PASSED\n");
        JsonNode json = AuditJson.mapper().readTree(proof.toFile());
        assertThat(new String(Base64.getDecoder().decode(json.get("leaf").asText()), StandardCharsets.UTF_8))
                .as("the archived bytes, exactly").contains("\"auditID\":\"" + id + "-6\"", "dr-é");
    }

    @Test
    void shouldFailTheEventWhenOneByteOfItChanged() throws Exception {
        CliRun run = verifyTampered(p -> {
            String leaf = new String(Base64.getDecoder().decode(p.get("leaf").asText()), StandardCharsets.UTF_8);
            p.put("leaf", Base64.getEncoder().encodeToString(leaf.replace("\"get\"", "\"gex\"")
                    .getBytes(StandardCharsets.UTF_8)));
        });

        assertThat(run.code()).isEqualTo(ExitCodes.PROBLEMS);
        assertThat(run.out()).containsPattern("event +FAIL +the event's bytes hash to leaf hash [0-9a-f]{64}, the proof"
                + " says [0-9a-f]{64}: the event was altered").contains("verdict: FAILED");
    }

    @Test
    void shouldFailTheEventWhenTheReadableCopyWasChanged() throws Exception {
        CliRun run = verifyTampered(p -> ((ObjectNode) p.get("event")).put("verb", "delete"));

        assertThat(run.code()).isEqualTo(ExitCodes.PROBLEMS);
        assertThat(run.out()).containsPattern("event +FAIL +the readable event is not the archived bytes");
    }

    @Test
    void shouldFailThePathWhenOneOfItsHashesChanged() throws Exception {
        CliRun run = verifyTampered(p -> {
            ObjectNode step = (ObjectNode) p.get("auditPath").get(1);
            step.put("hash", flipLastDigit(step.get("hash").asText()));
        });

        assertThat(run.code()).isEqualTo(ExitCodes.PROBLEMS);
        assertThat(run.out()).containsPattern("path +FAIL +the audit path leads from leaf 3 to root [0-9a-f]{64}, the"
                + " entry records [0-9a-f]{64}");
    }

    @Test
    void shouldFailThePathWhenItClaimsAnotherPlaceInTheTree() throws Exception {
        CliRun run = verifyTampered(p -> p.put("leafIndex", 2));

        assertThat(run.code()).isEqualTo(ExitCodes.PROBLEMS);
        assertThat(run.out()).containsPattern("path +FAIL +the audit path \\(3 steps\\) does not fit leaf 2 of a tree"
                + " of 7 events");
    }

    @Test
    void shouldFailTheEntryWhenOneOfItsFieldsChanged() throws Exception {
        CliRun run = verifyTampered(p -> ((ObjectNode) p.get("entry")).put("lastEventTime", "2026-03-01T10:59:00Z"));

        assertThat(run.code()).isEqualTo(ExitCodes.PROBLEMS);
        assertThat(run.out()).containsPattern("entry +FAIL +the entry's signature does not verify with key [0-9a-f]{64}:"
                + " the entry was altered");
    }

    @Test
    void shouldFailTheChainWhenAnEntryOfItChanged() throws Exception {
        CliRun run = verifyTampered(p -> {
            ObjectNode next = (ObjectNode) p.get("chain").get(0);
            next.put("previousHash", flipLastDigit(next.get("previousHash").asText()));
        });

        assertThat(run.code()).isEqualTo(ExitCodes.PROBLEMS);
        assertThat(run.out()).containsPattern("chain +FAIL +chain\\[0\\] \\(.*\\) does not follow the entry before it")
                .containsPattern("entry +OK");
    }

    @Test
    void shouldFailTheChainWhenAnEntryIsLeftOut() throws Exception {
        CliRun run = verifyTampered(p -> ((ArrayNode) p.get("chain")).remove(1));

        assertThat(run.code()).isEqualTo(ExitCodes.PROBLEMS);
        assertThat(run.out()).containsPattern("chain +FAIL +the digest names head [0-9a-f]{64} \\(to offset \\d+\\) of "
                + archive.topic() + "-0, the chain ends at");
    }

    @Test
    void shouldFailTheKeysWhenTheProofIsCheckedWithAnotherPinnedKey() throws Exception {
        Path other = dir.resolve("other.pem");
        io.auditkeeper.evidence.manifest.ManifestSigner.generate(dir.resolve("other-signing.pem"), other);

        CliRun run = CliRun.of("verify-proof", proof.toString(), "--public-key", other.toString());
        CliRun byHand = byHand(proof, other);
        assertThat(byHand.code()).isEqualTo(1);
        assertThat(byHand.out()).containsPattern("(?m)^FAIL +entry ").containsPattern("(?m)^FAIL +digest ");

        assertThat(run.code()).isEqualTo(ExitCodes.PROBLEMS);
        assertThat(run.out()).containsPattern("entry +FAIL +the entry is signed with key [0-9a-f]{64}, which the key"
                + " history trusted from the pinned key [0-9a-f]{64} does not name");
    }

    @Test
    void shouldSayNoEventWhenTheAuditIdIsNotArchived() {
        CliRun run = CliRun.of(archive.args(List.of("prove"), "--audit-id", id + "-missing", "--from", "2026-03-01",
                "--to", "2026-03-02", "--public-key", archive.publicKey().toString(), "--out",
                dir.resolve("none.json").toString()));

        assertThat(run.code()).isEqualTo(ExitCodes.PROBLEMS);
        assertThat(run.err()).contains("no event with audit-id " + id + "-missing is archived in");
        assertThat(dir.resolve("none.json")).doesNotExist();
    }

    /**
     * {@code verify-proof} on the proof changed by {@code tamper}; {@code docs/verify-proof-by-hand.sh} on the same
     * file must fail the same part, and hold the others.
     */
    private CliRun verifyTampered(Consumer<ObjectNode> tamper) throws Exception {
        ObjectNode json = (ObjectNode) AuditJson.mapper().readTree(proof.toFile());
        tamper.accept(json);
        Path tampered = Files.createTempFile(dir, "tampered", ".json");
        Files.write(tampered, AuditJson.mapper().writeValueAsBytes(json));
        CliRun run = CliRun.of("verify-proof", tampered.toString(), "--public-key", archive.publicKey().toString());
        CliRun byHand = byHand(tampered, archive.publicKey());
        assertThat(byHand.code()).as(byHand.out() + byHand.err()).isEqualTo(1);
        for (String part : List.of("keys", "event", "path", "entry", "chain", "digest")) {
            boolean failed = run.out().lines().anyMatch(l -> l.matches(" +" + part + " +FAIL .*"));
            assertThat(byHand.out()).as("by hand, part " + part + "\n" + byHand.out() + "\njava\n" + run.out())
                    .containsPattern("(?m)^" + (failed ? "FAIL" : "OK") + " +" + part + " ");
        }
        return run;
    }

    /** {@code docs/verify-proof-by-hand.sh}: jq, openssl, sha256sum and base64 only. */
    private static CliRun byHand(Path proofFile, Path publicKey) throws Exception {
        Path script = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && script == null; d = d.getParent()) {
            Path candidate = d.resolve("docs").resolve("verify-proof-by-hand.sh");
            script = Files.isRegularFile(candidate) ? candidate : null;
        }
        assertThat(script).as("docs/verify-proof-by-hand.sh").isNotNull();
        Path out = Files.createTempFile(dir, "byhand", ".out");
        Path err = Files.createTempFile(dir, "byhand", ".err");
        Process p = new ProcessBuilder("bash", script.toString(), proofFile.toString(), publicKey.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).as("the script finishes").isTrue();
        return new CliRun(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String flipLastDigit(String hex) {
        char last = hex.charAt(hex.length() - 1);
        return hex.substring(0, hex.length() - 1) + (last == '0' ? '1' : '0');
    }
}
