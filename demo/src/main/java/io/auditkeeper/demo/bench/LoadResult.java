package io.auditkeeper.demo.bench;

import java.util.Arrays;

/**
 * What one timed run achieved: events and bytes acknowledged, the latency of each batch's acknowledgement, and the CPU
 * its sending threads used (taken by each thread before it ends, as its row would be gone from {@code /proc} after).
 */
record LoadResult(String name, long events, long bytes, long nanos, long[] batchLatencyNanos, long failures, long senderCpuNanos) {
    double eventsPerSecond() {
        return events / (nanos / 1e9);
    }

    double megabytesPerSecond() {
        return bytes / (nanos / 1e9) / (1024.0 * 1024.0);
    }

    double latencyMillis(double quantile) {
        if (batchLatencyNanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = batchLatencyNanos.clone();
        Arrays.sort(sorted);
        int i = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}
