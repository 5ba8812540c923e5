package io.auditkeeper.archiver;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

class ArchiverReadinessTest {
    private static Thread ended() throws InterruptedException {
        Thread t = new Thread(() -> { });
        t.start();
        t.join();
        return t;
    }

    @Test
    void shouldNameTheStoppedWriterAndItsExceptionClassWhenAWriterStopped() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread alive = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        alive.start();
        try {
            assertThat(ArchiverService.writersNotRunning(alive, null, null, null, null, null)).isEmpty();
            assertThat(ArchiverService.writersNotRunning(alive, null, null, null, alive, null)).isEmpty();
            assertThat(ArchiverService.writersNotRunning(ended(), new IllegalStateException("secret-ish detail"), null, null, alive, null))
                    .contains("archive writer stopped (java.lang.IllegalStateException)");
            assertThat(ArchiverService.writersNotRunning(alive, null, null, null, ended(), null)).contains("index writer stopped");
            assertThat(ArchiverService.writersNotRunning(alive, null, alive, null, alive, null)).isEmpty();
            assertThat(ArchiverService.writersNotRunning(alive, null, ended(), new IllegalStateException("x"), alive, null))
                    .contains("dead-letter archive writer stopped (java.lang.IllegalStateException)");
        } finally {
            release.countDown();
            alive.join();
        }
    }
}
