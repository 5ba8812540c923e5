package io.auditkeeper.demo.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EndToEndBenchCommandTest {
    @Test
    void shouldRefuseTheOverloadOptionsWhenNegative() {
        CommandRun seconds = CommandRun.of(new EndToEndBenchCommand(), "--overload-seconds", "-1");
        CommandRun rate = CommandRun.of(new EndToEndBenchCommand(), "--overload-rate", "-5000");

        assertThat(seconds.code()).isEqualTo(2);
        assertThat(seconds.err()).contains("--overload-seconds and --overload-rate must not be negative");
        assertThat(rate.code()).isEqualTo(2);
        assertThat(rate.err()).contains("--overload-seconds and --overload-rate must not be negative");
    }
}
