package io.auditkeeper.model.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes at a time: the word arithmetic the hot paths use to find the few bytes of JSON that matter (a quote, a
 * backslash, a control byte) without looking at each byte. Each test sets the top bit of the matching bytes of a word;
 * bits above the lowest match may be false, so only the lowest ({@link #firstByte}) is used.
 */
public final class ByteWords {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH = 0x8080808080808080L;

    private ByteWords() {
    }

    /** The eight bytes at {@code offset}, the first in the lowest bits; {@code offset + 8} must be within the array. */
    public static long word(byte[] bytes, int offset) {
        return (long) LONG.get(bytes, offset);
    }

    /** {@code c} in every byte of a word, for {@link #equalTo} and {@link #below}. */
    public static long repeated(int c) {
        return ONES * (c & 0xFF);
    }

    /** The bytes of {@code word} equal to the byte of {@code repeated}. */
    public static long equalTo(long word, long repeated) {
        long x = word ^ repeated;
        return (x - ONES) & ~x & HIGH;
    }

    /** The bytes of {@code word} below the byte of {@code repeated} (which is at most 0x80), as unsigned bytes. */
    public static long below(long word, long repeated) {
        return (word - repeated) & ~word & HIGH;
    }

    /** The bytes of {@code word} of 0x80 or more: the bytes of UTF-8 sequences. */
    public static long nonAscii(long word) {
        return word & HIGH;
    }

    /** The offset in its word of the lowest byte a test matched; the test must have matched one. */
    public static int firstByte(long matches) {
        return Long.numberOfTrailingZeros(matches) >>> 3;
    }
}
