package io.auditkeeper.source.aks;

import io.auditkeeper.config.ServiceArguments;
import io.auditkeeper.config.ServiceLauncher;
import io.auditkeeper.source.aks.config.AksSourceConfig;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Path;

/**
 * Starts the AKS source: {@code java -jar auditkeeper-source-aks.jar [--config FILE]} (or
 * {@code AUDITKEEPER_SOURCE_AKS_CONFIG_FILE}). Reads and validates the config, starts, and stops gracefully on SIGTERM.
 */
public final class AksSourceMain {
    private AksSourceMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = ServiceArguments.configFile(args, AksSourceConfig.LOADER, "auditkeeper-source-aks", "docs/managed-clusters.md");
        ServiceLauncher.run("auditkeeper-source-aks", () -> new AksSourceService(AksSourceConfig.load(file, System.getenv())),
                AksSourceService::start, ConfigException.class);
    }
}
