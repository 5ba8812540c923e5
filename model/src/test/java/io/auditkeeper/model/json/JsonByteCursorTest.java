package io.auditkeeper.model.json;

import io.auditkeeper.model.AuditJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonByteCursorTest {
    private static JsonByteCursor cursor(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return new JsonByteCursor(b, 0, b.length);
    }

    private static boolean skips(String json) {
        return skips(json.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean skips(byte[] b) {
        JsonByteCursor c = new JsonByteCursor(b, 0, b.length);
        try {
            c.skipValue(0);
            return c.atEnd();
        } catch (JsonByteCursor.Refused e) {
            return false;
        }
    }

    /** Whether Jackson, with the project's settings, reads every token of {@code b} without an error. */
    private static boolean jacksonTokenizes(byte[] b) {
        try (com.fasterxml.jackson.core.JsonParser p = AuditJson.factory().createParser(b)) {
            while (p.nextToken() != null) {
                p.getText();
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void shouldSkipEveryKindOfValueWhenItIsValidJson() {
        String[] valid = {
                "{}", "[]", "\"\"", "0", "-0", "12.5e-3", "1E+9", "true", "false", "null",
                " { \"a\" : [ 1 , {\"b\":null} , \"x\\\"y\\\\z\\/\\b\\f\\n\\r\\t\\u00e9\" ] } ",
                "{\"long string over the eight-byte steps\":\"abcdefghijklmnopqrstuvwxyz0123456789\"}",
                "\"caf\u00e9 \u4e2d \ud83d\ude00\"",
        };
        for (String json : valid) {
            assertThat(skips(json)).as(json).isTrue();
        }
    }

    @Test
    void shouldRefuseWhatJacksonRefusesWhenTheJsonIsInvalid() {
        String[] invalid = {
                "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "+1", "-", "1e", "NaN", "tru",
                "truex", "nul", "[1 2]", "\"unterminated", "\"bad escape \\x\"", "\"short \\u12\"", "\"\\u12g4\"",
                "\"tab\tinside\"", "\"new\nline\"", "'single'", "[1]]", "{\"a\":1}}", "/* comment */ 1",
        };
        for (String json : invalid) {
            byte[] b = json.getBytes(StandardCharsets.UTF_8);
            assertThat(jacksonTokenizes(b)).as("Jackson too refuses %s", json).isFalse();
            assertThat(skips(b)).as(json).isFalse();
        }
    }

    @Test
    void shouldRefuseMalformedUtf8InStringsAtAnyPlaceInAnEightByteStep() {
        byte[][] bad = {
                {(byte) 0xC3},                           // cut short
                {(byte) 0xC3, 'a'},                      // no continuation
                {(byte) 0x80},                           // continuation without a lead
                {(byte) 0xC0, (byte) 0x80},              // overlong NUL
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
                {(byte) 0xFF},
        };
        for (byte[] seq : bad) {
            for (int at = 0; at < 9; at++) {
                byte[] b = new byte[at + seq.length + 12];
                java.util.Arrays.fill(b, (byte) 'a');
                b[0] = '"';
                System.arraycopy(seq, 0, b, 1 + at, seq.length);
                b[b.length - 1] = '"';
                assertThat(skips(b)).as("%s at %d", java.util.HexFormat.of().formatHex(seq), at).isFalse();
            }
        }
    }

    @Test
    void shouldTakeNestingUpToItsLimitAndRefuseOneLevelMore() {
        int limit = JsonByteCursor.MAX_DEPTH;
        assertThat(skips("[".repeat(limit) + "]".repeat(limit))).isTrue();
        assertThat(skips("[".repeat(limit + 1) + "]".repeat(limit + 1))).isFalse();
        assertThat(skips("{\"a\":".repeat(limit) + "1" + "}".repeat(limit))).isTrue();
        assertThat(skips("{\"a\":".repeat(limit + 1) + "1" + "}".repeat(limit + 1))).isFalse();
        // far deeper than any stack would take if skipping recursed
        assertThat(skips("[".repeat(100_000))).isFalse();
    }

    @Test
    void shouldTakeNumbersAndNamesUpToTheirLimitsAndRefuseLonger() {
        assertThat(skips("1".repeat(JsonByteCursor.MAX_NUMBER_BYTES))).isTrue();
        assertThat(skips("1".repeat(JsonByteCursor.MAX_NUMBER_BYTES + 1))).isFalse();
        assertThat(skips("{\"" + "n".repeat(JsonByteCursor.MAX_NAME_BYTES) + "\":1}")).isTrue();
        assertThat(skips("{\"" + "n".repeat(JsonByteCursor.MAX_NAME_BYTES + 1) + "\":1}")).isFalse();
    }

    @Test
    void shouldDecodeTextAsJacksonDoesWhenItHasEscapesAndNonAsciiCharacters() throws Exception {
        String json = "\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\\u00e9j\\ud83d\\ude00k \u00e9\u4e2d\ud83d\ude00 \\ud800\"";
        assertThat(cursor(json).text()).isEqualTo(AuditJson.mapper().readTree(json).textValue());
    }

    @Test
    void shouldRefuseAnEscapedNameWhichCouldReadAsAnotherName() {
        JsonByteCursor c = cursor("{\"auditI\\u0044\":\"x\"}");
        c.expect('{');
        assertThatThrownBy(c::name).isInstanceOf(JsonByteCursor.Refused.class);
    }

    @Test
    void shouldReadOnlyIntegersThatFitAnIntWhenAnIntIsAsked() {
        assertThat(cursor("403").intValue()).isEqualTo(403);
        assertThat(cursor("-2147483648").intValue()).isEqualTo(Integer.MIN_VALUE);
        for (String notAnInt : new String[] {"2147483648", "4.03e2", "403.0", "0403", "\"403\"", "-", ""}) {
            assertThatThrownBy(() -> cursor(notAnInt).intValue()).as(notAnInt).isInstanceOf(JsonByteCursor.Refused.class);
        }
    }
}
