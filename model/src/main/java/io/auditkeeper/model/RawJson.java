package io.auditkeeper.model;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A JSON value that is written out as the bytes it came in, without being rebuilt: the normalized record embeds the
 * apiserver's event this way when nothing in it was redacted, which saves serializing the largest part of every
 * record. The bytes must be one valid JSON value (they were parsed before).
 */
public final class RawJson implements SerializableString {
    private final byte[] utf8;
    private final int offset;
    private final int length;

    private RawJson(byte[] utf8, int offset, int length) {
        this.utf8 = utf8;
        this.offset = offset;
        this.length = length;
    }

    /** A node that serializes as {@code utf8}, verbatim. */
    public static JsonNode node(byte[] utf8) {
        return node(utf8, 0, utf8.length);
    }

    /** A node that serializes as {@code length} bytes of {@code utf8} from {@code offset}, verbatim, without a copy. */
    public static JsonNode node(byte[] utf8, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, utf8.length);
        return new POJONode(new RawValue(new RawJson(utf8, offset, length)));
    }

    /** The raw JSON behind {@code node} if it was made by {@link #node}, else {@code null}. */
    public static RawJson of(JsonNode node) {
        return node instanceof POJONode p && p.getPojo() instanceof RawValue v && v.rawValue() instanceof RawJson r ? r : null;
    }

    /** The number of bytes this value writes. */
    public int byteLength() {
        return length;
    }

    @Override
    public String getValue() {
        return new String(utf8, offset, length, StandardCharsets.UTF_8);
    }

    @Override
    public int charLength() {
        return getValue().length();
    }

    @Override
    public char[] asQuotedChars() {
        throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public byte[] asUnquotedUTF8() {
        return offset == 0 && length == utf8.length ? utf8 : Arrays.copyOfRange(utf8, offset, offset + length);
    }

    @Override
    public byte[] asQuotedUTF8() {
        throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) {
        throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int appendQuoted(char[] buffer, int offset) {
        throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
        if (offset + length > buffer.length) {
            return -1;
        }
        System.arraycopy(utf8, this.offset, buffer, offset, length);
        return length;
    }

    @Override
    public int appendUnquoted(char[] buffer, int offset) {
        String s = getValue();
        if (offset + s.length() > buffer.length) {
            return -1;
        }
        s.getChars(0, s.length(), buffer, offset);
        return s.length();
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) {
        throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
        out.write(utf8, offset, length);
        return length;
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) {
        throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
        if (buffer.remaining() < length) {
            return -1;
        }
        buffer.put(utf8, offset, length);
        return length;
    }
}
