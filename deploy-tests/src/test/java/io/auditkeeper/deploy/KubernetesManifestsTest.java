package io.auditkeeper.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.deploy.Yaml.Document;
import io.auditkeeper.localstack.RequiredTool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class KubernetesManifestsTest {
    private static final Path K8S = Repo.DEPLOY.resolve("k8s");
    private static final Path BASE = K8S.resolve("base");

    @Test
    void shouldParseEveryYamlFileUnderDeploy() {
        // Helm templates are Go templates, not YAML: HelmChartTest checks what they render.
        List<Path> files = Repo.yamlFiles(Repo.DEPLOY).stream()
                .filter(f -> !Repo.DEPLOY.relativize(f).toString().matches("helm/[^/]+/templates/.*")).toList();
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            assertThat(Yaml.documents(f)).as("documents of %s", f).isNotEmpty();
        }
    }

    @Test
    void shouldKeepEveryRuleInTheBase() {
        List<Document> docs = baseDocuments();
        List<String> violations = new ManifestPolicy(kustomizeImages(BASE)).check(docs);
        assertThat(violations).as("policy violations in deploy/k8s/base").isEmpty();
        assertThat(docs).extracting(Document::label).contains(
                "Namespace auditkeeper", "NetworkPolicy default-deny-all", "Deployment auditkeeper-ingest",
                "StatefulSet auditkeeper-stream-processor", "Deployment auditkeeper-archiver",
                "PodDisruptionBudget auditkeeper-ingest", "HorizontalPodAutoscaler auditkeeper-ingest",
                "PodDisruptionBudget auditkeeper-stream-processor", "PodDisruptionBudget auditkeeper-archiver",
                "Certificate auditkeeper-ingest");
    }

    @Test
    void shouldRequireTwoReplicasAndADisruptionBudgetOfEveryService() {
        List<Document> docs = new java.util.ArrayList<>();
        for (Document d : baseDocuments()) {
            if (d.kind().equals("PodDisruptionBudget") && d.name().equals("auditkeeper-archiver")) {
                continue;
            }
            if (d.kind().equals("Deployment") && d.name().equals("auditkeeper-archiver")) {
                com.fasterxml.jackson.databind.node.ObjectNode copy = d.node().deepCopy();
                ((com.fasterxml.jackson.databind.node.ObjectNode) copy.path("spec")).put("replicas", 1);
                d = new Document(d.source(), copy);
            }
            docs.add(d);
        }

        assertThat(new ManifestPolicy(kustomizeImages(BASE)).check(docs)).containsExactlyInAnyOrder(
                "Deployment auditkeeper-archiver: archiver needs at least 2 replicas",
                "Deployment auditkeeper-archiver: archiver needs a PodDisruptionBudget that selects its pods");
    }

    @Test
    void shouldListEveryBaseFileInTheKustomization() throws IOException {
        JsonNode k = Yaml.documents(BASE.resolve("kustomization.yaml")).get(0).node();
        Set<String> listed = new TreeSet<>();
        k.path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> present = new TreeSet<>();
        try (Stream<Path> s = Files.list(BASE)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .forEach(present::add);
        }
        assertThat(listed).as("a manifest left out of kustomization.yaml is never deployed, nor checked as deployed")
                .isEqualTo(present);
    }

    @Test
    void shouldSetOnlyVariablesTheServicesAccept() {
        List<String> problems = new ArrayList<>();
        for (Document d : baseDocuments()) {
            problems.addAll(RenderedManifestChecks.envProblems(d));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldReferenceEverySecretItMountsOrReadsNeverCreateOne() {
        List<Document> docs = baseDocuments();
        assertThat(docs).extracting(Document::kind).doesNotContain("Secret");
        Set<String> referenced = RenderedManifestChecks.referencedSecrets(docs);
        assertThat(referenced).contains("auditkeeper-ingest-tls", "auditkeeper-webhook-client-ca", "auditkeeper-ingest-tokens",
                "auditkeeper-manifest-signing-key", "auditkeeper-archiver-opensearch", "auditkeeper-archiver-s3");
        // docs/deploy.md lists every one of them, so an operator knows what to create
        String doc = read(Repo.ROOT.resolve("docs/deploy.md"));
        for (String name : referenced) {
            assertThat(doc).as("docs/deploy.md names Secret %s", name).contains(name);
        }
    }

    @Test
    void shouldRejectTheBadManifestNamingEachWorkloadAndRule() throws IOException {
        String text;
        try (InputStream in = getClass().getResourceAsStream("/bad/insecure-workloads.yaml")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> v = new ManifestPolicy(Map.of()).check(Yaml.documents(Path.of("bad/insecure-workloads.yaml"), text));
        assertThat(v).contains(
                "Deployment careless-ingest: container app: securityContext.readOnlyRootFilesystem must be true",
                "Deployment careless-ingest: container app: securityContext.allowPrivilegeEscalation must be false",
                "Deployment careless-ingest: container app: securityContext.capabilities.drop must contain ALL",
                "Deployment careless-ingest: container app: runAsNonRoot must be true (pod or container securityContext)",
                "Deployment careless-ingest: container app: seccompProfile.type must be RuntimeDefault (pod or container securityContext)",
                "Deployment careless-ingest: container app: resources.limits.memory must be set",
                "Deployment careless-ingest: container app: image example/ingest:latest must not use the tag 'latest'",
                "Deployment careless-ingest: container app: env AUDITKEEPER_ARCHIVER_S3_SECRET_KEY is a credential given as a literal value; take it from a Secret (valueFrom.secretKeyRef)",
                "Deployment careless-ingest: automountServiceAccountToken must be false",
                "Deployment careless-ingest: hostNetwork must not be true",
                "Deployment careless-ingest: ingest needs at least 2 replicas",
                "Deployment careless-ingest: ingest needs a PodDisruptionBudget that selects its pods",
                "StatefulSet careless-streams: container sidecar: securityContext.privileged must not be true",
                "StatefulSet careless-streams: container sidecar: image busybox must be pinned (an exact tag or @sha256 digest)",
                "ServiceAccount careless: automountServiceAccountToken must be false (no service talks to the Kubernetes API)",
                "ConfigMap careless-settings: key 'opensearch-password' looks like a credential; credentials belong in a Secret, never a ConfigMap",
                "Secret committed-keys: a Secret with data is committed; Secrets are referenced by name and created from a secret store",
                "ClusterRoleBinding careless-admin: RBAC is not allowed; no Audit Keeper service needs Kubernetes API permissions",
                "NetworkPolicy allow-everything: an ingress rule without 'from' admits every source; name the peers",
                "NetworkPolicy: a default deny for ingress and egress (podSelector {}, policyTypes [Ingress, Egress], no rules) must be present",
                "Namespace careless: label pod-security.kubernetes.io/enforce must be 'restricted'");
        assertThat(v).anyMatch(m -> m.startsWith("Deployment careless-ingest: container app: livenessProbe"));
    }

    @Test
    void shouldPassWhenRenderedByKustomizeIfKubectlIsInstalled() {
        Repo.Result version = Repo.run(Repo.ROOT, "kubectl", "version", "--client");
        RequiredTool.assumeInstalled(version != null && version.exit() == 0, "kubectl",
                "https://kubernetes.io/docs/tasks/tools/; Debian's kubernetes-client 1.20 is too old to render the overlays");
        List<Path> targets = new ArrayList<>(List.of(BASE));
        try (Stream<Path> s = Files.list(K8S.resolve("overlays"))) {
            s.filter(Files::isDirectory).sorted().forEach(targets::add);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (Path target : targets) {
            Repo.Result r = Repo.run(Repo.ROOT, "kubectl", "kustomize", target.toString());
            assertThat(r.exit()).as("kubectl kustomize %s: %s", target, r.err()).isZero();
            List<Document> docs = Yaml.documents(target, r.out());
            assertThat(RenderedManifestChecks.problems(new ManifestPolicy(Map.of()), docs))
                    .as("policy violations and settings in rendered %s", target).isEmpty();
            for (Document d : docs) {
                assertThat(d.node().path("metadata").path("namespace").asText("auditkeeper"))
                        .as("%s in %s", d.label(), target).isEqualTo("auditkeeper");
            }
        }
        // `kubectl apply --dry-run=client` is not run: even in client mode it downloads the OpenAPI schema and the
        // API resource list from a server, so it cannot work without a cluster.
    }

    @Test
    void shouldAddAPodMonitorWithThePrometheusOperatorComponentIfKubectlIsInstalled() throws IOException {
        Repo.Result version = Repo.run(Repo.ROOT, "kubectl", "version", "--client");
        RequiredTool.assumeInstalled(version != null && version.exit() == 0, "kubectl", "https://kubernetes.io/docs/tasks/tools/");
        // an overlay as docs/deploy.md describes it; kustomize wants relative paths, so it lives in target/
        Path overlay = Files.createDirectories(Path.of("target/overlay-with-prometheus-operator"));
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                resources: [../../../deploy/k8s/base]
                components: [../../../deploy/k8s/components/prometheus-operator]
                """);

        Repo.Result r = Repo.run(Repo.ROOT, "kubectl", "kustomize", overlay.toAbsolutePath().toString());

        assertThat(r.exit()).as("kubectl kustomize: %s", r.err()).isZero();
        List<Document> docs = Yaml.documents(overlay, r.out());
        assertThat(docs).extracting(Document::label).contains("PodMonitor auditkeeper");
        assertThat(RenderedManifestChecks.problems(new ManifestPolicy(Map.of()), docs)).isEmpty();
    }

    @Test
    void shouldAddSourceAksWithItsComponentKeepingEveryRuleIfKubectlIsInstalled() {
        List<Document> docs = sourceAksComponentDocuments();

        assertThat(docs).extracting(Document::label).contains(
                "ServiceAccount auditkeeper-source-aks", "Deployment auditkeeper-source-aks", "Service auditkeeper-source-aks",
                "PodDisruptionBudget auditkeeper-source-aks", "NetworkPolicy source-aks-to-event-hubs",
                "NetworkPolicy source-aks-admin-from-prometheus", "Deployment auditkeeper-archiver");
        assertThat(RenderedManifestChecks.problems(new ManifestPolicy(Map.of()), docs)).isEmpty();
        assertThat(RenderedManifestChecks.referencedSecrets(docs)).contains("auditkeeper-source-aks-event-hubs", "auditkeeper-source-aks-kafka");
        Document source = docs.stream().filter(d -> d.label().equals("Deployment auditkeeper-source-aks")).findFirst().orElseThrow();
        assertThat(source.node().path("spec").path("template").path("spec").path("containers").path(0).path("image").asText())
                .isEqualTo("registry.example.com/auditkeeper/source-aks:0.1.0");
        for (Document d : docs) {
            assertThat(d.node().path("metadata").path("namespace").asText(d.name().contains("source-aks") ? "" : "auditkeeper"))
                    .as(d.label()).isEqualTo("auditkeeper");
        }
    }

    @Test
    void shouldAddTheNotifierWithItsComponentKeepingEveryRuleIfKubectlIsInstalled() {
        List<Document> docs = componentDocuments("notifier");

        assertThat(docs).extracting(Document::label).contains(
                "ServiceAccount auditkeeper-notifier", "ConfigMap auditkeeper-notifier", "Deployment auditkeeper-notifier",
                "Service auditkeeper-notifier", "PodDisruptionBudget auditkeeper-notifier",
                "NetworkPolicy notifier-to-receivers", "NetworkPolicy notifier-admin-from-prometheus");
        assertThat(RenderedManifestChecks.problems(new ManifestPolicy(Map.of()), docs)).isEmpty();
        assertThat(RenderedManifestChecks.referencedSecrets(docs)).contains("auditkeeper-notifier-receivers", "auditkeeper-notifier-kafka");
        Document notifier = docs.stream().filter(d -> d.label().equals("Deployment auditkeeper-notifier")).findFirst().orElseThrow();
        assertThat(notifier.node().path("spec").path("template").path("spec").path("containers").path(0).path("image").asText())
                .isEqualTo("registry.example.com/auditkeeper/notifier:0.1.0");
        Document config = docs.stream().filter(d -> d.label().equals("ConfigMap auditkeeper-notifier")).findFirst().orElseThrow();
        assertThat(config.node().path("data").path("notifier.yaml").asText()).as("secrets are files, never in the ConfigMap")
                .contains("routing-key-file: /etc/auditkeeper/receivers/", "url-file: /etc/auditkeeper/receivers/")
                .doesNotContain("hooks.slack.com");
    }

    @Test
    void shouldLeaveTheNotifierOutOfTheBase() {
        assertThat(baseDocuments()).noneMatch(d -> d.name().contains("notifier"));
    }

    @Test
    void shouldLeaveSourceAksOutOfTheBase() {
        assertThat(baseDocuments()).noneMatch(d -> d.name().contains("source-aks"));
    }

    /** The base with the source-aks component, rendered by kubectl kustomize (skipped without kubectl). */
    static List<Document> sourceAksComponentDocuments() {
        return componentDocuments("source-aks");
    }

    /** The base with one component, rendered by kubectl kustomize (skipped without kubectl). */
    static List<Document> componentDocuments(String component) {
        Repo.Result version = Repo.run(Repo.ROOT, "kubectl", "version", "--client");
        RequiredTool.assumeInstalled(version != null && version.exit() == 0, "kubectl", "https://kubernetes.io/docs/tasks/tools/");
        // an overlay as docs/deploy.md describes it; kustomize wants relative paths, so it lives in target/
        Path overlay;
        try {
            overlay = Files.createDirectories(Path.of("target/overlay-with-" + component));
            Files.writeString(overlay.resolve("kustomization.yaml"), """
                    resources: [../../../deploy/k8s/base]
                    components: [../../../deploy/k8s/components/%s]
                    """.formatted(component));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Repo.Result r = Repo.run(Repo.ROOT, "kubectl", "kustomize", overlay.toAbsolutePath().toString());
        assertThat(r.exit()).as("kubectl kustomize: %s", r.err()).isZero();
        return Yaml.documents(overlay, r.out());
    }

    static List<Document> baseDocuments() {
        List<Document> docs = new ArrayList<>();
        for (Path f : Repo.yamlFiles(BASE)) {
            docs.addAll(Yaml.documents(f));
        }
        return docs;
    }

    /** The kustomization's images: name to whether it is pinned (newTag not latest, or a digest). */
    static Map<String, Boolean> kustomizeImages(Path dir) {
        Map<String, Boolean> out = new HashMap<>();
        JsonNode k = Yaml.documents(dir.resolve("kustomization.yaml")).get(0).node();
        for (JsonNode img : k.path("images")) {
            String tag = img.path("newTag").asText("");
            boolean pinned = img.has("digest") || !tag.isEmpty() && !tag.equals("latest");
            out.put(img.path("name").asText(), pinned);
        }
        return out;
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
