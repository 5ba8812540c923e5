package io.auditkeeper.archiver.archive;

import io.auditkeeper.evidence.proof.MerkleTree;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The records of one partition gathered for one archive object, in offset order. Its offset range starts where the
 * previous batch ended (the consumer's position), not at its first record: on a transactional topic the offsets in
 * between hold transaction markers, and consecutive ranges must meet for the manifest chain to show that nothing is
 * missing. The object's bytes are a gzip of
 * the records' values, one per line (NDJSON); for the same records and the same compression level they are the same
 * bytes (gzip with no timestamp), so a batch rebuilt after a crash has the same key and the same SHA-256. Another level
 * (or another zlib) gives other bytes of the same lines, which the writer and {@code verify} accept as the same batch
 * (docs/archiver.md, "Compression"). Each value is a leaf of the batch's Merkle
 * tree ({@link MerkleTree}), hashed as it is added, so that the root costs no second pass over the values.
 */
public final class ArchiveBatch {
    /** The JDK's default gzip level, and {@code archive.compression-level}'s. */
    public static final int DEFAULT_COMPRESSION_LEVEL = 6;

    private final String topic;
    private final int partition;
    private final List<byte[]> values = new ArrayList<>();
    private final List<byte[]> leafHashes = new ArrayList<>();
    private final MessageDigest sha256 = MerkleTree.sha256();
    private long firstOffset = -1;
    private long lastOffset = -1;
    private long firstTimestamp;
    private long lastTimestamp;
    private long bytes;
    private final long openedAtNanos = System.nanoTime();

    private final long start;

    /** A batch of {@code topic}/{@code partition} whose range starts at {@code start} (or its first record if negative). */
    public ArchiveBatch(String topic, int partition, long start) {
        this.topic = topic;
        this.partition = partition;
        this.start = start;
    }

    public void add(long offset, long timestamp, byte[] value) {
        if (firstOffset < 0) {
            firstOffset = start >= 0 && start <= offset ? start : offset;
            firstTimestamp = timestamp;
        }
        lastOffset = offset;
        lastTimestamp = Math.max(lastTimestamp, timestamp);
        values.add(value);
        leafHashes.add(MerkleTree.leafHash(value, 0, value.length, sha256));
        bytes += value.length + 1;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    public int count() {
        return values.size();
    }

    public long bytes() {
        return bytes;
    }

    public long ageNanos() {
        return System.nanoTime() - openedAtNanos;
    }

    public String topic() { return topic; }
    public int partition() { return partition; }
    public long firstOffset() { return firstOffset; }
    public long lastOffset() { return lastOffset; }
    public Instant firstTime() { return Instant.ofEpochMilli(firstTimestamp); }
    public Instant lastTime() { return Instant.ofEpochMilli(Math.max(firstTimestamp, lastTimestamp)); }

    /** The lowercase hex Merkle root over the values, which the batch's manifest entry records. */
    public String merkleRoot() {
        return MerkleTree.rootHex(leafHashes);
    }

    /** gzip(NDJSON) of the values at {@link #DEFAULT_COMPRESSION_LEVEL}. */
    public byte[] encode() {
        return encode(DEFAULT_COMPRESSION_LEVEL);
    }

    /** gzip(NDJSON) of the values at deflate {@code level} (1-9); deterministic for the same values and level. */
    public byte[] encode(int level) {
        if (level < Deflater.BEST_SPEED || level > Deflater.BEST_COMPRESSION) {
            throw new IllegalArgumentException("gzip level " + level + " is not between 1 and 9");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 16, bytes / 4 + 64));
        // buffered, so the deflater gets large chunks instead of one JNI call per record and per newline
        try (java.io.OutputStream gz = new java.io.BufferedOutputStream(new LeveledGzip(out, level), 256 * 1024)) {
            for (byte[] v : values) {
                gz.write(v);
                gz.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A standard gzip stream (the JDK's header, no timestamp) whose deflater runs at {@code level}. */
    private static final class LeveledGzip extends GZIPOutputStream {
        LeveledGzip(java.io.OutputStream out, int level) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(level);
        }
    }
}
