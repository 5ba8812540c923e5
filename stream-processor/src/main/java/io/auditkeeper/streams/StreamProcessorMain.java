package io.auditkeeper.streams;

import io.auditkeeper.config.ServiceArguments;
import io.auditkeeper.config.ServiceLauncher;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.auditkeeper.streams.rules.RuleFileException;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Path;

/**
 * Starts the stream-processor: {@code java -jar auditkeeper-stream-processor.jar [--config FILE]} (or
 * {@code AUDITKEEPER_STREAMS_CONFIG_FILE}). Loads and validates the config and rules, runs, stops on SIGTERM.
 */
public final class StreamProcessorMain {
    private StreamProcessorMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = ServiceArguments.configFile(args, StreamProcessorConfig.LOADER, "auditkeeper-stream-processor",
                "docs/stream-processor.md");
        ServiceLauncher.run("auditkeeper-stream-processor",
                () -> new StreamProcessorService(StreamProcessorConfig.load(file, System.getenv())),
                StreamProcessorService::start, ConfigException.class, RuleFileException.class);
    }
}
