package io.auditkeeper.cli.investigate;

/**
 * The exit codes of the investigation commands, fixed so that scripts and schedulers can tell "the record is damaged"
 * from "the command could not look": a cron job that verifies the archive must page someone for 1, and retry for 3.
 */
public final class ExitCodes {
    /** Everything checked out (verify; explained leftovers are no problem) or the replay completed. */
    public static final int OK = 0;
    /** Verify found at least one problem in the archive. */
    public static final int PROBLEMS = 1;
    /** Wrong options, unreadable key file, a bucket or topic that does not exist. */
    public static final int USAGE = 2;
    /** The store (S3 or Kafka) could not be reached or refused the request. */
    public static final int UNREACHABLE = 3;

    /** The text appended to each command's help. */
    public static final String HELP = "%nExit codes: 0 ok, 1 problems found, 2 usage or configuration error,"
            + " 3 store unreachable or refused the request.";

    private ExitCodes() {
    }
}
