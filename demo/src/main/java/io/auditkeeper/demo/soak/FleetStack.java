package io.auditkeeper.demo.soak;

import io.auditkeeper.localstack.CephObjectGateway;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackSettings;
import io.auditkeeper.localstack.S3Endpoint;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What a command that runs a {@link Fleet} needs first, the same for the soak and the end-to-end benchmark: a fresh
 * run directory (the local stack's servers start empty in it), the local stack's settings with Ceph checked, and the
 * three servers' endpoints, started in parallel.
 */
public final class FleetStack {
    /** Where the fleet's services reach the local stack. */
    public record Endpoints(String bootstrap, URI openSearch, S3Endpoint s3) {
        /** Starts Kafka, OpenSearch and Ceph at once (each is started on first use) and waits for all three. */
        public static Endpoints of(LocalStack stack) {
            CompletableFuture<String> kafka = CompletableFuture.supplyAsync(stack::kafkaBootstrap);
            CompletableFuture<String> openSearch = CompletableFuture.supplyAsync(stack::openSearchUrl);
            CompletableFuture<S3Endpoint> s3 = CompletableFuture.supplyAsync(stack::s3);
            return new Endpoints(kafka.join(), URI.create(openSearch.join()), s3.join());
        }
    }

    private FleetStack() {
    }

    /** {@code <dir>/run-<now>}, created. */
    public static Path runDirectory(Path dir) throws IOException {
        return Files.createDirectories(dir.toAbsolutePath().resolve("run-" + Instant.now().toString().replace(':', '-')));
    }

    /** The local stack's settings for a run directory; empty, with the install command said, when Ceph is missing. */
    public static Optional<LocalStackSettings> settings(Path work, PrintWriter err) {
        LocalStackSettings settings = LocalStackSettings.fromEnvironment(System.getenv(), work.resolve("stack"));
        if (settings.embeddedS3() && !CephObjectGateway.missingCommands().isEmpty()) {
            err.println("Ceph is not installed (missing " + CephObjectGateway.missingCommands() + "). Run, as root:\n  "
                    + CephObjectGateway.INSTALL_COMMAND);
            return Optional.empty();
        }
        return Optional.of(settings);
    }
}
