package io.auditkeeper.cli;

import io.auditkeeper.cli.investigate.ProveCommand;
import io.auditkeeper.cli.investigate.RehydrateCommand;
import io.auditkeeper.cli.investigate.ReplayCommand;
import io.auditkeeper.cli.investigate.ReportCommand;
import io.auditkeeper.cli.investigate.VerifyCommand;
import io.auditkeeper.cli.investigate.VerifyProofCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The auditors' {@code auditkeeper} command: {@code verify}, {@code replay}, {@code report}, {@code rehydrate},
 * {@code prove} and {@code verify-proof}, on a classpath of the
 * model, the evidence module and the Kafka, S3 and OpenSearch clients only (no broker, OpenSearch server or service:
 * {@code AuditorClasspathIT}); the demo and benchmarks are the {@code demo} module's. Exit codes: 0 success, 1 failure
 * (for {@code verify}: problems found in the archive), 2 usage or configuration error, 3 a store (S3, Kafka)
 * unreachable or refusing ({@code verify}, {@code replay}).
 */
@Command(name = "auditkeeper", mixinStandardHelpOptions = true, version = "Audit Keeper 0.1.0",
        description = "A tamper-evident audit trail for Kubernetes clusters that hold PHI: verify, replay, report, rehydrate,"
                + " prove.",
        subcommands = {VerifyCommand.class, ReplayCommand.class, ReportCommand.class, RehydrateCommand.class,
                ProveCommand.class,
                VerifyProofCommand.class,
                CommandLine.HelpCommand.class})
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
