package io.auditkeeper.demo;

import io.auditkeeper.cli.investigate.ReplayCommand;
import io.auditkeeper.cli.investigate.ReportCommand;
import io.auditkeeper.cli.investigate.VerifyCommand;
import io.auditkeeper.demo.bench.BenchCommand;
import io.auditkeeper.demo.soak.SoakCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code auditkeeper} command as a developer's machine has it: {@code demo} and {@code bench}, which run every
 * service and the local stack in this JVM, next to the auditors' commands. Kept out of the auditors' tool
 * ({@code io.auditkeeper.cli.AuditKeeperCli}) so that what an auditor runs carries no broker, OpenSearch server or
 * service on its classpath. Exit codes as the auditors' tool's.
 */
@Command(name = "auditkeeper", mixinStandardHelpOptions = true, version = "Audit Keeper 0.1.0",
        description = "A tamper-evident audit trail for Kubernetes clusters that hold PHI: the demo and benchmarks.",
        subcommands = {DemoCommand.class, BenchCommand.class, SoakCommand.class, VerifyCommand.class, ReplayCommand.class, ReportCommand.class,
                CommandLine.HelpCommand.class})
public final class DemoCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = new CommandLine(new DemoCli()).execute(args);
        System.exit(code);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
