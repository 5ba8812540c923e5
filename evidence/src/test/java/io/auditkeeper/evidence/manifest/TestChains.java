package io.auditkeeper.evidence.manifest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds signed chains over archived objects the way the archiver will. */
final class TestChains {
    static final String TOPIC = "audit.events";
    static final Instant T0 = Instant.parse("2026-02-01T00:00:00Z");
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    /** Six years and two leap days. */
    static final Duration RETENTION = Duration.ofDays(6 * 365 + 2);

    private TestChains() {
    }

    static String signBytes(ManifestSigner signer, byte[] message) {
        return signer.signBase64(message);
    }

    static ManifestSigner newSigner(Path dir, String name) {
        Path privateKey = dir.resolve(name + "-private.pem");
        ManifestSigner.generate(privateKey, dir.resolve(name + "-public.pem"));
        return ManifestSigner.fromPemFile(privateKey);
    }

    /** Entries of 100 offsets each: 0-99, 100-199, ... */
    static List<ManifestEntry> chain(ManifestSigner signer, InMemoryObjectStore store, int partition, int entries) {
        long[][] ranges = new long[entries][];
        for (int i = 0; i < entries; i++) {
            ranges[i] = new long[] {i * 100L, i * 100L + 99};
        }
        return chain(signer, store, partition, ranges);
    }

    static List<ManifestEntry> chain(ManifestSigner signer, InMemoryObjectStore store, int partition,
                                     long[]... ranges) {
        List<ManifestEntry> chain = new ArrayList<>();
        String previousHash = ManifestEntry.GENESIS;
        for (int i = 0; i < ranges.length; i++) {
            long first = ranges[i][0];
            long last = ranges[i][1];
            Instant firstEvent = T0.plusSeconds(60L * i);
            Instant lastEvent = firstEvent.plusSeconds(59);
            Instant retainUntil = lastEvent.plus(RETENTION).plus(Duration.ofDays(1));
            String key = key(partition, first, last);
            int count = (int) Math.max(1, last - first - 2);
            byte[] content = events(TOPIC + "-" + partition + " " + first + "-" + last, count);
            String versionId = store.put(key, content, ManifestVerifier.COMPLIANCE, retainUntil);
            ManifestEntry entry = signer.sign(ManifestEntry.unsigned(TOPIC, partition, first, last, count,
                    firstEvent, lastEvent, key, versionId, ManifestEntry.sha256Hex(content), previousHash,
                    ManifestVerifier.COMPLIANCE, retainUntil, merkleRoot(content)));
            chain.add(entry);
            previousHash = entry.hash();
        }
        return chain;
    }

    /** An archived object: gzip of {@code count} JSON lines. */
    static byte[] events(String label, int count) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            for (int i = 0; i < count; i++) {
                gz.write(("{\"event\":\"" + label + " " + i + "\"}\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String merkleRoot(byte[] gzip) {
        try {
            return io.auditkeeper.evidence.proof.ArchivedEvents.merkleRoot(gzip);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String key(int partition, long first, long last) {
        return String.format("events/%s/partition=%d/%019d-%019d.ndjson.gz", TOPIC, partition, first, last);
    }
}
