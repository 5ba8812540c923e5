package io.auditkeeper.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The life of every service process, in one place: build the service from its config (an invalid setting exits 2
 * with a message naming it), start it (a failure exits 1), and run until SIGTERM, which closes it gracefully.
 */
public final class ServiceLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceLauncher.class);

    /** Starts a built service. */
    public interface Start<S> {
        void start(S service) throws Exception;
    }

    private ServiceLauncher() {
    }

    /**
     * Runs {@code program}. An exception of one of {@code configErrors}, while building or starting, is reported as an
     * invalid configuration (exit 2); any other while starting as a failure to start (exit 1).
     */
    @SafeVarargs
    public static <S extends AutoCloseable> void run(String program, Callable<S> build, Start<S> start,
                                                     Class<? extends Exception>... configErrors) throws InterruptedException {
        S service;
        try {
            service = build.call();
        } catch (Exception e) {
            exit(program, isConfigError(e, configErrors) ? "invalid configuration" : "cannot start", e,
                    isConfigError(e, configErrors) ? 2 : 1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                LOG.atWarn().addKeyValue("exception", e.getClass().getName()).log("error while stopping");
            }
            stopped.countDown();
        }, "shutdown"));
        try {
            start.start(service);
        } catch (Exception e) {
            exit(program, isConfigError(e, configErrors) ? "invalid configuration" : "cannot start", e,
                    isConfigError(e, configErrors) ? 2 : 1);
        }
        stopped.await();
    }

    private static boolean isConfigError(Exception e, Class<? extends Exception>[] configErrors) {
        for (Class<? extends Exception> c : configErrors) {
            if (c.isInstance(e)) {
                return true;
            }
        }
        return false;
    }

    private static void exit(String program, String what, Exception e, int code) {
        LOG.atError().addKeyValue("exception", e.getClass().getName()).log(what + ": " + e.getMessage());
        System.err.println(program + ": " + what + ": " + e.getMessage());
        System.exit(code);
    }
}
