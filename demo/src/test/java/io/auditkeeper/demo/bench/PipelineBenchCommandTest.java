package io.auditkeeper.demo.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineBenchCommandTest {
    @Test
    void shouldExitTwoNamingTheOptionsWhenRoundsOrEventsAreTooFew() {
        for (String[] args : new String[][] {{"--rounds", "1"}, {"--events", "0"}}) {
            CommandRun run = CommandRun.of(new PipelineBenchCommand(), args);

            assertThat(run.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err()).contains("--events must be at least 1 and --rounds at least 2");
        }
    }
}
