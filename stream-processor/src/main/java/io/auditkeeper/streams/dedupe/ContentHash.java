package io.auditkeeper.streams.dedupe;

import io.auditkeeper.model.json.ByteWords;

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
    private static final long QUOTES = ByteWords.repeated('"');
    private static final long BACKSLASHES = ByteWords.repeated('\\');
    /** Bytes below this one are the space and below. */
    private static final long ABOVE_SPACE = ByteWords.repeated(' ' + 1);
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

    /**
     * Feeds the digest with every byte but JSON's insignificant whitespace, in runs, as one scan. The scan looks at
     * eight bytes at a time for the only bytes that matter (in a string a quote or a backslash, outside one a quote or
     * a byte up to the space): byte by byte it cost more than the SHA-256 itself.
     */
    private void tokens(byte[] json) {
        int n = json.length;
        int run = 0;
        int i = next(json, 0, n, false);
        while (i < n) {
            byte b = json[i];
            if (b == '"') {
                i = closingQuote(json, i + 1, n);
            } else if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                sha256.update(json, run, i - run);
                run = i + 1;
            }
            i = next(json, i + 1, n, false);
        }
        sha256.update(json, run, n - run);
    }

    /** The offset of the quote that ends the string whose content starts at {@code from}; {@code end} if none. */
    private static int closingQuote(byte[] json, int from, int end) {
        int i = next(json, from, end, true);
        while (i < end && json[i] == '\\') {
            i = next(json, i + 2, end, true);
        }
        return i;
    }

    /**
     * The offset of the first byte at or after {@code from} that matters: a quote or a backslash in a string, a quote
     * or a byte up to the space outside one; {@code end} if none.
     */
    private static int next(byte[] b, int from, int end, boolean inString) {
        int p = from;
        while (p + 8 <= end) {
            long w = ByteWords.word(b, p);
            long special = ByteWords.equalTo(w, QUOTES)
                    | (inString ? ByteWords.equalTo(w, BACKSLASHES) : ByteWords.below(w, ABOVE_SPACE));
            if (special != 0) {
                return p + ByteWords.firstByte(special);
            }
            p += 8;
        }
        while (p < end) {
            int c = b[p];
            if (c == '"' || (inString ? c == '\\' : c >= 0 && c <= ' ')) {
                return p;
            }
            p++;
        }
        return end;
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
