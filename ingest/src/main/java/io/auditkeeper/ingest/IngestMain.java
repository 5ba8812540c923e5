package io.auditkeeper.ingest;

import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.config.ServiceArguments;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the ingest service: {@code java -jar auditkeeper-ingest.jar [--config FILE]} (or
 * {@code AUDITKEEPER_INGEST_CONFIG_FILE}). Reads and validates the config, starts, and stops gracefully on SIGTERM.
 */
public final class IngestMain {
    private static final Logger LOG = LoggerFactory.getLogger(IngestMain.class);

    private IngestMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = ServiceArguments.configFile(args, IngestConfig.LOADER, "auditkeeper-ingest", "docs/ingest.md");
        IngestConfig config;
        try {
            config = IngestConfig.load(file, System.getenv());
        } catch (ConfigException e) {
            LOG.atError().addKeyValue("config_file", file == null ? null : file.toString())
                    .log("invalid configuration: " + e.getMessage());
            System.err.println("auditkeeper-ingest: invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        IngestService service = new IngestService(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            service.start();
        } catch (Exception e) {
            LOG.atError().addKeyValue("exception", e.getClass().getName()).log("cannot start: " + e.getMessage());
            System.err.println("auditkeeper-ingest: cannot start: " + e.getMessage());
            System.exit(1);
        }
        stopped.await();
    }
}
