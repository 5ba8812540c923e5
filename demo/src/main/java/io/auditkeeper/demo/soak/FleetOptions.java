package io.auditkeeper.demo.soak;

import io.auditkeeper.demo.CorpusFiles;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options of every command that runs a {@link Fleet}: which build's jars it runs, and which corpus it sends. */
public final class FleetOptions {
    @Option(names = "--jars", defaultValue = ".", description = "The build whose <module>/target/auditkeeper-<module>.jar are run (default: ${DEFAULT-VALUE}).")
    Path jars;

    @Option(names = "--corpus", description = "Audit corpus directory (default: $AUDITKEEPER_CORPUS or testdata/corpus).")
    Path corpusDir;

    /** The build's root, absolute. */
    public Path jars() {
        return jars.toAbsolutePath();
    }

    /** The auditors' jar of that build, for {@code verify}. */
    public Path cliJar() {
        return jars().resolve("cli").resolve("target").resolve("auditkeeper-cli.jar");
    }

    public CorpusFiles corpus() {
        return CorpusFiles.locate(corpusDir);
    }
}
