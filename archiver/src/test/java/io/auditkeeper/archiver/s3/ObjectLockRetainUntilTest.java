package io.auditkeeper.archiver.s3;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The retain-until rule: the retention from the archiver's clock at writing, never less than from the batch's time. */
class ObjectLockRetainUntilTest {
    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");

    @Test
    void shouldLockForTheRetentionFromNowWhenTheBatchTimeIsBehind() {
        Instant batch = NOW.minus(Duration.ofHours(2));

        assertThat(ObjectLockArchiveWriter.retainUntil(batch, NOW, 6)).isEqualTo(Instant.parse("2032-12-06T10:00:00Z"));
    }

    @Test
    void shouldLockForTheRetentionFromTheBatchTimeWhenTheBatchTimeIsAhead() {
        Instant batch = NOW.plus(Duration.ofHours(2));

        assertThat(ObjectLockArchiveWriter.retainUntil(batch, NOW, 6)).isEqualTo(Instant.parse("2032-12-06T12:00:00Z"));
    }

    @Test
    void shouldNeverLockShorterThanEitherRuleWhenTimesHaveFractionsOfASecond() {
        Instant now = Instant.parse("2024-02-29T23:59:59.000000001Z");
        for (Instant batch : List.of(now.minusMillis(1), now, now.plusMillis(1), now.minus(Duration.ofDays(400)),
                now.plus(Duration.ofDays(1)).plusNanos(999_999_999))) {
            Instant until = ObjectLockArchiveWriter.retainUntil(batch, now, 6);

            assertThat(until).isAfterOrEqualTo(now.atZone(ZoneOffset.UTC).plusYears(6).toInstant())
                    .isAfterOrEqualTo(batch.atZone(ZoneOffset.UTC).plusYears(6).toInstant())
                    .isEqualTo(until.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
    }

    @Test
    void shouldPutWithTheArchiversClockWhenTheRecordsTimeIsTwoHoursBehind() {
        List<PutObjectRequest> puts = new ArrayList<>();
        S3Client s3 = (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[]{S3Client.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "headObject" -> throw NoSuchKeyException.builder().message("no such key").build();
                    case "putObject" -> {
                        puts.add((PutObjectRequest) args[0]);
                        assertThat(args[1]).isInstanceOf(RequestBody.class);
                        yield PutObjectResponse.builder().versionId("v1").build();
                    }
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        ObjectLockArchiveWriter writer = new ObjectLockArchiveWriter(s3, "b", 6,
                ObjectLockArchiveWriter.Encryption.none(), Clock.fixed(NOW, ZoneOffset.UTC));

        ArchivedObject o = writer.put("k", new byte[]{1, 2, 3}, "application/gzip", Map.of(),
                NOW.minus(Duration.ofHours(2)));

        assertThat(puts).singleElement().satisfies(p ->
                assertThat(p.objectLockRetainUntilDate()).isEqualTo(Instant.parse("2032-12-06T10:00:00Z")));
        assertThat(o.retainUntil()).isEqualTo(Instant.parse("2032-12-06T10:00:00Z"));
    }
}
