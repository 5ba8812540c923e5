package io.auditkeeper.notifier;

import io.auditkeeper.config.ServiceArguments;
import io.auditkeeper.config.ServiceLauncher;
import io.auditkeeper.notifier.config.NotifierConfig;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Path;

/**
 * Starts the notifier: {@code java -jar auditkeeper-notifier.jar [--config FILE]} (or
 * {@code AUDITKEEPER_NOTIFIER_CONFIG_FILE}). Reads and validates the config, starts, and stops gracefully on SIGTERM.
 */
public final class NotifierMain {
    private NotifierMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = ServiceArguments.configFile(args, NotifierConfig.LOADER, "auditkeeper-notifier", "docs/operations.md#alert-routing");
        ServiceLauncher.run("auditkeeper-notifier", () -> new NotifierService(NotifierConfig.load(file, System.getenv())),
                NotifierService::start, ConfigException.class);
    }
}
