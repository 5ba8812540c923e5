package io.auditkeeper.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.auditkeeper.deploy.Yaml.Document;
import io.auditkeeper.localstack.RequiredTool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/helm/auditkeeper, linted and rendered by Helm (in-process, helm-java): with any values the chart must keep
 * the rules the Kustomize manifests keep, and with its default values render what the Kustomize base renders, so
 * that the two ways of deploying cannot drift apart.
 */
class HelmChartTest {
    private static final Path CHART = Repo.DEPLOY.resolve("helm/auditkeeper");
    private static final Path K8S = Repo.DEPLOY.resolve("k8s");
    private static final Map<String, Object> EVERY_OPTION = Map.of(
            "namespace.create", true,
            "certificate.issuer.create", true,
            "monitoring.podMonitor.enabled", true,
            "monitoring.prometheusRule.enabled", true,
            "monitoring.grafanaDashboard.enabled", true,
            "strimzi.topics.enabled", true,
            "strimzi.users.enabled", true);

    @Test
    void shouldLintWithoutWarnings() {
        LintResult lint = new Helm(CHART).lint().strict().call();

        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void shouldKeepEveryRuleWithTheDefaultValues() {
        List<Document> docs = render(Map.of());

        assertThat(RenderedManifestChecks.problems(new ManifestPolicy(Map.of()).forExistingNamespace(), docs)).isEmpty();
        assertThat(docs).extracting(Document::label).contains(
                "NetworkPolicy default-deny-all", "Deployment auditkeeper-ingest", "StatefulSet auditkeeper-stream-processor",
                "Deployment auditkeeper-archiver", "PodDisruptionBudget auditkeeper-ingest",
                "PodDisruptionBudget auditkeeper-stream-processor", "PodDisruptionBudget auditkeeper-archiver",
                "HorizontalPodAutoscaler auditkeeper-ingest", "Certificate auditkeeper-ingest");
        assertThat(docs).extracting(Document::kind)
                .doesNotContain("Namespace", "Issuer", "PodMonitor", "PrometheusRule", "KafkaTopic", "KafkaUser", "Secret");
    }

    @Test
    void shouldKeepEveryRuleWithEveryOptionOn() {
        List<Document> docs = render(EVERY_OPTION);

        assertThat(RenderedManifestChecks.problems(new ManifestPolicy(Map.of()), docs)).isEmpty();
        assertThat(docs).extracting(Document::label).contains(
                "Namespace auditkeeper", "Issuer auditkeeper-webhook-ca", "Certificate auditkeeper-ingest",
                "PodMonitor auditkeeper", "PrometheusRule auditkeeper", "KafkaTopic audit-raw",
                "KafkaUser auditkeeper-ingest-kafka");
        assertThat(docs).extracting(Document::kind).doesNotContain("Secret", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding");
    }

    @Test
    void shouldLeaveCertManagerOutWhenTheCertificateIsOff() {
        List<Document> docs = render(Map.of("certificate.enabled", false));

        assertThat(docs).noneMatch(d -> d.node().path("apiVersion").asText().startsWith("cert-manager.io/"));
        assertThat(RenderedManifestChecks.problems(new ManifestPolicy(Map.of()).forExistingNamespace(), docs)).isEmpty();
    }

    @Test
    void shouldRenderWhatTheKustomizeBaseRendersWithTheDefaultValues() {
        JsonNode kustomization = Yaml.documents(K8S.resolve("base/kustomization.yaml")).get(0).node();
        List<Document> base = KubernetesManifestsTest.baseDocuments().stream()
                .filter(d -> !d.kind().equals("Namespace") && !d.kind().equals("Kustomization")).toList();

        assertSameResources(base, render(Map.of()), kustomization);
    }

    @Test
    void shouldRenderWhatTheEksExampleOverlayRendersWithItsValuesFile() {
        Repo.Result version = Repo.run(Repo.ROOT, "kubectl", "version", "--client");
        RequiredTool.assumeInstalled(version != null && version.exit() == 0, "kubectl", "https://kubernetes.io/docs/tasks/tools/");
        Repo.Result r = Repo.run(Repo.ROOT, "kubectl", "kustomize", K8S.resolve("overlays/eks-example").toString());
        assertThat(r.exit()).as("kubectl kustomize: %s", r.err()).isZero();
        List<Document> overlay = Yaml.documents(Path.of("eks-example"), r.out()).stream()
                .filter(d -> !d.kind().equals("Namespace")).toList();

        List<Document> helm = render(Map.of(), Repo.DEPLOY.resolve("helm/values-eks-example.yaml"));

        assertSameResources(overlay, helm, null);
    }

    @Test
    void shouldRenderWhatTheSourceAksComponentRendersWhenEnabled() {
        List<Document> component = KubernetesManifestsTest.sourceAksComponentDocuments().stream()
                .filter(d -> !d.kind().equals("Namespace")).toList();

        List<Document> helm = render(Map.of("sourceAks.enabled", true));

        assertSameResources(component, helm, null);
        assertThat(render(Map.of())).noneMatch(d -> d.name().contains("source-aks"));
    }

    @Test
    void shouldKeepEveryRuleWithSourceAksAndEveryOptionOn() {
        Map<String, Object> values = new TreeMap<>(EVERY_OPTION);
        values.put("sourceAks.enabled", true);
        List<Document> docs = render(values);

        assertThat(RenderedManifestChecks.problems(new ManifestPolicy(Map.of()), docs)).isEmpty();
        assertThat(docs).extracting(Document::label).contains("Deployment auditkeeper-source-aks",
                "PodDisruptionBudget auditkeeper-source-aks", "ServiceAccount auditkeeper-source-aks",
                "NetworkPolicy source-aks-to-event-hubs", "NetworkPolicy source-aks-admin-from-prometheus");
        assertThat(acls(find(docs, "KafkaUser auditkeeper-source-aks-kafka"))).as("source-aks only writes, as ingest")
                .containsOnlyKeys("topic audit.raw", "topic audit.dlq")
                .allSatisfy((resource, ops) -> assertThat(ops).contains("Write").doesNotContain("Read", "Create", "All", "Delete"));
    }

    @Test
    void shouldRenderWhatTheNotifierComponentRendersWhenEnabled() {
        List<Document> component = KubernetesManifestsTest.componentDocuments("notifier").stream()
                .filter(d -> !d.kind().equals("Namespace")).toList();

        List<Document> helm = render(Map.of("notifier.enabled", true));

        assertSameResources(component, helm, null);
        assertThat(render(Map.of())).noneMatch(d -> d.name().contains("notifier"));
    }

    @Test
    void shouldKeepEveryRuleWithTheNotifierAndEveryOptionOn() {
        Map<String, Object> values = new TreeMap<>(EVERY_OPTION);
        values.put("notifier.enabled", true);
        List<Document> docs = render(values);

        assertThat(RenderedManifestChecks.problems(new ManifestPolicy(Map.of()), docs)).isEmpty();
        assertThat(docs).flatMap(RenderedManifestChecks::envProblems).isEmpty();
        assertThat(docs).extracting(Document::label).contains("Deployment auditkeeper-notifier", "ConfigMap auditkeeper-notifier",
                "PodDisruptionBudget auditkeeper-notifier", "ServiceAccount auditkeeper-notifier",
                "NetworkPolicy notifier-to-receivers", "NetworkPolicy notifier-admin-from-prometheus");
        assertThat(acls(find(docs, "KafkaUser auditkeeper-notifier-kafka"))).as("the notifier reads alerts and writes dead letters only")
                .containsOnlyKeys("topic audit.alerts", "topic audit.phi-access", "topic audit.dlq", "group auditkeeper-notifier-")
                .allSatisfy((resource, ops) -> assertThat(ops).doesNotContain("Create", "All", "Delete", "Alter"));
    }

    @Test
    void shouldWriteTheReceiversOfTheValuesIntoTheNotifiersConfig() {
        List<Document> docs = render(Map.of(
                "notifier.enabled", true,
                "notifier.receivers.siem.type", "webhook",
                "notifier.receivers.siem.url", "https://siem.example.org/in",
                "notifier.receivers.siem.token-file", "/etc/auditkeeper/receivers/siem-token",
                "notifier.receiversSecret", "notifier-secrets"));

        String config = find(docs, "ConfigMap auditkeeper-notifier").node().path("data").path("notifier.yaml").asText();
        assertThat(config).contains("siem:", "type: webhook", "url: https://siem.example.org/in", "oncall:", "chat:");
        assertThat(RenderedManifestChecks.referencedSecrets(List.of(find(docs, "Deployment auditkeeper-notifier")))).contains("notifier-secrets");
    }

    @Test
    void shouldSetTheSourceAksSettingsThroughValues() {
        List<Document> docs = render(Map.of(
                "sourceAks.enabled", true,
                "sourceAks.eventHubs.bootstrapServers", "clinical-audit.servicebus.windows.net:9093",
                "sourceAks.eventHubs.topic", "aks-prod",
                "sourceAks.eventHubs.consumerGroup", "auditkeeper-2",
                "sourceAks.eventHubs.namespace", "clinical-audit",
                "sourceAks.eventHubs.connectionStringSecret", "hub-listen",
                "sourceAks.clusterMapping", "aks-prod-westeurope=prod-1",
                "sourceAks.kafkaSecret", "kafka-user-source-aks",
                "sourceAks.env.AUDITKEEPER_SOURCE_AKS_DELIVERY_MODE", "at-least-once"));

        Document source = find(docs, "Deployment auditkeeper-source-aks");
        assertThat(envOrSecret(source)).containsAllEntriesOf(Map.of(
                "AUDITKEEPER_SOURCE_AKS_EVENT_HUBS_BOOTSTRAP_SERVERS", "clinical-audit.servicebus.windows.net:9093",
                "AUDITKEEPER_SOURCE_AKS_EVENT_HUBS_TOPIC", "aks-prod",
                "AUDITKEEPER_SOURCE_AKS_EVENT_HUBS_CONSUMER_GROUP", "auditkeeper-2",
                "AUDITKEEPER_SOURCE_AKS_EVENT_HUBS_NAMESPACE", "clinical-audit",
                "AUDITKEEPER_SOURCE_AKS_CLUSTER_MAPPING", "aks-prod-westeurope=prod-1",
                "AUDITKEEPER_SOURCE_AKS_KAFKA_CLIENT_SASL_JAAS_CONFIG", "kafka-user-source-aks",
                "AUDITKEEPER_SOURCE_AKS_DELIVERY_MODE", "at-least-once"));
        assertThat(RenderedManifestChecks.referencedSecrets(List.of(source))).contains("hub-listen");
        assertThat(docs).flatMap(RenderedManifestChecks::envProblems).isEmpty();
        assertThat(new ManifestPolicy(Map.of()).forExistingNamespace().check(docs)).isEmpty();
    }

    /**
     * Each variable the Kustomize base sets, but for the container paths and ports the chart fixes, and the chart value
     * that sets it: the test fails when the base gains a setting the chart cannot change.
     */
    @Test
    void shouldSetEverySettingOfTheKustomizeBaseThroughAValue() {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> expected = new TreeMap<>();
        for (String[] row : new String[][] {
                {"kafka.bootstrapServers", "kafka-0.example:9094", "KAFKA_BOOTSTRAP_SERVERS"},
                {"kafka.securityProtocol", "SSL", "KAFKA_CLIENT_SECURITY_PROTOCOL"},
                {"kafka.saslMechanism", "PLAIN", "KAFKA_CLIENT_SASL_MECHANISM"},
                {"kafka.minInsyncReplicas", "3", "TOPICS_MIN_INSYNC_REPLICAS"}}) {
            values.put(row[0], row[1]);
            for (String prefix : List.of("AUDITKEEPER_INGEST_", "AUDITKEEPER_STREAMS_", "AUDITKEEPER_ARCHIVER_")) {
                expected.put(prefix + row[2], row[1]);
            }
        }
        for (String[] row : new String[][] {
                {"ingest.auth.mode", "mtls-and-token", "AUDITKEEPER_INGEST_AUTH_MODE"},
                {"ingest.auth.allowedSubjects", "apiserver-a", "AUDITKEEPER_INGEST_AUTH_ALLOWED_SUBJECTS"},
                {"ingest.clusterDefault", "prod-1", "AUDITKEEPER_INGEST_CLUSTER_DEFAULT"},
                {"ingest.topics.rawPartitions", "24", "AUDITKEEPER_INGEST_TOPICS_RAW_PARTITIONS"},
                {"ingest.topics.rawReplicationFactor", "5", "AUDITKEEPER_INGEST_TOPICS_RAW_REPLICATION_FACTOR"},
                {"ingest.topics.dlqReplicationFactor", "5", "AUDITKEEPER_INGEST_TOPICS_DLQ_REPLICATION_FACTOR"},
                {"ingest.kafkaSecret", "kafka-user-ingest", "AUDITKEEPER_INGEST_KAFKA_CLIENT_SASL_JAAS_CONFIG"},
                {"streamProcessor.standbyReplicas", "2", "AUDITKEEPER_STREAMS_KAFKA_STREAMS_NUM_STANDBY_REPLICAS"},
                {"streamProcessor.threads", "4", "AUDITKEEPER_STREAMS_STREAMS_THREADS"},
                {"streamProcessor.replicationFactor", "5", "AUDITKEEPER_STREAMS_STREAMS_REPLICATION_FACTOR"},
                {"streamProcessor.topics.eventsPartitions", "24", "AUDITKEEPER_STREAMS_TOPICS_EVENTS_PARTITIONS"},
                {"streamProcessor.topics.outputsReplicationFactor", "5", "AUDITKEEPER_STREAMS_TOPICS_OUTPUTS_REPLICATION_FACTOR"},
                {"streamProcessor.phiNamespaces", "ward-*", "AUDITKEEPER_STREAMS_PHI_NAMESPACES"},
                {"streamProcessor.kafkaSecret", "kafka-user-streams", "AUDITKEEPER_STREAMS_KAFKA_CLIENT_SASL_JAAS_CONFIG"},
                {"archiver.s3.bucket", "phi-audit-archive", "AUDITKEEPER_ARCHIVER_S3_BUCKET"},
                {"archiver.s3.region", "eu-central-1", "AUDITKEEPER_ARCHIVER_S3_REGION"},
                {"archiver.s3.sse", "aws:kms", "AUDITKEEPER_ARCHIVER_S3_SSE"},
                {"archiver.s3.credentialsSecret", "minio-keys", "AUDITKEEPER_ARCHIVER_S3_ACCESS_KEY"},
                {"archiver.opensearch.url", "https://search.example:9200", "AUDITKEEPER_ARCHIVER_OPENSEARCH_URL"},
                {"archiver.opensearch.username", "archiver-2", "AUDITKEEPER_ARCHIVER_OPENSEARCH_USERNAME"},
                {"archiver.opensearch.replicas", "2", "AUDITKEEPER_ARCHIVER_OPENSEARCH_REPLICAS"},
                {"archiver.kafkaSecret", "kafka-user-archiver", "AUDITKEEPER_ARCHIVER_KAFKA_CLIENT_SASL_JAAS_CONFIG"}}) {
            values.put(row[0], row[1]);
            expected.put(row[2], row[1]);
        }
        expected.put("AUDITKEEPER_ARCHIVER_S3_SECRET_KEY", "minio-keys");

        List<Document> docs = render(values);

        Map<String, String> rendered = new TreeMap<>();
        for (String workload : List.of("Deployment auditkeeper-ingest", "StatefulSet auditkeeper-stream-processor", "Deployment auditkeeper-archiver")) {
            rendered.putAll(envOrSecret(find(docs, workload)));
        }
        assertThat(rendered).containsAllEntriesOf(expected);
        Set<String> inBase = new TreeSet<>();
        KubernetesManifestsTest.baseDocuments().stream().filter(d -> ManifestPolicy.WORKLOADS.contains(d.kind()))
                .forEach(d -> inBase.addAll(envOrSecret(d).keySet()));
        inBase.removeIf(name -> name.matches(".*(_FILE|_LOCATION|_TYPE|_PORT|_STATE_DIR)"));
        assertThat(expected.keySet()).as("a chart value for each setting of deploy/k8s/base").containsAll(inBase);
        // renamed Secrets are the operator's own, not the ones docs/deploy.md lists: the policy and the settings only
        assertThat(new ManifestPolicy(Map.of()).forExistingNamespace().check(docs)).isEmpty();
        assertThat(docs).flatMap(RenderedManifestChecks::envProblems).isEmpty();
    }

    /** Variable name to its value, or to the name of the Secret it is read from. */
    private static Map<String, String> envOrSecret(Document workload) {
        Map<String, String> env = new TreeMap<>();
        for (JsonNode e : workload.node().path("spec").path("template").path("spec").path("containers").path(0).path("env")) {
            JsonNode secret = e.path("valueFrom").path("secretKeyRef").path("name");
            env.put(e.path("name").asText(), secret.isMissingNode() ? e.path("value").asText() : secret.asText());
        }
        return env;
    }

    @Test
    void shouldSetAnyOtherServiceSettingThroughEnv() {
        List<Document> docs = render(Map.of(
                "ingest.env.AUDITKEEPER_INGEST_TOPICS_RAW_PARTITIONS", 24,
                "archiver.env.AUDITKEEPER_ARCHIVER_S3_PREFIX", "cluster-a/"));

        assertThat(env(find(docs, "Deployment auditkeeper-ingest"))).containsEntry("AUDITKEEPER_INGEST_TOPICS_RAW_PARTITIONS", "24");
        assertThat(env(find(docs, "Deployment auditkeeper-archiver"))).containsEntry("AUDITKEEPER_ARCHIVER_S3_PREFIX", "cluster-a/");
        assertThat(RenderedManifestChecks.problems(new ManifestPolicy(Map.of()).forExistingNamespace(), docs)).isEmpty();
    }

    @Test
    void shouldScrapeLikeTheKustomizePrometheusOperatorComponent() {
        Document component = Yaml.documents(K8S.resolve("components/prometheus-operator/podmonitor.yaml")).get(0);

        Document rendered = find(render(Map.of("monitoring.podMonitor.enabled", true)), "PodMonitor auditkeeper");

        assertThat(rendered.node().path("spec")).isEqualTo(component.node().path("spec"));
    }

    @Test
    void shouldShipTheAlertRulesOfDeployPrometheusUnchanged() throws IOException {
        Path rules = Repo.DEPLOY.resolve("prometheus/auditkeeper-alerts.yaml");
        assertThat(Files.mismatch(CHART.resolve("files/auditkeeper-alerts.yaml"), rules))
                .as("the chart's files/auditkeeper-alerts.yaml is a copy of %s; copy it again after changing the rules", rules)
                .isEqualTo(-1L);

        Document rendered = find(render(Map.of("monitoring.prometheusRule.enabled", true,
                "monitoring.prometheusRule.labels.release", "kube-prometheus-stack")), "PrometheusRule auditkeeper");

        assertThat(rendered.node().path("spec")).isEqualTo(Yaml.documents(rules).get(0).node().path("spec"));
        assertThat(rendered.node().path("metadata").path("labels").path("release").asText()).isEqualTo("kube-prometheus-stack");
    }

    @Test
    void shouldShipTheDashboardForGrafanasSidecarWhenAsked() throws IOException {
        assertThat(render(Map.of())).noneMatch(d -> d.label().equals("ConfigMap auditkeeper-dashboard"));

        Document rendered = find(render(Map.of("monitoring.grafanaDashboard.enabled", true,
                "monitoring.grafanaDashboard.namespace", "monitoring",
                "monitoring.grafanaDashboard.annotations.grafana_folder", "Audit Keeper")), "ConfigMap auditkeeper-dashboard");

        JsonNode meta = rendered.node().path("metadata");
        assertThat(meta.path("labels").path("grafana_dashboard").asText()).as("the sidecar's default label").isEqualTo("1");
        assertThat(meta.path("namespace").asText()).isEqualTo("monitoring");
        assertThat(meta.path("annotations").path("grafana_folder").asText()).isEqualTo("Audit Keeper");
        JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(rendered.node().path("data").path("auditkeeper.json").asText());
        assertThat(json).as("the dashboard as deploy/grafana holds it, not templated")
                .isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper().readTree(GrafanaDashboardTest.DASHBOARD.toFile()));
    }

    @Test
    void shouldCreateTheTopicsAndUsersOfTheDeployGuideWhenStrimziIsOn() {
        List<Document> docs = render(EVERY_OPTION);

        Set<String> topics = new TreeSet<>();
        docs.stream().filter(d -> d.kind().equals("KafkaTopic")).forEach(d -> topics.add(d.node().path("spec").path("topicName").asText()));
        assertThat(topics).as("the topics table of docs/deploy.md").isEqualTo(documentedTopics());

        Set<String> users = new TreeSet<>();
        docs.stream().filter(d -> d.kind().equals("KafkaUser")).forEach(d -> users.add(d.name()));
        assertThat(users).as("a KafkaUser writes the Secret each service reads its JAAS line from")
                .containsExactlyInAnyOrder("auditkeeper-ingest-kafka", "auditkeeper-stream-processor-kafka", "auditkeeper-archiver-kafka");
        assertThat(acls(find(docs, "KafkaUser auditkeeper-ingest-kafka"))).as("ingest only writes")
                .containsOnlyKeys("topic audit.raw", "topic audit.dlq")
                .allSatisfy((resource, ops) -> assertThat(ops).doesNotContain("Read", "Create", "All", "Delete"));
        assertThat(acls(find(docs, "KafkaUser auditkeeper-archiver-kafka"))).as("the archiver creates audit.archive only")
                .allSatisfy((resource, ops) -> assertThat(ops.contains("Create")).isEqualTo(resource.equals("topic audit.archive")));
        assertThat(env(find(docs, "Deployment auditkeeper-ingest"))).containsEntry("AUDITKEEPER_INGEST_TOPICS_CREATE", "false");
        assertThat(env(find(docs, "StatefulSet auditkeeper-stream-processor"))).containsEntry("AUDITKEEPER_STREAMS_TOPICS_CREATE", "false");
        for (Document d : docs) {
            String expected = d.kind().startsWith("Kafka") ? "kafka" : "auditkeeper";
            assertThat(d.node().path("metadata").path("namespace").asText("auditkeeper")).as(d.label()).isEqualTo(expected);
        }
    }

    @Test
    void shouldLetTheServicesCreateTheirTopicsWhenStrimziHoldsOnlyTheUsers() {
        List<Document> docs = render(Map.of("strimzi.users.enabled", true));

        assertThat(acls(find(docs, "KafkaUser auditkeeper-ingest-kafka")).get("topic audit.raw")).contains("Create");
        assertThat(acls(find(docs, "KafkaUser auditkeeper-stream-processor-kafka")).get("topic audit.events")).contains("Create");
        assertThat(env(find(docs, "Deployment auditkeeper-ingest"))).doesNotContainKey("AUDITKEEPER_INGEST_TOPICS_CREATE");
    }

    private static List<Document> render(Map<String, Object> values, Path... valuesFiles) {
        TemplateCommand template = new Helm(CHART).template().withName("auditkeeper").withNamespace("auditkeeper");
        for (Path f : valuesFiles) {
            template = template.withValuesFile(f);
        }
        for (Map.Entry<String, Object> e : new TreeMap<>(values).entrySet()) {
            template = template.set(e.getKey(), e.getValue());
        }
        return Yaml.documents(CHART, template.call());
    }

    /** Same resources, names and specs; labels aside (Helm adds its own), env in name order, images as kustomize writes them. */
    private static void assertSameResources(List<Document> kustomize, List<Document> helm, JsonNode kustomization) {
        assertThat(helm).extracting(Document::label).containsExactlyInAnyOrderElementsOf(
                kustomize.stream().map(Document::label).toList());
        List<String> differences = new ArrayList<>();
        for (Document k : kustomize) {
            differences(k.label(), comparable(k, kustomization), comparable(find(helm, k.label()), null), differences);
        }
        assertThat(differences).as("what Kustomize renders, and what the chart renders instead").isEmpty();
    }

    private static void differences(String path, JsonNode kustomize, JsonNode helm, List<String> out) {
        if (kustomize.isObject() && helm.isObject()) {
            Set<String> fields = new TreeSet<>();
            kustomize.fieldNames().forEachRemaining(fields::add);
            helm.fieldNames().forEachRemaining(fields::add);
            fields.forEach(f -> differences(path + "." + f, kustomize.path(f), helm.path(f), out));
        } else if (kustomize.isArray() && helm.isArray() && kustomize.size() == helm.size()) {
            for (int i = 0; i < kustomize.size(); i++) {
                differences(path + "[" + i + "]", kustomize.get(i), helm.get(i), out);
            }
        } else if (!kustomize.equals(helm)) {
            out.add(path + ": " + kustomize + " <> " + helm);
        }
    }

    private static JsonNode comparable(Document d, JsonNode kustomization) {
        ObjectNode n = d.node().deepCopy();
        ObjectNode metadata = (ObjectNode) n.path("metadata");
        metadata.remove(List.of("labels", "namespace"));
        JsonNode template = n.path("spec").path("template");
        if (template.isObject()) {
            ((ObjectNode) template.path("metadata")).remove("labels");
            for (JsonNode c : template.path("spec").path("containers")) {
                ObjectNode container = (ObjectNode) c;
                List<JsonNode> env = new ArrayList<>();
                container.path("env").forEach(env::add);
                env.sort(Comparator.comparing(e -> e.path("name").asText()));
                container.putArray("env").addAll(env);
                if (kustomization != null) {
                    container.put("image", kustomizeImage(container.path("image").asText(), kustomization));
                }
            }
        }
        return n;
    }

    private static String kustomizeImage(String image, JsonNode kustomization) {
        for (JsonNode i : kustomization.path("images")) {
            if (i.path("name").asText().equals(image)) {
                return i.path("newName").asText(image) + (i.has("digest") ? "@" + i.path("digest").asText() : ":" + i.path("newTag").asText());
            }
        }
        return image;
    }

    private static Document find(List<Document> docs, String label) {
        return docs.stream().filter(d -> d.label().equals(label)).findFirst()
                .orElseThrow(() -> new AssertionError(label + " is not rendered; rendered: " + docs.stream().map(Document::label).toList()));
    }

    private static Map<String, String> env(Document workload) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : workload.node().path("spec").path("template").path("spec").path("containers").path(0).path("env")) {
            env.put(e.path("name").asText(), e.path("value").asText(null));
        }
        return env;
    }

    private static Map<String, List<String>> acls(Document user) {
        Map<String, List<String>> out = new TreeMap<>();
        for (JsonNode acl : user.node().path("spec").path("authorization").path("acls")) {
            List<String> ops = new ArrayList<>();
            ((ArrayNode) acl.path("operations")).forEach(o -> ops.add(o.asText()));
            out.put(acl.path("resource").path("type").asText() + " " + acl.path("resource").path("name").asText(), ops);
        }
        return out;
    }

    private static Set<String> documentedTopics() {
        Set<String> topics = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `(audit\\.[a-z-]+)` \\|").matcher(KubernetesManifestsTest.read(Repo.ROOT.resolve("docs/deploy.md")));
        while (m.find()) {
            topics.add(m.group(1));
        }
        return topics;
    }
}
