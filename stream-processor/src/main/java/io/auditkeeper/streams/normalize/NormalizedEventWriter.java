package io.auditkeeper.streams.normalize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.NormalizedEvent;
import io.auditkeeper.model.RawJson;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a {@link NormalizedEvent} as the same bytes as {@code AuditJson.mapper().writeValueAsBytes(event)}, straight
 * into one array. Why: it runs once per event on the stream thread, and databind's bean serializer (record accessors
 * called by reflection, strings escaped a character at a time through a generator, the result copied out of a
 * segmented buffer) cost about as much as reading the event. The test {@code NormalizedEventWriterTest} holds the two
 * byte for byte over the corpus and over every kind of character Jackson escapes; a field added to the schema must be
 * added here, where the test fails until it is.
 *
 * <p>A writer keeps its buffers from one event to the next, so it is not for concurrent use: one per stream task.
 */
public final class NormalizedEventWriter {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    /** For each ASCII character: 0, written as is; else the letter of its short escape, or 'u' for a six-character one. */
    private static final byte[] ESCAPES = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = 'u';
        }
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\n'] = 'n';
        ESCAPES['\f'] = 'f';
        ESCAPES['\r'] = 'r';
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
    }

    private byte[] buf = new byte[16 * 1024];
    private char[] chars = new char[256];
    private int len;
    private boolean first;

    /** The event's JSON, as databind writes it. */
    public byte[] write(NormalizedEvent e) throws JsonProcessingException {
        RawJson raw = RawJson.of(e.event());
        byte[] tree = e.event() != null && raw == null ? AuditJson.mapper().writeValueAsBytes(e.event()) : null;
        len = 0;
        event(e, raw, tree);
        byte[] out = Arrays.copyOf(buf, len);
        if (buf.length > 1024 * 1024 || chars.length > 64 * 1024) {
            // one huge event must not pin huge buffers for the life of the task
            buf = new byte[16 * 1024];
            chars = new char[256];
        }
        return out;
    }

    private void event(NormalizedEvent e, RawJson raw, byte[] tree) {
        start();
        number("schemaVersion", e.schemaVersion());
        string("cluster", e.cluster());
        string("auditID", e.auditID());
        string("stage", e.stage());
        string("level", e.level());
        string("timestamp", e.timestamp());
        string("stageTimestamp", e.stageTimestamp());
        string("verb", e.verb());
        string("requestURI", e.requestURI());
        string("actor", e.actor());
        user("user", e.user());
        user("impersonatedUser", e.impersonatedUser());
        strings("sourceIPs", e.sourceIPs());
        string("userAgent", e.userAgent());
        objectRef(e.objectRef());
        if (e.responseCode() != null) {
            number("responseCode", e.responseCode());
        }
        string("decision", e.decision());
        string("reason", e.reason());
        string("receivedAt", e.receivedAt());
        if (e.clockSkewSeconds() != null) {
            number("clockSkewSeconds", e.clockSkewSeconds());
        }
        string("client", e.client());
        source(e.source());
        phi(e.phi());
        strings("redactions", e.redactions());
        if (raw != null) {
            name("event");
            ensure(raw.byteLength());
            len += raw.appendUnquotedUTF8(buf, len);
        } else if (tree != null) {
            name("event");
            bytes(tree);
        }
        end();
    }

    private void user(String field, NormalizedEvent.User u) {
        if (u == null) {
            return;
        }
        name(field);
        start();
        string("username", u.username());
        string("uid", u.uid());
        strings("groups", u.groups());
        end();
    }

    private void objectRef(NormalizedEvent.ObjectRef r) {
        if (r == null) {
            return;
        }
        name("objectRef");
        start();
        string("resource", r.resource());
        string("subresource", r.subresource());
        string("namespace", r.namespace());
        string("name", r.name());
        string("apiGroup", r.apiGroup());
        string("apiVersion", r.apiVersion());
        end();
    }

    /** Source has no NON_NULL inclusion: a null topic is written as null, as databind does. */
    private void source(NormalizedEvent.Source s) {
        if (s == null) {
            return;
        }
        name("source");
        start();
        name("topic");
        if (s.topic() == null) {
            ascii("null");
        } else {
            quoted(s.topic());
        }
        number("partition", s.partition());
        number("offset", s.offset());
        end();
    }

    private void phi(NormalizedEvent.Phi p) {
        if (p == null) {
            return;
        }
        name("phi");
        start();
        name("namespace");
        ascii(p.namespace() ? "true" : "false");
        name("flagged");
        ascii(p.flagged() ? "true" : "false");
        strings("rules", p.rules());
        string("severity", p.severity());
        end();
    }

    private void start() {
        ensure(1);
        buf[len++] = '{';
        first = true;
    }

    private void end() {
        ensure(1);
        buf[len++] = '}';
        first = false;
    }

    private void name(String field) {
        ensure(field.length() + 4);
        if (!first) {
            buf[len++] = ',';
        }
        first = false;
        buf[len++] = '"';
        for (int i = 0; i < field.length(); i++) {
            buf[len++] = (byte) field.charAt(i);
        }
        buf[len++] = '"';
        buf[len++] = ':';
    }

    private void string(String field, String value) {
        if (value != null) {
            name(field);
            quoted(value);
        }
    }

    private void number(String field, long value) {
        name(field);
        if (value >= 0 && value < 10) {
            ensure(1);
            buf[len++] = (byte) ('0' + value);
        } else {
            ascii(Long.toString(value));
        }
    }

    private void strings(String field, List<String> values) {
        if (values == null) {
            return;
        }
        name(field);
        ensure(1);
        buf[len++] = '[';
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                ensure(1);
                buf[len++] = ',';
            }
            String v = values.get(i);
            if (v == null) {
                ascii("null");
            } else {
                quoted(v);
            }
        }
        ensure(1);
        buf[len++] = ']';
    }

    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    /**
     * A JSON string as Jackson's UTF-8 generator writes it: the short escapes, other control characters as
     * uppercase six-character escapes (backslash, u, 00XX), other text as UTF-8, and each UTF-16 surrogate (paired or
     * not) as its own six-character escape.
     */
    private void quoted(String s) {
        int n = s.length();
        ensure(n * 6 + 2);
        if (chars.length < n) {
            chars = new char[Math.max(n, chars.length * 2)];
        }
        char[] cs = chars;
        s.getChars(0, n, cs, 0);
        byte[] b = buf;
        int p = len;
        b[p++] = '"';
        int plain = 0;
        while (plain < n) {
            char c = cs[plain];
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
                break;
            }
            b[p++] = (byte) c;
            plain++;
        }
        for (int i = plain; i < n; i++) {
            char c = cs[i];
            if (c < 0x80) {
                byte e = ESCAPES[c];
                if (e == 0) {
                    b[p++] = (byte) c;
                } else {
                    b[p++] = '\\';
                    b[p++] = e;
                    if (e == 'u') {
                        b[p++] = '0';
                        b[p++] = '0';
                        b[p++] = HEX[c >> 4];
                        b[p++] = HEX[c & 0xF];
                    }
                }
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | c >> 6);
                b[p++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isSurrogate(c)) {
                b[p++] = '\\';
                b[p++] = 'u';
                b[p++] = HEX[c >> 12];
                b[p++] = HEX[c >> 8 & 0xF];
                b[p++] = HEX[c >> 4 & 0xF];
                b[p++] = HEX[c & 0xF];
            } else {
                b[p++] = (byte) (0xE0 | c >> 12);
                b[p++] = (byte) (0x80 | c >> 6 & 0x3F);
                b[p++] = (byte) (0x80 | c & 0x3F);
            }
        }
        b[p++] = '"';
        len = p;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
