package io.auditkeeper.demo.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StreamsBenchCommandTest {
    @Test
    void shouldTakeTheMiddleRatioWhenTheRoundsAreOdd() {
        double[] ratios = {0.42, 0.31, 0.35};

        assertThat(StreamsBenchCommand.median(ratios)).isEqualTo(0.35);
        assertThat(ratios).as("the rounds' order is left as printed").containsExactly(0.42, 0.31, 0.35);
    }

    @Test
    void shouldTakeTheMeanOfTheTwoMiddleRatiosWhenTheRoundsAreEven() {
        assertThat(StreamsBenchCommand.median(new double[] {0.40, 0.30, 0.36, 0.32})).isCloseTo(0.34, within(1e-9));
    }

    @Test
    void shouldExitTwoNamingTheOptionsWhenEventsRoundsOrThreadsAreTooFew() {
        for (String[] args : new String[][] {{"--rounds", "0"}, {"--events", "0"}, {"--threads", "0"}}) {
            CommandRun run = CommandRun.of(new StreamsBenchCommand(), args);

            assertThat(run.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err()).contains("--events, --rounds and --threads must each be at least 1");
        }
    }

    @Test
    void shouldExitTwoNamingTheKeyWhenASettingIsUnknown() {
        CommandRun run = CommandRun.of(new StreamsBenchCommand(), "--set", "dedupe.windw-ms=1000");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--set: unknown stream-processor setting 'dedupe.windw-ms'");
    }
}
