package io.auditkeeper.demo.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a benchmark run's CPU went, by thread group: the JVM's own threads (JIT compilers, GC) and RocksDB's
 * background threads from {@code /proc/self/task}, Java threads from the JMX thread bean under their full names.
 * Why: on two cores shared with the broker, "process CPU per event" mixes the measured code with the compiler and the
 * broker; this tells them apart.
 */
final class CpuBreakdown {
    private static final long NANOS_PER_TICK = 10_000_000L;
    private final Map<String, Long> start;

    private CpuBreakdown(Map<String, Long> start) {
        this.start = start;
    }

    static CpuBreakdown start(String appId) {
        return new CpuBreakdown(snapshot(appId));
    }

    /** The CPU per event of each group since {@link #start}, largest first, one line each. */
    String report(String appId, long events) {
        StringBuilder out = new StringBuilder();
        Map<String, Long> end = snapshot(appId);
        List<Map.Entry<String, Long>> rows = new ArrayList<>();
        end.forEach((group, nanos) -> rows.add(Map.entry(group, nanos - start.getOrDefault(group, 0L))));
        rows.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        for (Map.Entry<String, Long> r : rows.subList(0, Math.min(10, rows.size()))) {
            out.append(String.format("    %8.1f µs  %s%n", r.getValue() / 1e3 / events, r.getKey()));
        }
        return out.toString();
    }

    private static Map<String, Long> snapshot(String appId) {
        Map<String, Long> groups = new TreeMap<>();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName().replace(appId, "app").replaceAll("-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "")
                    .replaceAll("[0-9]+", "N");
            groups.merge(name, Math.max(0, mx.getThreadCpuTime(t.getId())), Long::sum);
        }
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    String group = jvmGroup(stat.substring(stat.indexOf('(') + 1, close));
                    if (group != null) {
                        String[] f = stat.substring(close + 2).split(" ");
                        groups.merge(group, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK, Long::sum);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException noProc) {
            // not Linux: Java threads only
        }
        return groups;
    }

    /** The group of a thread the JMX bean does not list, by its Linux name; null for a Java thread. */
    private static String jvmGroup(String linuxName) {
        if (linuxName.contains("CompilerThre")) {
            return "(JIT compiler)";
        }
        if (linuxName.startsWith("GC Thread") || linuxName.startsWith("G1 ") || linuxName.equals("VM Thread")) {
            return "(GC and VM)";
        }
        if (linuxName.startsWith("rocksdb")) {
            return "(RocksDB background)";
        }
        return null;
    }
}
