package io.auditkeeper.cli.investigate;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code auditkeeper replay}: gives an investigator the events of a past period again, filtered to what the
 * investigation is about, as lines to read or records to run through the pipeline once more: from Kafka for the recent past,
 * from the verified S3 archive for any period of the retention.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay the audit events of a period, filtered, as NDJSON or into another topic.",
        subcommands = {ReplayKafkaCommand.class, ReplayArchiveCommand.class}, footer = {ExitCodes.HELP})
public final class ReplayCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name what to replay from: replay kafka or replay archive");
    }
}
