package io.auditkeeper.streams.dedupe;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The same event pretty-printed is the same content; any other difference, even inside a string, is not. */
class ContentHashTest {
    private static final String PINNED = "c4de50e49b635451";
    private final ContentHash hash = new ContentHash();

    @Test
    void shouldHashTheSameWhenOnlyWhitespaceBetweenTokensDiffers() {
        long compact = of("{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"annotations\":{\"k\":\"v \\\" x\"}}");
        long pretty = of("{\n  \"auditID\": \"a\",\r\n\t\"stage\" : \"ResponseComplete\",\n  \"annotations\": {\"k\": \"v \\\" x\"}\n}\n");

        assertThat(pretty).isEqualTo(compact);
        assertThat(ContentHash.isHash(compact)).as("the top bit tells a hash from a timestamp").isTrue();
    }

    @Test
    void shouldHashOtherwiseWhenWhitespaceInsideAStringOrAValueDiffers() {
        long base = of("{\"auditID\":\"a\",\"reason\":\"allowed by x\"}");

        assertThat(of("{\"auditID\":\"a\",\"reason\":\"allowed  by x\"}")).as("whitespace inside a string").isNotEqualTo(base);
        assertThat(of("{\"auditID\":\"a\",\"reason\":\"allowed by y\"}")).isNotEqualTo(base);
        assertThat(of("{\"reason\":\"allowed by x\",\"auditID\":\"a\"}")).as("fields in another order").isNotEqualTo(base);
    }

    @Test
    void shouldHashEveryInputAsTheByteByByteScanDid() throws Exception {
        Random random = new Random(20261207);
        byte[] alphabet = "\"\\ \n\r\t{}[]:,ab0\u0001\u001f!#".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20_000; i++) {
            byte[] json = new byte[random.nextInt(40)];
            for (int j = 0; j < json.length; j++) {
                json[j] = random.nextInt(8) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            assertThat(hash.of(json)).as("input %d", i).isEqualTo(byteByByte(json));
        }
        for (String line : Files.readAllLines(Path.of("../testdata/corpus/events.ndjson"))) {
            byte[] json = line.getBytes(StandardCharsets.UTF_8);
            assertThat(hash.of(json)).isEqualTo(byteByByte(json));
        }
    }

    @Test
    void shouldKeepTheHashesTheStoreAlreadyHolds() {
        assertThat(ContentHash.hex(of("{\"auditID\":\"a\",\"stage\":\"ResponseComplete\"}"))).isEqualTo(PINNED);
    }

    /** The scan as it was first written: one byte at a time. The hashes in stores and changelogs were made with it. */
    private static long byteByByte(byte[] json) throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
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
        byte[] d = sha256.digest();
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
        }
        return h | Long.MIN_VALUE;
    }

    private long of(String json) {
        return hash.of(json.getBytes(StandardCharsets.UTF_8));
    }
}
