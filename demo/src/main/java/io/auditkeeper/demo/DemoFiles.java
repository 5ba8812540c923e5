package io.auditkeeper.demo;

import io.auditkeeper.localstack.DevPki;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The files the demo leaves for the user to read and reuse: the ingest config it runs with, and the webhook
 * kubeconfig that a kube-apiserver would be given with {@code --audit-webhook-config-file}.
 */
final class DemoFiles {
    private DemoFiles() {
    }

    static Path writeIngestConfig(Path dir, DevPki pki, String kafkaBootstrap) throws IOException {
        String yaml = """
                # Written by `auditkeeper demo`: the ingest settings of the demo (reference: docs/ingest.md).
                listen:
                  host: 127.0.0.1
                  port: 0            # a free port, printed at start
                tls:
                  cert-file: %s
                  key-file: %s
                auth:
                  mode: mtls
                  client-ca-file: %s
                kafka:
                  bootstrap-servers: %s
                topics:
                  raw:
                    partitions: 3
                admin:
                  host: 127.0.0.1
                  port: 0
                """.formatted(pki.serverCert().toAbsolutePath(), pki.serverKey().toAbsolutePath(),
                pki.caCert().toAbsolutePath(), kafkaBootstrap);
        return Files.writeString(dir.resolve("ingest.yaml"), yaml);
    }

    static Path writeWebhookKubeconfig(Path dir, DevPki pki, URI webhook) throws IOException {
        String yaml = """
                # What a kube-apiserver is given with --audit-webhook-config-file (see docs/apiserver.md).
                apiVersion: v1
                kind: Config
                clusters:
                  - name: auditkeeper
                    cluster:
                      server: %s
                      certificate-authority: %s
                users:
                  - name: kube-apiserver
                    user:
                      client-certificate: %s
                      client-key: %s
                contexts:
                  - name: default
                    context:
                      cluster: auditkeeper
                      user: kube-apiserver
                current-context: default
                """.formatted(webhook, pki.caCert().toAbsolutePath(), pki.clientCert().toAbsolutePath(),
                pki.clientKey().toAbsolutePath());
        return Files.writeString(dir.resolve("webhook-kubeconfig.yaml"), yaml);
    }

    /**
     * The stream-processor's demo settings, written only if the file is missing so that a user's edits (PHI namespaces,
     * rules, thresholds) survive the next run. Kafka and the state directory are set by the demo at each start.
     */
    /** The notifier's settings: one webhook receiver, the demo's own, trusting the demo's CA. */
    static Path writeNotifierConfig(Path dir, DevPki pki, String kafkaBootstrap, java.net.URI receiver) throws IOException {
        String yaml = """
                # Written by `auditkeeper demo`: the notifier's settings (reference: docs/operations.md, "Alert routing").
                # The receiver is the demo's own HTTPS endpoint; PagerDuty and Slack are configured the same way.
                kafka:
                  bootstrap-servers: %s
                receivers:
                  demo-webhook:
                    type: webhook
                    url: %s
                    ca-file: %s
                    start-at: earliest
                admin:
                  host: 127.0.0.1
                  port: 0
                """.formatted(kafkaBootstrap, receiver, pki.caCert().toAbsolutePath());
        Path file = dir.resolve("notifier.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    static Path streamProcessorConfig(Path dir) throws IOException {
        Path file = dir.resolve("stream-processor.yaml");
        if (!Files.exists(file)) {
            Files.writeString(file, """
                    # The demo's stream-processor settings (reference: docs/stream-processor.md). Edit and rerun the demo;
                    # AUDITKEEPER_STREAMS_PHI_NAMESPACES=a,b overrides phi.namespaces for one run.
                    phi:
                      namespaces: ["phi-*"]     # names and globs of the namespaces that hold patient data
                    # rules:
                    #   file: /path/to/my-rules.yaml   # add, override or disable rules (docs/rules.md)
                    alerts:
                      secret-enumeration: {threshold: 10, window-ms: 600000}
                      denied-burst: {threshold: 20, window-ms: 300000}
                    admin:
                      host: 127.0.0.1
                      port: 0
                    """);
        }
        return file;
    }

    /** An empty directory (state of a previous demo run refers to topics that no longer exist). */
    static Path freshDir(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    /** Writes a file that holds a credential, readable by its owner only. */
    static Path writeOwnerOnly(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, content);
    }
}
