package io.auditkeeper.cli.investigate;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether standard error is a terminal, so that a progress line is drawn for a person watching and never written into
 * a log file or a pipe. The JDK cannot ask this of stderr alone ({@code System.console()} looks at stdin and stdout,
 * which a replay redirects to a file); on Linux the answer is where {@code /proc/self/fd/2} points.
 */
final class Terminal {
    private Terminal() {
    }

    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /**
     * A progress line on stderr for an archive verification when stderr is a terminal, else null (nothing drawn). The
     * line is redrawn at most every 200 ms and at the end of each partition.
     */
    static ArchiveVerification.Progress verificationProgress(PrintWriter err, String topic) {
        if (!stderrIsTerminal()) {
            return null;
        }
        long[] last = {0};
        return (partition, checked, objects, left) -> {
            long now = System.nanoTime();
            boolean end = checked == objects;
            if (!end && now - last[0] < 200_000_000L) {
                return;
            }
            last[0] = now;
            err.printf("\rverify: %s-%d %d of %d objects checked, %d partitions left  ", topic, partition, checked,
                    objects, left);
            if (end && left == 0) {
                err.println();
            }
            err.flush();
        };
    }
}
