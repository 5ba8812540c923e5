package io.auditkeeper.model.json;

import java.nio.charset.StandardCharsets;

/**
 * A strict reader over the UTF-8 bytes of one JSON document, for the stream-processor's hot path. Why not Jackson's
 * streaming parser: the bodies of an event are most of its bytes and must be checked but not read, and Jackson
 * checks them token by token, building and interning every field name on the way (about four nanoseconds a byte
 * here). This cursor checks a skipped value's strings eight bytes at a time and never builds a name.
 *
 * <p>It is never more lenient than Jackson with the project's settings ({@code AuditJson}): it takes RFC 8259 JSON
 * in strict UTF-8 (no overlong forms, no encoded surrogates), at most {@link #MAX_DEPTH} levels of nesting, numbers
 * and names shorter than Jackson's limits, and nothing else. Where it is stricter (a byte order mark, an escaped
 * field name, an overlong UTF-8 form), it fails and its caller takes Jackson's slower way, so no input is read
 * differently. Failure is {@link #fail()}: a preallocated exception without a stack trace, as it is not an error.
 */
public final class JsonByteCursor {
    /** Deepest nesting taken; Jackson's limit in this project is 500. */
    public static final int MAX_DEPTH = 490;
    /** Longest number taken, in bytes; Jackson's limit is 1000 characters. */
    static final int MAX_NUMBER_BYTES = 900;
    /** Longest field name taken, in bytes; Jackson's limit is 50,000. */
    static final int MAX_NAME_BYTES = 40_000;

    /** Thrown where the input is not what this cursor takes; the caller falls back to Jackson. */
    public static final class Refused extends RuntimeException {
        static final Refused INSTANCE = new Refused();

        private Refused() {
            super("input refused by the strict cursor", null, false, false);
        }
    }

    private static final long QUOTES = ByteWords.repeated('"');
    private static final long BACKSLASHES = ByteWords.repeated('\\');
    private static final long SPACES = ByteWords.repeated(' ');

    private static final byte SHORT_ESCAPE = 1;
    private static final byte UNICODE_ESCAPE = 2;
    /** What may follow a backslash in a string: {@code "\\/bfnrt}, or {@code u} and four hex digits. */
    private static final byte[] ESCAPE = new byte[256];
    private static final byte[] HEX_DIGIT = new byte[256];

    static {
        for (char c : "\"\\/bfnrt".toCharArray()) {
            ESCAPE[c] = SHORT_ESCAPE;
        }
        ESCAPE['u'] = UNICODE_ESCAPE;
        for (char c : "0123456789abcdefABCDEF".toCharArray()) {
            HEX_DIGIT[c] = 1;
        }
    }

    private final byte[] b;
    private final int end;
    private int pos;
    private int lastStringStart;
    private int lastStringEnd;
    private boolean lastStringAscii;
    private boolean lastStringEscaped;
    private long[] containers;

    public JsonByteCursor(byte[] bytes, int offset, int length) {
        this.b = bytes;
        this.pos = offset;
        this.end = offset + length;
    }

    /** The preallocated failure, thrown by every check that does not pass. */
    public static Refused fail() {
        return Refused.INSTANCE;
    }

    /** Where the cursor is: the offset of the next byte to read. */
    public int position() {
        return pos;
    }

    /** The next byte that is not whitespace, not consumed; -1 at the end of the input. */
    public int peek() {
        while (pos < end) {
            int c = b[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return c & 0xFF;
            }
            pos++;
        }
        return -1;
    }

    /** Consumes {@code c}, after any whitespace, or fails. */
    public void expect(char c) {
        if (peek() != c) {
            throw fail();
        }
        pos++;
    }

    /** Consumes {@code c} if it is next (after whitespace); true if it was. */
    public boolean consume(char c) {
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** True, and consumed, when the next value is {@code null}. */
    public boolean consumeNull() {
        if (peek() == 'n') {
            literal("null");
            return true;
        }
        return false;
    }

    /** True when nothing but whitespace is left. */
    public boolean atEnd() {
        return peek() == -1;
    }

    /**
     * Reads a field name and the colon after it, leaving the name's bytes at {@link #nameIs}. Names with escapes are
     * refused: compared as bytes they could be read as another name than Jackson reads.
     */
    public void name() {
        memberName();
        if (lastStringEscaped) {
            throw fail();
        }
    }

    /** True if the last name read is {@code ascii} (given as the bytes of an ASCII name). */
    public boolean nameIs(byte[] ascii) {
        int n = ascii.length;
        if (lastStringEnd - lastStringStart != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b[lastStringStart + i] != ascii[i]) {
                return false;
            }
        }
        return true;
    }

