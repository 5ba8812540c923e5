package io.auditkeeper.archiver;

import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.config.ServiceArguments;
import io.auditkeeper.config.ServiceLauncher;
import io.auditkeeper.evidence.manifest.ManifestKeyException;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Path;

/** Starts the archiver: {@code java -jar auditkeeper-archiver.jar [--config FILE]}; stops on SIGTERM. */
public final class ArchiverMain {
    private ArchiverMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = ServiceArguments.configFile(args, ArchiverConfig.LOADER, "auditkeeper-archiver", "docs/archiver.md");
        ServiceLauncher.run("auditkeeper-archiver", () -> new ArchiverService(ArchiverConfig.load(file, System.getenv())),
                ArchiverService::start, ConfigException.class, ManifestKeyException.class);
    }
}
