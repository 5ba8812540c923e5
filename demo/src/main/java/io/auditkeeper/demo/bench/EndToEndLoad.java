package io.auditkeeper.demo.bench;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The end-to-end benchmark's apiserver: sender threads, each on one kept-alive mutual-TLS connection, posting
 * {@link FreshBatches} to ingest and waiting for each answer, as the webhook backend does. A batch answered 429, 500,
 * 503 or 504 is sent again after a short pause, as the apiserver would; anything else counts as refused. Either as
 * fast as ingest answers, or paced at a rate. Threads are named {@code e2e-sender-N}, so their CPU is the client's.
 */
final class EndToEndLoad {
    static final int BATCH = 400;
    private static final long RETRY_PAUSE_MS = 100;

    /** What one load achieved: batch acknowledgement times (nanoTime, in order) and latencies, answers by status. */
    record Result(long firstSendNanos, long[] ackNanos, long[] latencyNanos, Map<String, Long> answers, long refused,
                  long clientCpuNanos) {
        long events() {
            return (long) ackNanos.length * BATCH;
        }

        long lastAckNanos() {
            return ackNanos.length == 0 ? firstSendNanos : ackNanos[ackNanos.length - 1];
        }

        double eventsPerSecond() {
            return events() / ((lastAckNanos() - firstSendNanos) / 1e9);
        }

        double latencyMillis(double q) {
            if (latencyNanos.length == 0) {
                return Double.NaN;
            }
            long[] s = latencyNanos.clone();
            Arrays.sort(s);
            return s[(int) Math.max(0, Math.min(s.length - 1, Math.ceil(q * s.length) - 1))] / 1e6;
        }
    }

    private final SSLContext ssl;
    private final URI ingest;
    private final FreshBatches batches;
    private final int senders;

    EndToEndLoad(SSLContext ssl, URI ingest, FreshBatches batches, int senders) {
        this.ssl = ssl;
        this.ingest = ingest;
        this.batches = batches;
        this.senders = senders;
    }

    /** {@code events} (rounded up to whole batches) as fast as ingest acknowledges them. */
    Result fullSpeed(long events) throws InterruptedException {
        long total = (events + BATCH - 1) / BATCH;
        AtomicLong next = new AtomicLong();
        return run(() -> next.getAndIncrement() < total ? System.nanoTime() : -1);
    }

    /** {@code eventsPerSecond} for {@code seconds}, one batch at a time on schedule whatever the answers take. */
    Result paced(int eventsPerSecond, long seconds) throws InterruptedException {
        long total = Math.max(1, (long) eventsPerSecond * seconds / BATCH);
        long periodNanos = 1_000_000_000L * BATCH / eventsPerSecond;
        BlockingQueue<Long> due = new ArrayBlockingQueue<>((int) total + senders);
        Thread pacer = new Thread(() -> {
            long start = System.nanoTime();
            try {
                for (long i = 0; i < total; i++) {
                    long at = start + i * periodNanos;
                    long wait = at - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    due.put(at);
                }
                for (int i = 0; i < senders; i++) {
                    due.put(-1L);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "e2e-pacer");
        pacer.start();
        Result r = run(() -> {
            try {
                return due.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        });
        pacer.join();
        return r;
    }

    /** The next batch's due time (nanoTime), or -1 when there is none left. */
    private interface Tickets {
        long next();
    }

    private Result run(Tickets tickets) throws InterruptedException {
        Map<String, LongAdder> answers = new ConcurrentHashMap<>();
        LongAdder refused = new LongAdder();
        LongAdder cpu = new LongAdder();
        List<long[]> acks = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long first = System.nanoTime();
        for (int t = 0; t < senders; t++) {
            List<long[]> mine = new ArrayList<>();
            acks.add(null);
            int slot = t;
            Thread th = new Thread(() -> {
                try (KeepAliveHttpsPoster poster = new KeepAliveHttpsPoster(ssl, ingest)) {
                    for (long due = tickets.next(); due >= 0; due = tickets.next()) {
                        byte[] body = batches.next(BATCH);
                        long start = Math.min(due, System.nanoTime());
                        while (true) {
                            String answer;
                            int status = 0;
                            try {
                                status = poster.post(body);
                                answer = Integer.toString(status);
                            } catch (Exception e) {
                                poster.close();
                                answer = "connection: " + e.getClass().getSimpleName();
                            }
                            answers.computeIfAbsent(answer, k -> new LongAdder()).increment();
                            if (status == 200) {
                                long now = System.nanoTime();
                                mine.add(new long[]{now, now - start});
                                break;
                            }
                            if (status != 0 && status != 429 && status != 500 && status != 503 && status != 504) {
                                refused.increment();
                                break;
                            }
                            Thread.sleep(RETRY_PAUSE_MS);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                cpu.add(java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
                synchronized (acks) {
                    acks.set(slot, flatten(mine));
                }
            }, "e2e-sender-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        List<long[]> pairs = new ArrayList<>();
        for (long[] flat : acks) {
            for (int i = 0; i + 1 < flat.length; i += 2) {
                pairs.add(new long[]{flat[i], flat[i + 1]});
            }
        }
        pairs.sort((a, b) -> Long.compare(a[0], b[0]));
        long[] at = pairs.stream().mapToLong(p -> p[0]).toArray();
        long[] latency = pairs.stream().mapToLong(p -> p[1]).toArray();
        Map<String, Long> byAnswer = new TreeMap<>();
        answers.forEach((k, v) -> byAnswer.put(k, v.sum()));
        return new Result(first, at, latency, byAnswer, refused.sum(), cpu.sum());
    }

    private static long[] flatten(List<long[]> pairs) {
        long[] out = new long[pairs.size() * 2];
        for (int i = 0; i < pairs.size(); i++) {
            out[2 * i] = pairs.get(i)[0];
            out[2 * i + 1] = pairs.get(i)[1];
        }
        return out;
    }
}