    /** The last name read, decoded. */
    public String nameText() {
        return lastText();
    }

    /** Reads a string value; fails on any other value. */
    public String text() {
        if (peek() != '"') {
            throw fail();
        }
        string();
        return lastText();
    }

    /** Reads a string or {@code null}; fails on any other value. */
    public String textOrNull() {
        return consumeNull() ? null : text();
    }

    /** Reads an integer that fits an {@code int}, without fraction or exponent; fails on anything else. */
    public int intValue() {
        peek();
        int start = pos;
        boolean negative = pos < end && b[pos] == '-';
        if (negative) {
            pos++;
        }
        long v = 0;
        int digits = 0;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            v = v * 10 + (b[pos++] - '0');
            if (++digits > 10) {
                throw fail();
            }
        }
        if (digits == 0 || digits > 1 && b[start + (negative ? 1 : 0)] == '0') {
            throw fail();
        }
        if (pos < end && (b[pos] == '.' || b[pos] == 'e' || b[pos] == 'E')) {
            throw fail();
        }
        v = negative ? -v : v;
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw fail();
        }
        return (int) v;
    }

    /**
     * Checks and skips one value of any type (an object or array is skipped whole, without recursion), and
     * returns the offset where it started; {@code depth} is the nesting level of the container the value is in.
     */
    public int skipValue(int depth) {
        int start = valueStart();
        int base = depth;
        int level = depth;
        while (true) {
            // a value starts here
            int c = peek();
            if (c == '{' || c == '[') {
                pos++;
                if (++level > MAX_DEPTH) {
                    throw fail();
                }
                push(level - base, c == '{');
                int close = c == '{' ? '}' : ']';
                if (consume((char) close)) {
                    level--;
                } else {
                    if (c == '{') {
                        memberName();
                    }
                    continue;
                }
            } else {
                scalar(c);
            }
            // after a value: close containers, or move on to the next member
            while (level > base) {
                boolean object = isObject(level - base);
                int n = peek();
                if (n == ',') {
                    pos++;
                    if (object) {
                        memberName();
                    }
                    break;
                }
                if (n == (object ? '}' : ']')) {
                    pos++;
                    level--;
                } else {
                    throw fail();
                }
            }
            if (level == base) {
                return start;
            }
        }
    }

    private int valueStart() {
        if (peek() == -1) {
            throw fail();
        }
        return pos;
    }

    private void memberName() {
        if (peek() != '"') {
            throw fail();
        }
        string();
        if (lastStringEnd - lastStringStart > MAX_NAME_BYTES) {
            throw fail();
        }
        expect(':');
    }

    private void push(int level, boolean object) {
        if (containers == null) {
            containers = new long[(MAX_DEPTH >> 6) + 1];
        }
        long bit = 1L << (level & 63);
        if (object) {
            containers[level >> 6] |= bit;
        } else {
            containers[level >> 6] &= ~bit;
        }
    }

    private boolean isObject(int level) {
        return (containers[level >> 6] & (1L << (level & 63))) != 0;
    }

    private void scalar(int c) {
        switch (c) {
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || c >= '0' && c <= '9') {
                    number();
                } else {
                    throw fail();
                }
            }
        }
    }

    private void literal(String word) {
        int n = word.length();
        if (end - pos < n) {
            throw fail();
        }
        for (int i = 0; i < n; i++) {
            if (b[pos + i] != word.charAt(i)) {
                throw fail();
            }
        }
        pos += n;
        delimiter();
    }

    private void number() {
        int start = pos;
        if (b[pos] == '-') {
            pos++;
        }
        if (pos < end && b[pos] == '0') {
            pos++;
        } else if (digits() == 0) {
            throw fail();
        }
        if (pos < end && b[pos] == '.') {
            pos++;
            if (digits() == 0) {
                throw fail();
            }
        }
        if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
            if (pos < end && (b[pos] == '+' || b[pos] == '-')) {
                pos++;
            }
            if (digits() == 0) {
                throw fail();
            }
        }
        if (pos - start > MAX_NUMBER_BYTES) {
            throw fail();
        }
        delimiter();
    }

    private int digits() {
        int start = pos;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            pos++;
        }
        return pos - start;
    }

    /** A scalar must be followed by whitespace, a comma, a closing bracket or the end; Jackson refuses "truex", "01". */
    private void delimiter() {
        if (pos < end) {
            int c = b[pos];
            if (c != ',' && c != '}' && c != ']' && c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                throw fail();
            }
        }
    }

    /**
     * Checks a string at the cursor (on its opening quote) and moves past it; its content is left at
     * {@code lastStringStart..lastStringEnd}, with whether it is all ASCII and whether it has escapes.
     */
    private void string() {
        int p = pos + 1;
        int start = p;
        boolean ascii = true;
        boolean escaped = false;
        while (true) {
            while (p + 8 <= end) {
                long w = ByteWords.word(b, p);
                long special = ByteWords.equalTo(w, QUOTES) | ByteWords.equalTo(w, BACKSLASHES)
                        | ByteWords.below(w, SPACES) | ByteWords.nonAscii(w);
                if (special != 0) {
                    p += ByteWords.firstByte(special);
                    break;
                }
                p += 8;
            }
            if (p >= end) {
                throw fail();
            }
            int c = b[p];
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                escaped = true;
                p = escape(p + 1);
            } else if (c < 0) {
                ascii = false;
                p = utf8(p, c & 0xFF);
            } else if (c < 0x20) {
                throw fail();
            } else {
                p++;
            }
        }
        lastStringStart = start;
        lastStringEnd = p;
        lastStringAscii = ascii;
        lastStringEscaped = escaped;
        pos = p + 1;
    }

    private int escape(int p) {
        if (p >= end) {
            throw fail();
        }
        byte kind = ESCAPE[b[p] & 0xFF];
        if (kind == SHORT_ESCAPE) {
            return p + 1;
        }
        if (kind != UNICODE_ESCAPE || end - p < 5
                || (HEX_DIGIT[b[p + 1] & 0xFF] & HEX_DIGIT[b[p + 2] & 0xFF] & HEX_DIGIT[b[p + 3] & 0xFF] & HEX_DIGIT[b[p + 4] & 0xFF]) == 0) {
            throw fail();
        }
        return p + 5;
    }

    /** Checks one UTF-8 sequence strictly (RFC 3629) and returns the offset after it. */
    private int utf8(int p, int lead) {
        int n;
        int min;
        if (lead >= 0xC2 && lead <= 0xDF) {
            n = 1;
            min = 0x80;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            n = 2;
            min = 0x800;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            n = 3;
            min = 0x10000;
        } else {
            throw fail();
        }
        if (end - p <= n) {
            throw fail();
        }
        int cp = lead & (0x3F >> n);
        for (int i = 1; i <= n; i++) {
            int c = b[p + i] & 0xFF;
            if ((c & 0xC0) != 0x80) {
                throw fail();
            }
            cp = cp << 6 | c & 0x3F;
        }
        if (cp < min || cp > 0x10FFFF || cp >= 0xD800 && cp <= 0xDFFF) {
            throw fail();
        }
        return p + n + 1;
    }

    /** The content of the last string read, as Java text. */
    private String lastText() {
        int start = lastStringStart;
        int stop = lastStringEnd;
        if (!lastStringEscaped) {
            return new String(b, start, stop - start, lastStringAscii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        }
        // a checked string: every escape is whole and every UTF-8 sequence valid; never more chars than bytes
        char[] out = new char[stop - start];
        int n = 0;
        int p = start;
        while (p < stop) {
            int c = b[p];
            if (c == '\\') {
                char e = (char) b[p + 1];
                switch (e) {
                    case 'b' -> out[n++] = '\b';
                    case 'f' -> out[n++] = '\f';
                    case 'n' -> out[n++] = '\n';
                    case 'r' -> out[n++] = '\r';
                    case 't' -> out[n++] = '\t';
                    case 'u' -> out[n++] = (char) (Character.digit(b[p + 2], 16) << 12 | Character.digit(b[p + 3], 16) << 8
                            | Character.digit(b[p + 4], 16) << 4 | Character.digit(b[p + 5], 16));
                    default -> out[n++] = e;
                }
                p += e == 'u' ? 6 : 2;
            } else if (c >= 0) {
                out[n++] = (char) c;
                p++;
            } else {
                int lead = c & 0xFF;
                int more = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
                int cp = lead & (0x3F >> more);
                for (int i = 1; i <= more; i++) {
                    cp = cp << 6 | b[p + i] & 0x3F;
                }
                n += Character.toChars(cp, out, n);
                p += more + 1;
            }
        }
        return new String(out, 0, n);
    }
}
