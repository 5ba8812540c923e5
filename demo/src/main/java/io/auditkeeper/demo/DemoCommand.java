package io.auditkeeper.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.archiver.ArchiverService;
import io.auditkeeper.demo.CorpusFiles;
import io.auditkeeper.demo.WebhookClient;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.ingest.IngestService;
import io.auditkeeper.notifier.NotifierService;
import io.auditkeeper.notifier.config.NotifierConfig;
import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.localstack.CephObjectGateway;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackSettings;
import io.auditkeeper.localstack.ObjectLockBuckets;
import io.auditkeeper.localstack.S3Endpoint;
import io.auditkeeper.localstack.TopicSnapshot;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.AuditTopics;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * {@code auditkeeper demo}: the pipeline on the embedded default. Starts the local stack (Kafka, OpenSearch, Ceph
 * with Object Lock), ingest and the stream-processor, posts the corpus's real EventList batches and synthetic
 * PHI-namespace traffic over mutual TLS as an apiserver does, prints what arrived in Kafka (the flagged requests and
 * alerts among it), and prints every endpoint and credential a user needs to look for themselves with curl,
 * kcat and the AWS CLI.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run Audit Keeper on the embedded local stack, feed it real audit batches, and show where to look.")
public final class DemoCommand implements Callable<Integer> {
    static final String BUCKET = "auditkeeper-archive";

    @Option(names = "--once", description = "Exit after the summary instead of staying up until interrupted.")
    boolean once;

    @Option(names = "--dir", defaultValue = ".auditkeeper/demo", description = "Working directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--corpus", description = "Audit corpus directory (default: $AUDITKEEPER_CORPUS or testdata/corpus).")
    Path corpusDir;

