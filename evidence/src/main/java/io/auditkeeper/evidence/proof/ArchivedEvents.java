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
