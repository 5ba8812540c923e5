package io.auditkeeper.ingest.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InFlightBytesLimiterTest {
    @Test
    void shouldGrantUpToTheLimitExactlyAndRefuseOneByteMore() {
        InFlightBytesLimiter limiter = new InFlightBytesLimiter(100, 100);

        InFlightBytesLimiter.Reservation a = limiter.open("a");
        InFlightBytesLimiter.Reservation b = limiter.open("b");

        assertThat(a.grow(60)).isTrue();
        assertThat(b.grow(40)).isTrue();
        assertThat(limiter.used()).isEqualTo(100);
        assertThat(limiter.open("c").grow(1)).isFalse();
        assertThat(b.grow(1)).isFalse();
        assertThat(b.held()).isEqualTo(40);
    }

    @Test
    void shouldReturnBytesOnceWhenAReservationCloses() {
        InFlightBytesLimiter limiter = new InFlightBytesLimiter(100, 100);
        InFlightBytesLimiter.Reservation a = limiter.open("a");
        assertThat(a.grow(10)).isTrue();
        assertThat(a.grow(50)).isTrue();

        a.close();
        a.close();

        assertThat(limiter.used()).isZero();
        assertThat(limiter.usedBy("a")).isZero();
        assertThat(a.grow(1)).isFalse();
        assertThat(limiter.open("a").grow(100)).isTrue();
    }

    @Test
    void shouldHoldOneClientToItsShareAcrossItsRequestsWhileAnotherStillGetsRoom() {
        InFlightBytesLimiter limiter = new InFlightBytesLimiter(100, 30);
        InFlightBytesLimiter.Reservation first = limiter.open("hostile");
        InFlightBytesLimiter.Reservation second = limiter.open("hostile");

        assertThat(first.grow(20)).isTrue();
        assertThat(second.grow(10)).isTrue();
        assertThat(second.grow(1)).isFalse();
        assertThat(limiter.open("hostile").grow(1)).isFalse();
        assertThat(limiter.open("apiserver").grow(30)).isTrue();
        assertThat(limiter.usedBy("hostile")).isEqualTo(30);
        assertThat(limiter.used()).isEqualTo(60);
    }

    @Test
    void shouldNameTheBoundARefusedChargeWouldCross() {
        InFlightBytesLimiter limiter = new InFlightBytesLimiter(50, 30);
        InFlightBytesLimiter.Reservation hostile = limiter.open("hostile");
        InFlightBytesLimiter.Reservation other = limiter.open("other");

        assertThatThrownBy(() -> hostile.charge(31)).isInstanceOf(WebhookException.class)
                .hasMessageContaining("limits.max-in-flight-bytes-per-client");
        assertThat(other.grow(30)).isTrue();
        assertThatThrownBy(() -> hostile.charge(21)).isInstanceOf(WebhookException.class)
                .hasMessageContaining("(limits.max-in-flight-bytes)");
    }

    @Test
    void shouldCapTheShareAtTheTotal() {
        InFlightBytesLimiter limiter = new InFlightBytesLimiter(100, 1_000);

        assertThat(limiter.maxPerClient()).isEqualTo(100);
        assertThat(limiter.open("a").grow(101)).isFalse();
    }
}
