package io.auditkeeper.streams.dedupe;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The content hash the dedupe store keeps with the first record of a (cluster, auditID, stage): the first 64 bits of
 * the SHA-256 of the value as received on {@code audit.raw}, with the top bit set. Why these choices:
 * <ul>
 * <li>The bytes as received, not a canonical form: an apiserver resends the same batch from memory, encoded again by
 * the same code from the same objects (struct fields in declaration order, map keys sorted), so a genuine resend is
 * the same bytes; a canonical form would cost a parse and a sort of every event on a path that mostly avoids building
 * a tree. A resend that differs only in formatting (a relay that re-encodes) shows up as a conflict: visible, not
 * lost.</li>
 * <li>SHA-256, not a fast non-cryptographic hash: the first record may be the forger's, who could otherwise make it
 * collide with the genuine one it expects.</li>
 * <li>64 bits, not 32 bytes: the store's value stays the 8 bytes it always was (a {@code Long}), so the store and its
 * changelog keep their size and their format both ways (see {@link SeenWithinWindow}). To pass unseen, a forger would
 * have to find a second preimage of 63 bits of SHA-256 for an event whose exact bytes (timestamps to the microsecond)
 * it does not know in advance, within the minutes of the window.</li>
 * <li>The top bit set: it tells a hash from the timestamps the store held before (never negative). Without it, a forger
 * could search for a forged event whose hash looks like a timestamp, and so read as "content unknown".</li>
 * </ul>
 * Not thread-safe: one per processor.
 */
public final class ContentHash {
    private final MessageDigest sha256;

    public ContentHash() {
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The content hash of {@code value} (null hashes as empty), whitespace outside strings left out. */
    public long of(byte[] value) {
        if (value != null) {
            tokens(value);
        }
        byte[] d = sha256.digest();
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
        }
        return h | Long.MIN_VALUE;
    }

    /** Feeds the digest with every byte but JSON's insignificant whitespace, in runs, as one scan. */
    private void tokens(byte[] json) {
        boolean inString = false;
        int run = 0;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                sha256.update(json, run, i - run);
                run = i + 1;
            }
        }
        sha256.update(json, run, json.length - run);
    }

    /** Whether a stored value is a content hash (rather than a timestamp stored without one). */
    public static boolean isHash(long stored) {
        return stored < 0;
    }

    /** 16 hex digits, as the dead-letter headers carry it. */
    public static String hex(long hash) {
        return HexFormat.of().toHexDigits(hash);
    }
}
