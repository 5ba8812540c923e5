package io.auditkeeper.demo.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * CPU time and peak memory of a process, and of its threads by group, from Linux's {@code /proc}. Why: a benchmark on
 * two shared cores must say which process, and which part of it, spent the CPU; the JVM's own accounting sees only
 * itself. Times are in nanoseconds at the kernel's tick (10 ms), which over a run of seconds is fine.
 */
final class ProcessCpu {
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcessCpu() {
    }

    /** User and system CPU of the whole process so far; 0 when it is gone. */
    static long nanos(long pid) {
        return statNanos(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** CPU so far of the process's threads, summed by {@code group} of their Linux names (15 characters at most). */
    static Map<String, Long> threadNanos(long pid, Function<String, String> group) {
        Map<String, Long> out = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    out.merge(group.apply(name), statNanos(stat), Long::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException gone) {
            // the process ended
        }
        return out;
    }

    /** The process's peak resident set (VmHWM), in bytes; 0 when unknown. */
    static long peakRssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended
        }
        return 0;
    }

    private static long statNanos(Path stat) {
        try {
            return statNanos(Files.readString(stat));
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    private static long statNanos(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
    }
}
