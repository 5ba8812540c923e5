package io.auditkeeper.evidence.manifest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ManifestEntryTest {
    static final ManifestEntry FIXED = new ManifestEntry(1, "audit.events", 3, 1200, 1299, 97,
            "2026-02-01T00:00:00Z", "2026-02-01T00:00:59.123Z",
            "events/audit.events/partition=3/0000000000000001200-0000000000000001299.ndjson.gz", "v-42",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ManifestEntry.GENESIS,
            "COMPLIANCE", "2032-02-03T00:00:59.123Z", "c2lnbmF0dXJl");

    @Test
    void shouldProduceTheGoldenCanonicalBytesWhenEntryIsFixed() {
        String golden = "{\"version\":1,\"topic\":\"audit.events\",\"partition\":3,\"firstOffset\":1200,"
                + "\"lastOffset\":1299,\"count\":97,\"firstEventTime\":\"2026-02-01T00:00:00Z\","
                + "\"lastEventTime\":\"2026-02-01T00:00:59.123Z\","
                + "\"key\":\"events/audit.events/partition=3/0000000000000001200-0000000000000001299.ndjson.gz\","
                + "\"versionId\":\"v-42\","
                + "\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
                + "\"previousHash\":\"0000000000000000000000000000000000000000000000000000000000000000\","
                + "\"retentionMode\":\"COMPLIANCE\",\"retainUntil\":\"2032-02-03T00:00:59.123Z\"}";

        assertThat(FIXED.canonicalString()).isEqualTo(golden);
        assertThat(FIXED.canonicalBytes()).isEqualTo(golden.getBytes(StandardCharsets.UTF_8));
        assertThat(FIXED.withSignature("other").canonicalString()).isEqualTo(golden);
    }

    @Test
    void shouldHashTheCanonicalFormWithTheSignatureWhenHashing() {
        String golden = FIXED.canonicalString();
        String sealed = golden.substring(0, golden.length() - 1) + ",\"signature\":\"c2lnbmF0dXJl\"}";

        assertThat(FIXED.hash())
                .isEqualTo(ManifestEntry.sha256Hex(sealed.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("e813f36da866551df777f8de4a19ace1b9a4c865fdd5a55c73c491e8795b625e");
        assertThat(FIXED.withSignature("b3RoZXI=").hash()).isNotEqualTo(FIXED.hash());
    }

    @Test
    void shouldEscapeOnlyQuotesBackslashesAndControlCharactersWhenKeyIsUnusual() {
        ManifestEntry unusual = new ManifestEntry(1, "t", 0, 0, 0, 1, "a", "b",
                "q\"b\\s\n\t\u0001/é😀" + '\ud800' + "x", null, null, null, null, null, null);

        assertThat(unusual.canonicalString()).isEqualTo("{\"version\":1,\"topic\":\"t\",\"partition\":0,"
                + "\"firstOffset\":0,\"lastOffset\":0,\"count\":1,\"firstEventTime\":\"a\",\"lastEventTime\":\"b\","
                + "\"key\":\"q\\\"b\\\\s\\u000a\\u0009\\u0001/é😀\\ud800x\",\"versionId\":null,\"sha256\":null,"
                + "\"previousHash\":null,\"retentionMode\":null,\"retainUntil\":null}");
    }

    @Test
    void shouldUseSixtyFourZerosAsGenesisWhenChainStarts() {
        assertThat(ManifestEntry.GENESIS).hasSize(64).matches("0+");
    }
}
