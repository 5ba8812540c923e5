package io.auditkeeper.cli.investigate;

import java.io.IOException;
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
}
