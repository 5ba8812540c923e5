package io.auditkeeper.ingest;

import io.auditkeeper.config.ServiceArguments;
import io.auditkeeper.config.ServiceLauncher;
import io.auditkeeper.ingest.config.IngestConfig;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Path;

/**
 * Starts the ingest service: {@code java -jar auditkeeper-ingest.jar [--config FILE]} (or
 * {@code AUDITKEEPER_INGEST_CONFIG_FILE}). Reads and validates the config, starts, and stops gracefully on SIGTERM.
 */
public final class IngestMain {
    private IngestMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = ServiceArguments.configFile(args, IngestConfig.LOADER, "auditkeeper-ingest", "docs/ingest.md");
        ServiceLauncher.run("auditkeeper-ingest", () -> new IngestService(IngestConfig.load(file, System.getenv())),
                IngestService::start, ConfigException.class);
    }
}
