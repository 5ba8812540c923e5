package io.auditkeeper.demo.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OverloadPhaseTest {
    @Test
    void shouldOfferTwiceTheEndToEndRateInWholeBatchesWhenTheFullSpeedRunWasSearchable() {
        // 200,000 events searchable after 25 s: 8,000 events/s end to end, so 16,000 offered (40 batches)
        assertThat(OverloadPhase.defaultRate(200_000, 25.0)).isEqualTo(16_000);
        // 200,000 in 23 s: 17,391 events/s doubled, rounded to 43 batches
        assertThat(OverloadPhase.defaultRate(200_000, 23.0)).isEqualTo(43 * EndToEndLoad.BATCH);
    }

    @Test
    void shouldOfferAtLeastOneBatchWhenTheEndToEndRateIsTiny() {
        assertThat(OverloadPhase.defaultRate(400, 1000.0)).isEqualTo(EndToEndLoad.BATCH);
    }

    @Test
    void shouldHaveNoDefaultWhenTheFullSpeedRunNeverBecameSearchable() {
        assertThat(OverloadPhase.defaultRate(200_000, Double.NaN)).isZero();
        assertThat(OverloadPhase.defaultRate(0, 10.0)).isZero();
    }
}
