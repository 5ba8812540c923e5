package io.auditkeeper.cli.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineBenchCommandTest {
    @Test
    void shouldExitTwoNamingTheOptionsWhenRoundsOrEventsAreTooFew() {
        for (String[] args : new String[][] {{"--rounds", "1"}, {"--events", "0"}}) {
            StringWriter err = new StringWriter();
            CommandLine cli = new CommandLine(new PipelineBenchCommand());
            cli.setErr(new PrintWriter(err));

            int code = cli.execute(args);

            assertThat(code).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString()).contains("--events must be at least 1 and --rounds at least 2");
        }
    }
}
