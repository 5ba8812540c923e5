package io.auditkeeper.model.json;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ByteWordsTest {
    @Test
    void shouldFindTheFirstMatchingByteOfAWordAsAByteByByteLookDoes() {
        Random random = new Random(7);
        byte[] interesting = {'"', '\\', ' ', '!', 0, 0x1f, 0x20, 0x21, 0x7f, (byte) 0x80, (byte) 0xff, 'a'};
        byte[] bytes = new byte[8];
        for (int i = 0; i < 100_000; i++) {
            for (int j = 0; j < 8; j++) {
                bytes[j] = random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : (byte) random.nextInt(256);
            }
            long w = ByteWords.word(bytes, 0);
            assertThat(first(ByteWords.equalTo(w, ByteWords.repeated('"')))).isEqualTo(firstWhere(bytes, b -> b == '"'));
            assertThat(first(ByteWords.below(w, ByteWords.repeated(' ' + 1))))
                    .isEqualTo(firstWhere(bytes, b -> (b & 0xFF) <= ' '));
            assertThat(first(ByteWords.nonAscii(w))).isEqualTo(firstWhere(bytes, b -> b < 0));
        }
    }

    private interface BytePredicate {
        boolean test(byte b);
    }

    private static int first(long matches) {
        return matches == 0 ? -1 : ByteWords.firstByte(matches);
    }

    private static int firstWhere(byte[] bytes, BytePredicate p) {
        for (int i = 0; i < bytes.length; i++) {
            if (p.test(bytes[i])) {
                return i;
            }
        }
        return -1;
    }
}
