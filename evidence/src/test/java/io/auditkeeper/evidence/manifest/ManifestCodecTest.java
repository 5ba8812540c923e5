package io.auditkeeper.evidence.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.model.AuditJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestCodecTest {
    @TempDir
    static Path keys;
    static ManifestSigner signer;
    static List<ManifestEntry> chain;

    @BeforeAll
    static void keys() {
        signer = TestChains.newSigner(keys, "manifest");
        chain = TestChains.chain(signer, new InMemoryObjectStore(), 3, 3);
    }

    @Test
    void shouldRoundTripEntriesWhenWrittenAsNdjson() {
        byte[] file = ManifestCodec.write(chain);

        assertThat(new String(file, StandardCharsets.UTF_8)).endsWith("\n").hasLineCount(3);
        List<ManifestEntry> read = ManifestCodec.read(file);
        assertThat(read).isEqualTo(chain);
        assertThat(read).allSatisfy(e -> assertThat(signer.verifier().signatureValid(e)).isTrue());
        assertThat(read.get(2).previousHash()).isEqualTo(read.get(1).hash());
    }

    @Test
    void shouldWriteEveryFieldInRecordOrderWhenSerializing() throws Exception {
        String line = new String(ManifestCodec.write(chain.subList(0, 1)), StandardCharsets.UTF_8).strip();
        JsonNode node = AuditJson.mapper().readTree(line);

        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("version", "topic", "partition", "firstOffset", "lastOffset", "count",
                "firstEventTime", "lastEventTime", "key", "versionId", "sha256", "previousHash", "retentionMode",
                "retainUntil", "keyId", "merkleRoot", "signature");
    }

    @Test
    void shouldAcceptAFileWithoutTrailingNewlineWhenReading() {
        String text = new String(ManifestCodec.write(chain), StandardCharsets.UTF_8).stripTrailing();

        assertThat(ManifestCodec.read(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(chain);
        assertThat(ManifestCodec.read(new byte[0])).isEmpty();
    }

    @Test
    void shouldNameTheLineWhenAFieldIsUnknown() {
        String[] lines = lines();
        lines[1] = lines[1].replace("{\"version\":3,", "{\"version\":3,\"extra\":true,");

        assertThatThrownBy(() -> ManifestCodec.read(join(lines)))
                .isInstanceOf(ManifestFormatException.class)
                .hasMessageStartingWith("manifest line 2: ")
                .hasMessageContaining("extra")
                .satisfies(e -> assertThat(((ManifestFormatException) e).line()).isEqualTo(2));
    }

    @Test
    void shouldNameTheLineWhenAFieldIsMissing() {
        String[] lines = lines();
        lines[2] = lines[2].replaceFirst("\"count\":\\d+,", "");

        assertThatThrownBy(() -> ManifestCodec.read(join(lines)))
                .isInstanceOf(ManifestFormatException.class)
                .hasMessageStartingWith("manifest line 3: ")
                .hasMessageContaining("count");
    }

    @Test
    void shouldNameTheLineWhenAFieldIsRepeated() {
        String[] lines = lines();
        lines[0] = lines[0].replace("{\"version\":3,", "{\"version\":3,\"count\":1,");

        assertThatThrownBy(() -> ManifestCodec.read(join(lines)))
                .isInstanceOf(ManifestFormatException.class)
                .hasMessageStartingWith("manifest line 1: ")
                .hasMessageContaining("count");
    }

    @Test
    void shouldNameTheLineWhenABlankLineOrTrailingDataOrCarriageReturnAppears() {
        String[] lines = lines();
        String blank = lines[0] + "\n\n" + lines[1] + "\n";
        String trailing = lines[0] + "\n" + lines[1] + " {}\n";
        String crlf = lines[0] + "\r\n" + lines[1] + "\n";

        assertThatThrownBy(() -> ManifestCodec.read(blank.getBytes(StandardCharsets.UTF_8)))
                .hasMessage("manifest line 2 is empty");
        assertThatThrownBy(() -> ManifestCodec.read(trailing.getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("manifest line 2: ");
        assertThatThrownBy(() -> ManifestCodec.read(crlf.getBytes(StandardCharsets.UTF_8)))
                .hasMessage("manifest line 1 contains a carriage return; lines end with \\n only");
    }

    @Test
    void shouldNameTheLineWhenANumberIsNotAnInteger() {
        String[] lines = lines();
        lines[0] = lines[0].replaceFirst("\"count\":\\d+", "\"count\":1.5");

        assertThatThrownBy(() -> ManifestCodec.read(join(lines)))
                .isInstanceOf(ManifestFormatException.class)
                .hasMessageStartingWith("manifest line 1: ");
    }

    @Test
    void shouldRoundTripADigestWhenWrittenAsJson() {
        Digest digest = signer.sign(Digest.unsigned(Instant.parse("2026-02-01T01:00:00Z"),
                List.of(Digest.PartitionHead.of(chain.get(2))), ManifestEntry.GENESIS));

        Digest read = ManifestCodec.readDigest(ManifestCodec.writeDigest(digest));

        assertThat(read).isEqualTo(digest);
        assertThat(read.hash()).isEqualTo(digest.hash());
        assertThat(signer.verifier().signatureValid(read)).isTrue();
        assertThatThrownBy(() -> ManifestCodec.readDigest("{\"version\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ManifestFormatException.class)
                .hasMessageStartingWith("digest: ");
    }

    private static String[] lines() {
        return new String(ManifestCodec.write(chain), StandardCharsets.UTF_8).split("\n");
    }

    private static byte[] join(String[] lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