    @Option(names = "--cluster", defaultValue = "demo", description = "Cluster name to post as (default: ${DEFAULT-VALUE}).")
    String cluster;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CorpusFiles corpus = CorpusFiles.locate(corpusDir);
        dir = dir.toAbsolutePath();
        Files.createDirectories(dir);
        LocalStackSettings settings = LocalStackSettings.fromEnvironment(System.getenv(), dir.resolve("stack"));
        if (settings.embeddedS3() && !CephObjectGateway.missingCommands().isEmpty()) {
            spec.commandLine().getErr().println("Ceph is not installed (missing " + CephObjectGateway.missingCommands()
                    + "). Run, as root:\n  " + CephObjectGateway.INSTALL_COMMAND);
            return 1;
        }
        LocalStack stack = new LocalStack(settings);
        IngestService[] ingest = new IngestService[1];
        StreamProcessorService[] processor = new StreamProcessorService[1];
        ArchiverService[] archiver = new ArchiverService[1];
        NotifierService[] notifier = new NotifierService[1];
        DemoAlertReceiver[] receiver = new DemoAlertReceiver[1];
        CountDownLatch stopped = new CountDownLatch(1);
        Thread shutdown = new Thread(() -> {
            if (ingest[0] != null) {
                ingest[0].close();
            }
            if (processor[0] != null) {
                processor[0].close();
            }
            if (archiver[0] != null) {
                archiver[0].close();
            }
            if (notifier[0] != null) {
                try {
                    notifier[0].close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (receiver[0] != null) {
                receiver[0].close();
            }
            stack.close();
            stopped.countDown();
        }, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);

        out.println("Audit Keeper demo (working directory " + dir + ")");
        out.println();
        out.println("1. Starting the local stack: Kafka (KRaft), OpenSearch, Ceph radosgw (S3 with Object Lock)...");
        long t0 = System.nanoTime();
        CompletableFuture<String> kafka = CompletableFuture.supplyAsync(stack::kafkaBootstrap);
        CompletableFuture<String> openSearch = CompletableFuture.supplyAsync(stack::openSearchUrl);
        CompletableFuture<S3Endpoint> s3 = CompletableFuture.supplyAsync(stack::s3);
        String bootstrap = kafka.join();
        String openSearchUrl = openSearch.join();
        S3Endpoint s3Endpoint = s3.join();
        try (var client = s3Endpoint.client()) {
            ObjectLockBuckets.ensureBucket(client, BUCKET, 6);
        }
        out.printf("   ready in %.1f s%n%n", (System.nanoTime() - t0) / 1e9);

        out.println("2. Starting ingest (HTTPS, mutual TLS), the stream-processor, the archiver and the notifier ...");
        DevPki pki = DevPki.openOrCreate(dir.resolve("pki"));
        Path ingestYaml = DemoFiles.writeIngestConfig(dir, pki, bootstrap);
        ingest[0] = new IngestService(IngestConfig.load(ingestYaml, Map.of())).start();
        URI webhook = URI.create(ingest[0].webhookUri() + "/" + cluster);
        Path kubeconfig = DemoFiles.writeWebhookKubeconfig(dir, pki, webhook);
        Path processorYaml = DemoFiles.streamProcessorConfig(dir);
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(StreamProcessorConfig.LOADER.envName("kafka.bootstrap-servers"), bootstrap);
        env.put(StreamProcessorConfig.LOADER.envName("streams.state-dir"), DemoFiles.freshDir(dir.resolve("streams-state")).toString());
        StreamProcessorConfig processorConfig = StreamProcessorConfig.load(processorYaml, env);
        processor[0] = new StreamProcessorService(processorConfig).start();
        archiver[0] = DemoArchive.start(dir, bootstrap, s3Endpoint, BUCKET, processorConfig.eventsTopic(), openSearchUrl);
        receiver[0] = new DemoAlertReceiver(pki.serverSslContext());
        Path notifierYaml = DemoFiles.writeNotifierConfig(dir, pki, bootstrap, receiver[0].url());
        notifier[0] = new NotifierService(NotifierConfig.load(notifierYaml, Map.of()));
        notifier[0].start();
        out.println("   webhook " + webhook);
        out.println("   notifier: alerts to " + receiver[0].url() + " (the demo's stand-in for PagerDuty or Slack; "
                + notifierYaml + ")");
        out.println("   stream-processor: PHI namespaces " + processorConfig.phiNamespaces() + " (from " + processorYaml
                + " or " + StreamProcessorConfig.LOADER.envName("phi.namespaces") + ")");
        out.println();

        out.println("3. Posting EventList batches as a kube-apiserver would (client certificate CN=kube-apiserver):");
        WebhookClient apiserver = new WebhookClient(pki.clientSslContext(pki.clientCert(), pki.clientKey()));
        int failed = 0;
        int accepted = 0;
        List<Map.Entry<String, byte[]>> batches = new ArrayList<>();
        for (Path batch : corpus.batches()) {
            batches.add(Map.entry(batch.getFileName().toString(), Files.readAllBytes(batch)));
        }
        Instant trafficStart = Instant.now();
        batches.add(Map.entry("synthetic PHI-namespace traffic", new DemoTraffic(trafficStart).eventList()));
        for (Map.Entry<String, byte[]> batch : batches) {
            long start = System.nanoTime();
            HttpResponse<String> r = apiserver.post(webhook, batch.getValue());
            out.printf("   %-45s %7d bytes -> %d %s (%d ms)%n", batch.getKey(), batch.getValue().length, r.statusCode(),
                    r.body(), (System.nanoTime() - start) / 1_000_000);
            if (r.statusCode() != 200) {
                failed++;
            } else {
                accepted += AuditJson.mapper().readTree(r.body()).path("accepted").asInt();
            }
        }
        byte[] synthetic = batches.get(batches.size() - 1).getValue();
        byte[] truncated = java.util.Arrays.copyOf(synthetic, synthetic.length / 2);
        HttpResponse<String> refused = apiserver.post(webhook, truncated);
        out.printf("   %-45s %7d bytes -> %d %s: refused, and kept in audit.dlq%n", "the same batch cut short (a broken proxy)",
                truncated.length, refused.statusCode(), refused.body());
        if (refused.statusCode() != 400) {
            failed++;
        }
        out.println();

        out.println("4. What arrived in Kafka:");
        DemoResults results = DemoResults.await(bootstrap, processorConfig, processor[0], accepted);
        RawTopicSummary.print(out, AuditTopics.RAW, TopicSnapshot.read(bootstrap, AuditTopics.RAW), 1);
        RawTopicSummary.print(out, AuditTopics.DEAD_LETTER, TopicSnapshot.read(bootstrap, AuditTopics.DEAD_LETTER), 1);
        results.print(out);
        DemoArchive.awaitArchivedAndIndexed(archiver[0], results.events(), AuditTopics.ALERTS, results.alerts().size(), 1);
        Path publicKey = dir.resolve("pki").resolve("manifest-signing.pub.pem");
        boolean verified = DemoArchive.print(out, s3Endpoint, BUCKET, processorConfig.eventsTopic(),
                processorConfig.outputTopics().get(0).partitions(), publicKey)
                & DemoArchive.printDeadLetters(out, s3Endpoint, BUCKET, AuditTopics.DEAD_LETTER, publicKey);
        DemoArchive.printIndex(out, openSearchUrl);
        List<String> delivered = receiver[0].await(results.alerts().size(), Duration.ofSeconds(60));
        boolean routed = delivered.size() == results.alerts().size() && Set.copyOf(delivered).size() == delivered.size();
        out.printf("   alert routing (the notifier): %d of %d alerts delivered over HTTPS to the demo's receiver, each once,"
                + " keyed by its alert id (Idempotency-Key): %s%n", delivered.size(), results.alerts().size(),
                routed ? "OK" : "INCOMPLETE");
        out.println();

        out.println("5. The evidence report an auditor is handed (auditkeeper report):");
        Instant reportFrom = trafficStart.minus(Duration.ofHours(1));
        Instant reportTo = Instant.now().plus(Duration.ofHours(1));
        boolean reported = DemoReport.write(out, dir, reportFrom, reportTo, openSearchUrl, s3Endpoint, BUCKET,
                processorConfig.eventsTopic(), publicKey);
        out.println();

        out.println("6. A proof for one flagged request, checked offline (auditkeeper prove, verify-proof):");
        JsonNode proven = results.mostSevere();
        boolean proved = proven != null && DemoProof.write(out, dir, proven, openSearchUrl, s3Endpoint, BUCKET,
                processorConfig.eventsTopic(), publicKey);
        out.println();

        printWhereToLook(out, webhook, pki, kubeconfig, ingestYaml, processorYaml, corpus, bootstrap, openSearchUrl,
                s3Endpoint, ingest[0].adminPort(), processor[0].adminPort(), archiver[0].adminPort());
        DemoFiles.writeOwnerOnly(dir.resolve("endpoints.env"), endpointsEnv(webhook, pki, bootstrap, openSearchUrl, s3Endpoint));
        DemoReport.printTryNext(out, dir, reportFrom, reportTo, publicKey);

        if (failed > 0) {
            spec.commandLine().getErr().println(failed + " batch(es) were not accepted; see above.");
        }
        if (once) {
            Runtime.getRuntime().removeShutdownHook(shutdown);
            shutdown.run();
            return failed == 0 && results.complete() && verified && reported && proved && routed ? 0 : 1;
        }
        out.println("Running until interrupted (Ctrl-C) ...");
        out.flush();
        stopped.await();
        return 0;
    }

    private static void printWhereToLook(PrintWriter out, URI webhook, DevPki pki, Path kubeconfig, Path ingestYaml,
                                         Path processorYaml, CorpusFiles corpus, String bootstrap, String openSearchUrl,
                                         S3Endpoint s3, int adminPort, int processorAdminPort,
                                         int archiverAdminPort) {
        Path sample = corpus.batches().get(0).toAbsolutePath();
        out.println("Where to look");
        out.println("  Webhook (what a kube-apiserver posts to)");
        out.println("    URL          " + webhook);
        out.println("    CA           " + pki.caCert().toAbsolutePath());
        out.println("    client cert  " + pki.clientCert().toAbsolutePath());
        out.println("    client key   " + pki.clientKey().toAbsolutePath());
        out.println("    kubeconfig   " + kubeconfig + "   (for --audit-webhook-config-file)");
        out.println("    ingest config " + ingestYaml);
        out.println("    post a batch:");
        out.println("      curl --cacert " + pki.caCert().toAbsolutePath() + " --cert " + pki.clientCert().toAbsolutePath()
                + " --key " + pki.clientKey().toAbsolutePath() + " -H 'Content-Type: application/json' --data-binary @"
                + sample + " " + webhook);
        out.println("  Ingest admin   http://127.0.0.1:" + adminPort + "/healthz  /readyz  /metrics");
        out.println("  Stream-processor admin   http://127.0.0.1:" + processorAdminPort + "/healthz  /readyz  /metrics"
                + "   config " + processorYaml);
        out.println("  Archiver admin   http://127.0.0.1:" + archiverAdminPort + "/healthz  /readyz  /metrics"
                + "   (records archived, documents indexed, lag of each consumer group)");
        out.println("  Kafka");
        out.println("    bootstrap    " + bootstrap + "   topics: " + String.join(", ", AuditTopics.RAW, AuditTopics.EVENTS,
                AuditTopics.PHI_ACCESS, AuditTopics.ALERTS, AuditTopics.DEAD_LETTER));
        out.println("    read it:     kcat -b " + bootstrap + " -C -t " + AuditTopics.RAW
                + " -o beginning -e -f '%p/%o key=%k %h\\n'");
        out.println("    flagged:     kcat -b " + bootstrap + " -C -t " + AuditTopics.PHI_ACCESS + " -o beginning -e");
        out.println("  OpenSearch     " + openSearchUrl + "   (curl " + openSearchUrl + "/_cluster/health)");
        out.println("  S3 (Ceph radosgw; Object Lock COMPLIANCE is enforced)");
        out.println("    endpoint     " + s3.endpoint() + "   region " + s3.region() + "   bucket " + BUCKET);
        out.println("    access key   " + s3.accessKey());
        out.println("    secret key   " + s3.secretKey());
        out.println("    try it:      AWS_ACCESS_KEY_ID=" + s3.accessKey() + " AWS_SECRET_ACCESS_KEY=" + s3.secretKey()
                + " aws --endpoint-url " + s3.endpoint() + " --region " + s3.region()
                + " s3 ls --recursive s3://" + BUCKET + "/");
        ArchiveLayout layout = new ArchiveLayout("");
        out.println("    manifests:   s3://" + BUCKET + "/" + layout.manifests("<topic>") + "<partition>/...; public key s3://"
                + BUCKET + "/" + layout.publicKey());
        out.println();
    }

    private static String endpointsEnv(URI webhook, DevPki pki, String bootstrap, String openSearchUrl, S3Endpoint s3) {
        return "# Written by `auditkeeper demo`; valid while the demo runs. Use: source .auditkeeper/demo/endpoints.env\n"
                + "export AUDITKEEPER_WEBHOOK_URL=" + webhook + "\n"
                + "export AUDITKEEPER_CA=" + pki.caCert().toAbsolutePath() + "\n"
                + "export AUDITKEEPER_CLIENT_CERT=" + pki.clientCert().toAbsolutePath() + "\n"
                + "export AUDITKEEPER_CLIENT_KEY=" + pki.clientKey().toAbsolutePath() + "\n"
                + "export KAFKA_BOOTSTRAP=" + bootstrap + "\n"
                + "export OPENSEARCH_URL=" + openSearchUrl + "\n"
                + "export S3_ENDPOINT=" + s3.endpoint() + "\n"
                + "export S3_BUCKET=" + BUCKET + "\n"
                + "export AWS_ACCESS_KEY_ID=" + s3.accessKey() + "\n"
                + "export AWS_SECRET_ACCESS_KEY=" + s3.secretKey() + "\n"
                + "export AWS_DEFAULT_REGION=" + s3.region() + "\n"
                + "# read by auditkeeper verify, replay and report as their defaults (the archiver's own settings)\n"
                + "export AUDITKEEPER_KAFKA_BOOTSTRAP_SERVERS=" + bootstrap + "\n"
                + "export AUDITKEEPER_ARCHIVER_OPENSEARCH_URL=" + openSearchUrl + "\n"
                + "export AUDITKEEPER_ARCHIVER_S3_BUCKET=" + BUCKET + "\n"
                + "export AUDITKEEPER_ARCHIVER_S3_ENDPOINT=" + s3.endpoint() + "\n"
                + "export AUDITKEEPER_ARCHIVER_S3_REGION=" + s3.region() + "\n"
                + "export AUDITKEEPER_ARCHIVER_S3_PATH_STYLE=true\n"
                + "export AUDITKEEPER_ARCHIVER_S3_ACCESS_KEY=" + s3.accessKey() + "\n"
                + "export AUDITKEEPER_ARCHIVER_S3_SECRET_KEY=" + s3.secretKey() + "\n";
    }
}
