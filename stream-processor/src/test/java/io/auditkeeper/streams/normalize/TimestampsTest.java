package io.auditkeeper.streams.normalize;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TimestampsTest {
    @Test
    void shouldKeepTheApiserverFormAsItIsWhenItIsValid() {
        assertThat(Timestamps.normalize("2019-11-18T04:40:56.739299Z")).isEqualTo("2019-11-18T04:40:56.739299Z");
        assertThat(Timestamps.isNormalForm("2024-02-29T23:59:59.999999Z")).isTrue();
    }

    @Test
    void shouldConvertTheOtherFormsToTheApiserverForm() {
        assertThat(Timestamps.normalize("2019-11-18T04:40:56Z")).isEqualTo("2019-11-18T04:40:56.000000Z");
        assertThat(Timestamps.normalize("2019-11-18T05:40:56.5+01:00")).isEqualTo("2019-11-18T04:40:56.500000Z");
        assertThat(Timestamps.normalize("2019-11-18 04:40:56.123")).isEqualTo("2019-11-18T04:40:56.123000Z");
        assertThat(Timestamps.normalize("2019-11-18T04:40:56.123456789Z")).isEqualTo("2019-11-18T04:40:56.123456Z");
    }

    @Test
    void shouldLeaveOutATimestampWhenItIsNotADate() {
        assertThat(Timestamps.normalize("2023-02-29T00:00:00.000000Z")).isNull();
        assertThat(Timestamps.normalize("2023-13-01T00:00:00.000000Z")).isNull();
        assertThat(Timestamps.normalize("yesterday")).isNull();
        assertThat(Timestamps.normalize("")).isNull();
        assertThat(Timestamps.normalize(null)).isNull();
    }

    @Test
    void shouldAgreeWithTheFullParserWhenGivenAnyStringOfTheApiserverShape() {
        Random random = new Random(42);
        char[] pool = "0123456789-T:.Z+ x".toCharArray();
        String template = "2019-11-18T04:40:56.739299Z";
        for (int n = 0; n < 40_000; n++) {
            char[] c = template.toCharArray();
            int changes = 1 + random.nextInt(3);
            for (int k = 0; k < changes; k++) {
                int i = random.nextInt(c.length);
                c[i] = random.nextBoolean() ? (char) ('0' + random.nextInt(10)) : pool[random.nextInt(pool.length)];
            }
            String s = new String(c);
            Instant parsed = Timestamps.parse(s);
            String slow = parsed == null ? null : Timestamps.format(parsed);
            assertThat(Timestamps.normalize(s)).as(s).isEqualTo(slow);
        }
    }

    @Test
    void shouldAgreeWithTheFullParserWhenGivenAnyUtcFormWithZeroToNineFractionDigits() {
        Random random = new Random(11);
        char[] pool = "0123456789-T:.Z+ x".toCharArray();
        String[] templates = {"2026-12-06T09:46:26Z", "2026-12-06T09:46:26.5Z", "2026-12-06T09:46:26.123Z",
                "2024-02-29T23:59:59.12345Z", "1970-01-01T00:00:00.1234567Z", "2019-11-18T04:40:56.123456789Z"};
        for (String template : templates) {
            assertThat(Timestamps.zuluFractionDigits(template)).as(template).isBetween(0, 9);
            for (int n = 0; n < 10_000; n++) {
                char[] c = template.toCharArray();
                int changes = random.nextInt(3);
                for (int k = 0; k < changes; k++) {
                    int i = random.nextInt(c.length);
                    c[i] = random.nextBoolean() ? (char) ('0' + random.nextInt(10)) : pool[random.nextInt(pool.length)];
                }
                String s = new String(c);
                Instant parsed = Timestamps.parse(s);
                assertThat(Timestamps.normalize(s)).as(s).isEqualTo(parsed == null ? null : Timestamps.format(parsed));
                assertThat(Timestamps.epochMillis(s)).as(s)
                        .isEqualTo(parsed == null ? RawRecordContext.UNKNOWN : parsed.toEpochMilli());
            }
        }
        assertThat(Timestamps.normalize("2026-12-06T09:46:26.123Z")).isEqualTo("2026-12-06T09:46:26.123000Z");
        assertThat(Timestamps.zuluFractionDigits("2026-12-06T09:46:26.Z")).as("a point without digits").isEqualTo(-1);
        assertThat(Timestamps.zuluFractionDigits("2026-12-06T09:46:26.1234567890Z")).as("ten digits").isEqualTo(-1);
    }

    @Test
    void shouldGiveTheSameEpochMillisAsTheFullParserWhenGivenAnyStringOfTheApiserverShape() {
        Random random = new Random(7);
        char[] pool = "0123456789-T:.Z+ x".toCharArray();
        String template = "1969-12-31T23:59:59.999999Z";
        for (int n = 0; n < 40_000; n++) {
            char[] c = template.toCharArray();
            int changes = 1 + random.nextInt(3);
            for (int k = 0; k < changes; k++) {
                int i = random.nextInt(c.length);
                c[i] = random.nextBoolean() ? (char) ('0' + random.nextInt(10)) : pool[random.nextInt(pool.length)];
            }
            String s = new String(c);
            Instant parsed = Timestamps.parse(s);
            long expected = parsed == null ? RawRecordContext.UNKNOWN : parsed.toEpochMilli();
            assertThat(Timestamps.epochMillis(s)).as(s).isEqualTo(expected);
        }
        assertThat(Timestamps.epochMillis("2026-12-06T09:46:26.123Z")).isEqualTo(Instant.parse("2026-12-06T09:46:26.123Z").toEpochMilli());
        assertThat(Timestamps.epochMillis(null)).isEqualTo(RawRecordContext.UNKNOWN);
    }
}
