package io.auditkeeper.archiver;

import java.util.Optional;

/** What the pipelines share about their writer threads: how a stopped one is told, and how it is waited for. */
final class WriterThreads {
    private WriterThreads() {
    }

    /** Why a writer thread is not running, or empty when it runs (or there is none). */
    static Optional<String> stopped(String writer, Thread thread, Throwable failure) {
        if (thread != null && !thread.isAlive()) {
            return Optional.of(writer + " stopped" + cause(failure));
        }
        return Optional.empty();
    }

    /** The failure's class in parentheses, or nothing. */
    static String cause(Throwable failure) {
        // the exception's class only: messages of client exceptions may echo request details
        return failure == null ? "" : " (" + failure.getClass().getName() + ")";
    }

    /** Waits up to 10 s for a writer thread to end (none: returns at once). */
    static void join(Thread t) {
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
