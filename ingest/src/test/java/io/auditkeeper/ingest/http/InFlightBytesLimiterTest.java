package io.auditkeeper.ingest.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InFlightBytesLimiterTest {
    @Test
    void shouldGrantUpToTheLimitExactlyAndRefuseOneByteMore() {
        InFlightBytesLimiter limiter = new InFlightBytesLimiter(100);

        InFlightBytesLimiter.Reservation a = limiter.tryReserve(60);
        InFlightBytesLimiter.Reservation b = limiter.tryReserve(40);

        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        assertThat(limiter.used()).isEqualTo(100);
        assertThat(limiter.tryReserve(1)).isNull();
        assertThat(b.grow(1)).isFalse();
    }

    @Test
    void shouldReturnBytesOnceWhenAReservationCloses() {
        InFlightBytesLimiter limiter = new InFlightBytesLimiter(100);
        InFlightBytesLimiter.Reservation a = limiter.tryReserve(10);
        assertThat(a.grow(50)).isTrue();

        a.close();
        a.close();

        assertThat(limiter.used()).isZero();
        assertThat(a.grow(1)).isFalse();
        assertThat(limiter.tryReserve(100)).isNotNull();
    }
}
