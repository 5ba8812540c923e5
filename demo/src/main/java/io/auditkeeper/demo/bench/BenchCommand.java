package io.auditkeeper.demo.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code auditkeeper bench}: benchmarks that print figures (speed is measured here, never asserted in tests). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
        subcommands = {IngestBenchCommand.class, StreamsBenchCommand.class, PipelineBenchCommand.class, ArchiverBenchCommand.class,
                VerifyBenchCommand.class, EndToEndBenchCommand.class, OpenSearchBenchCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
