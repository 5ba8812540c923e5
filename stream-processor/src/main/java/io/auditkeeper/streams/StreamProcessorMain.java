package io.auditkeeper.streams;

import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.auditkeeper.streams.rules.RuleFileException;
import io.auditkeeper.config.ServiceArguments;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the stream-processor: {@code java -jar auditkeeper-stream-processor.jar [--config FILE]} (or
 * {@code AUDITKEEPER_STREAMS_CONFIG_FILE}). Loads and validates the config and rules, runs, stops on SIGTERM.
 */
public final class StreamProcessorMain {
    private static final Logger LOG = LoggerFactory.getLogger(StreamProcessorMain.class);

    private StreamProcessorMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = ServiceArguments.configFile(args, StreamProcessorConfig.LOADER, "auditkeeper-stream-processor", "docs/stream-processor.md");
        StreamProcessorService service;
        try {
            service = new StreamProcessorService(StreamProcessorConfig.load(file, System.getenv()));
        } catch (ConfigException | RuleFileException e) {
            LOG.atError().log("invalid configuration: " + e.getMessage());
            System.err.println("auditkeeper-stream-processor: invalid configuration: " + e.getMessage());
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
        } catch (RuleFileException e) {
            System.err.println("auditkeeper-stream-processor: invalid rule file: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            LOG.atError().addKeyValue("exception", e.getClass().getName()).log("cannot start: " + e.getMessage());
            System.err.println("auditkeeper-stream-processor: cannot start: " + e.getMessage());
            System.exit(1);
        }
        stopped.await();
    }
}
