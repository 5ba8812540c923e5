package io.auditkeeper.archiver;

import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.config.ServiceArguments;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Starts the archiver: {@code java -jar auditkeeper-archiver.jar [--config FILE]}; stops on SIGTERM. */
public final class ArchiverMain {
    private ArchiverMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = ServiceArguments.configFile(args, ArchiverConfig.LOADER, "auditkeeper-archiver", "docs/archiver.md");
        ArchiverService service;
        try {
            service = new ArchiverService(ArchiverConfig.load(file, System.getenv()));
        } catch (ConfigException e) {
            System.err.println("auditkeeper-archiver: invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            service.start();
        } catch (RuntimeException e) {
            System.err.println("auditkeeper-archiver: cannot start: " + e.getMessage());
            System.exit(1);
        }
        stopped.await();
    }
}
