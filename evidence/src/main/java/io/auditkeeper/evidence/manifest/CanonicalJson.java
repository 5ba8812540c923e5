package io.auditkeeper.evidence.manifest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The byte-exact JSON writer behind the signed forms of {@link ManifestEntry} and {@link Digest}. Written by hand, not
 * with Jackson, because a signature must keep verifying after a library upgrade changes escaping or number output.
 * The rules are documented on {@link ManifestEntry}.
 */
final class CanonicalJson {
    static final Pattern HEX_64 = Pattern.compile("[0-9a-f]{64}");
    private static final HexFormat HEX = HexFormat.of();

    private final StringBuilder out = new StringBuilder(512);
    private boolean first = true;

    CanonicalJson beginObject() {
        out.append('{');
        first = true;
        return this;
    }

    CanonicalJson endObject() {
        out.append('}');
        first = false;
        return this;
    }

    CanonicalJson beginArray(String name) {
        name(name);
        out.append('[');
        first = true;
        return this;
    }

    CanonicalJson endArray() {
        out.append(']');
        first = false;
        return this;
    }

    /** Starts an object as the next element of the current array. */
    CanonicalJson element() {
        if (!first) {
            out.append(',');
        }
        return beginObject();
    }

    CanonicalJson field(String name, String value) {
        name(name);
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    CanonicalJson field(String name, long value) {
        name(name);
        out.append(value);
        return this;
    }

    byte[] toBytes() {
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void name(String name) {
        if (!first) {
            out.append(',');
        }
        first = false;
        string(name);
        out.append(':');
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                unicodeEscape(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                unicodeEscape(c);
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    private void unicodeEscape(char c) {
        out.append("\\u").append(HEX.toHexDigits(c));
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}
