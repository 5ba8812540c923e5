package io.auditkeeper.demo.soak;

import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.S3Endpoint;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The fleet's service config files, by {@link Fleet.Profile}: the shipped defaults (topics, groups, retention) except where a
 * run needs otherwise. A soak needs a shorter clock: group sessions of {@link Fleet#SESSION} rather than 45 s, so that
 * a frozen member is replaced within a fault; archive batches closed every second and digests every few seconds, so
 * that every fault lands in the middle of writes; one standby replica of each stream task, as the manifests in deploy/
 * run it. A benchmark measures the shipped settings, with archive batches closed after {@link Fleet#BENCH_BATCH_AGE} so
 * that "archived" is not mostly waiting, on JVMs as the images run them (C2, G1), and with its admin port on loopback,
 * so that the benchmark can read each service's heap from its /metrics.
 */
final class ConfigFiles {
    private ConfigFiles() {
    }

    static String ingest(DevPki pki, String bootstrap, int port, int adminPort) {
        return """
                listen:
                  host: 127.0.0.1
                  port: %d
                tls:
                  cert-file: %s
                  key-file: %s
                auth:
                  mode: mtls
                  client-ca-file: %s
                kafka:
                  bootstrap-servers: "%s"
                topics:
                  raw:
                    partitions: %d
                %s""".formatted(port, pki.serverCert().toAbsolutePath(), pki.serverKey().toAbsolutePath(),
                pki.caCert().toAbsolutePath(), bootstrap, Fleet.PARTITIONS, admin(adminPort));
    }

    static String streamProcessor(Fleet.Profile profile, String bootstrap, Path stateDir, int adminPort) {
        String streams = profile == Fleet.Profile.SOAK ? """
                  streams:
                    num.standby.replicas: 1
                    session.timeout.ms: %d
                    heartbeat.interval.ms: 1500
                """.formatted(Fleet.SESSION.toMillis()) : "";
        return """
                kafka:
                  bootstrap-servers: "%s"
                %sapplication:
                  id: %s
                streams:
                  threads: 2
                  state-dir: %s
                topics:
                  events:
                    partitions: %d
                phi:
                  namespaces: ["phi-*", "kube-system"]
                %s""".formatted(bootstrap, streams, Fleet.APPLICATION_ID, stateDir, Fleet.PARTITIONS, admin(adminPort));
    }

    static String archiver(Fleet.Profile profile, String bootstrap, S3Endpoint s3, URI s3Url, URI openSearchUrl,
                           Path signingKey, Duration digestInterval, int adminPort) {
        String client = profile == Fleet.Profile.SOAK ? """
                  client:
                    session.timeout.ms: %d
                    heartbeat.interval.ms: 1000
                """.formatted(Fleet.SESSION.toMillis()) : "";
        long batchAge = profile == Fleet.Profile.SOAK ? 1000 : Fleet.BENCH_BATCH_AGE.toMillis();
        return """
                kafka:
                  bootstrap-servers: "%s"
                %sarchive:
                  group-id: %s
                index:
                  group-id: %s
                s3:
                  bucket: %s
                  endpoint: "%s"
                  region: %s
                  path-style: true
                  access-key: "%s"
                  secret-key: "%s"
                batch:
                  max-age-ms: %d
                digest:
                  interval-ms: %d
                manifest:
                  signing-key-file: %s
                opensearch:
                  url: "%s"
                  replicas: 0
                %s""".formatted(bootstrap, client, Fleet.ARCHIVE_GROUP, Fleet.INDEX_GROUP, Fleet.BUCKET,
                s3Url, s3.region(), s3.accessKey(), s3.secretKey(), batchAge, digestInterval.toMillis(), signingKey,
                openSearchUrl, admin(adminPort));
    }

    /** The admin port on loopback at {@code port}, for its /metrics; none when 0. */
    private static String admin(int port) {
        return port == 0 ? """
                admin:
                  enabled: false
                """ : """
                admin:
                  host: 127.0.0.1
                  port: %d
                """.formatted(port);
    }
}
