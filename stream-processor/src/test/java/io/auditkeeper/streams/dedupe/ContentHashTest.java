package io.auditkeeper.streams.dedupe;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The same event pretty-printed is the same content; any other difference, even inside a string, is not. */
class ContentHashTest {
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

    private long of(String json) {
        return hash.of(json.getBytes(StandardCharsets.UTF_8));
    }
}
