package io.auditkeeper.demo.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one kind of batch sender on several threads for a fixed time and adds up what was acknowledged. Each thread
 * sends a batch and waits for its acknowledgement before the next, as an apiserver's webhook backend does.
 */
final class LoadLoop {
    /** Sends batch number {@code n} and returns once it is acknowledged; false if it was refused. */
    interface BatchSender {
        boolean send(int thread, long n) throws Exception;
    }

    private LoadLoop() {
    }

    private static final class Worker implements Runnable {
        private final int id;
        private final BatchSender sender;
        private final AtomicBoolean running;
        private long[] latencies = new long[4096];
        private int acked;
        private long failures;
        private long cpuNanos;

        Worker(int id, BatchSender sender, AtomicBoolean running) {
            this.id = id;
            this.sender = sender;
            this.running = running;
        }

        @Override
        public void run() {
            long n = 0;
            while (running.get()) {
                long s = System.nanoTime();
                boolean ok;
                try {
                    ok = sender.send(id, n++);
                } catch (Exception e) {
                    ok = false;
                }
                if (!ok) {
                    failures++;
                    continue;
                }
                if (acked == latencies.length) {
                    latencies = Arrays.copyOf(latencies, acked * 2);
                }
                latencies[acked++] = System.nanoTime() - s;
            }
            cpuNanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        }
    }

    static LoadResult run(String name, int threads, long seconds, int eventsPerBatch, long bytesPerBatch, BatchSender sender)
            throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Worker> workers = new ArrayList<>();
        List<Thread> threadList = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker(t, sender, running);
            workers.add(w);
            Thread th = new Thread(w, name + "-" + t);
            threadList.add(th);
            th.start();
        }
        Thread.sleep(seconds * 1000);
        running.set(false);
        for (Thread th : threadList) {
            th.join();
        }
        long nanos = System.nanoTime() - start;
        long batches = 0;
        long failures = 0;
        long cpu = 0;
        long[] all = new long[0];
        for (Worker w : workers) {
            batches += w.acked;
            failures += w.failures;
            cpu += w.cpuNanos;
            int from = all.length;
            all = Arrays.copyOf(all, from + w.acked);
            System.arraycopy(w.latencies, 0, all, from, w.acked);
        }
        return new LoadResult(name, batches * eventsPerBatch, batches * bytesPerBatch, nanos, all, failures, cpu);
    }
}
