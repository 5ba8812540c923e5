package io.auditkeeper.demo.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the CPU of an end-to-end run went, stage by stage: each service's process (its JIT compiler and GC apart, so
 * that a JVM still warming up shows as such), the archiver's two writers apart, and in the local stack's JVM the
 * Kafka broker and OpenSearch, by their threads' names; Ceph's processes. Snapshots are taken from {@code /proc}, so
 * every process is measured the same way; the client's CPU is counted by its own threads (they end before the run).
 */
final class PipelineCpu {
    /** A process to measure, and the name its rows go under. */
    record Measured(String name, long pid) {
    }

    static final String JIT = "JIT compiler";
    static final String GC = "GC";

    private final List<Measured> services;
    private final List<Measured> others;

    /**
     * @param services the Audit Keeper services (their threads grouped into work, and JIT and GC)
     * @param others   whole processes (Ceph's), one row each
     */
    PipelineCpu(List<Measured> services, List<Measured> others) {
        this.services = List.copyOf(services);
        this.others = List.copyOf(others);
    }

    /** CPU nanoseconds so far, by row. */
    Map<String, Long> snapshot() {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (Measured s : services) {
            ProcessCpu.threadNanos(s.pid(), name -> group(s.name(), name)).forEach((k, v) -> rows.merge(k, v, Long::sum));
        }
        ProcessCpu.threadNanos(ProcessHandle.current().pid(), PipelineCpu::localStackGroup)
                .forEach((k, v) -> rows.merge(k, v, Long::sum));
        for (Measured o : others) {
            rows.merge(o.name(), ProcessCpu.nanos(o.pid()), Long::sum);
        }
        return rows;
    }

    /** The row of a service's thread, by its Linux name (Java's name cut to 15 characters). */
    static String group(String service, String thread) {
        String jvm = jvmGroup(thread);
        if (jvm != null) {
            return service + ": " + jvm;
        }
        if (service.equals("archiver")) {
            if (thread.startsWith("archive-writer")) {
                return "archiver: archive writer";
            }
            if (thread.startsWith("index-writer") || thread.startsWith("httpclient") || thread.startsWith("I/O dispatcher")) {
                return "archiver: indexer";
            }
            return "archiver: other (Kafka clients, digests)";
        }
        return service;
    }

    /** The JVM's own work, by the Linux name of its thread: the JIT compilers, or GC and the VM thread; null for others. */
    static String jvmGroup(String thread) {
        if (thread.contains("CompilerThre")) {
            return JIT;
        }
        if (thread.startsWith("GC Thread") || thread.startsWith("G1 ") || thread.equals("VM Thread")) {
            return GC;
        }
        return null;
    }

    /** The row of a thread of this JVM: the local stack's Kafka broker and OpenSearch, and the bench itself. */
    static String localStackGroup(String thread) {
        String jvm = jvmGroup(thread);
        if (jvm != null) {
            return "local stack JVM: " + jvm;
        }
        if (thread.startsWith("e2e-sender")) {
            return "(client, counted by its threads)";
        }
        if (thread.startsWith("opensearch[")) {
            return "OpenSearch";
        }
        if (thread.startsWith("HttpClient") || thread.startsWith("kafka-admin-cl") || thread.startsWith("e2e-")
                || thread.equals("main")) {
            return "bench harness";
        }
        return "Kafka broker";
    }
}
