package io.auditkeeper.cli;

import io.auditkeeper.cli.bench.BenchCommand;
import io.auditkeeper.cli.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code auditkeeper} command line. Exit codes: 0 success, 1 failure, 2 usage error.
 */
@Command(name = "auditkeeper", mixinStandardHelpOptions = true, version = "Audit Keeper 0.1.0",
        description = "A tamper-evident audit trail for Kubernetes clusters that hold PHI.",
        subcommands = {DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class AuditKeeperCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = new CommandLine(new AuditKeeperCli()).execute(args);
        System.exit(code);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
