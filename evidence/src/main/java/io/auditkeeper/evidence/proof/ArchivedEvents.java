package io.auditkeeper.evidence.proof;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The events of an archived object as the Merkle tree sees them: the object is gzip of NDJSON, one event per line, and
 * each line without its {@code \n} is a leaf. Shared by the archiver's verifier, {@code prove} and
 * {@code verify-proof}, so that all of them cut an object into the same leaves.
 */
public final class ArchivedEvents {
    private ArchivedEvents() {
    }

    /**
     * The lines of a gzip NDJSON object, each without its {@code \n}; a last line without one counts too.
     *
     * @throws IOException when the content is not gzip
     */
    public static List<byte[]> lines(byte[] gzip) throws IOException {
        byte[] text;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip), 64 * 1024)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, gzip.length * 4));
            in.transferTo(out);
            text = out.toByteArray();
        }
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length; i++) {
            if (text[i] == '\n') {
                lines.add(java.util.Arrays.copyOfRange(text, start, i));
                start = i + 1;
            }
        }
        if (start < text.length) {
            lines.add(java.util.Arrays.copyOfRange(text, start, text.length));
        }
        return lines;
    }

    /**
     * The Merkle root over a gzip NDJSON object's lines, as a format 3 entry records it.
     *
     * @throws IOException when the content is not gzip
     */
    public static String merkleRoot(byte[] gzip) throws IOException {
        return MerkleTree.rootHex(leafHashes(lines(gzip)));
    }

    /**
     * Whether two objects are gzip of the same bytes: the same lines, however each was compressed (level, zlib). False
     * when either is not gzip. Streams both, so neither is held decompressed.
     */
    public static boolean sameEvents(byte[] gzipA, byte[] gzipB) {
        try (InputStream a = new GZIPInputStream(new ByteArrayInputStream(gzipA), 64 * 1024);
             InputStream b = new GZIPInputStream(new ByteArrayInputStream(gzipB), 64 * 1024)) {
            byte[] bufA = new byte[64 * 1024];
            byte[] bufB = new byte[64 * 1024];
            while (true) {
                int n = a.readNBytes(bufA, 0, bufA.length);
                int m = b.readNBytes(bufB, 0, bufB.length);
                if (n != m || !java.util.Arrays.equals(bufA, 0, n, bufB, 0, m)) {
                    return false;
                }
                if (n < bufA.length) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** The leaf hash of each line, in order. */
    public static List<byte[]> leafHashes(List<byte[]> lines) {
        MessageDigest sha256 = MerkleTree.sha256();
        List<byte[]> hashes = new ArrayList<>(lines.size());
        for (byte[] line : lines) {
            hashes.add(MerkleTree.leafHash(line, 0, line.length, sha256));
        }
        return hashes;
    }
}
