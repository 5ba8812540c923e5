package io.auditkeeper.demo.bench;

import io.auditkeeper.demo.CorpusFiles;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every benchmark takes: where it keeps its local stack and keys, and which audit corpus it loads. */
final class BenchOptions {
    @Option(names = "--dir", defaultValue = ".auditkeeper/bench", description = "Working directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--corpus", description = "Audit corpus directory (default: $AUDITKEEPER_CORPUS or testdata/corpus).")
    Path corpusDir;

    /** The working directory, absolute, created when missing. */
    Path workDir() throws IOException {
        return Files.createDirectories(dir.toAbsolutePath());
    }

    CorpusFiles corpus() {
        return CorpusFiles.locate(corpusDir);
    }
}
