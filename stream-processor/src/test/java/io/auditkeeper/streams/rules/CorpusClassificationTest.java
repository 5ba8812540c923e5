package io.auditkeeper.streams.rules;

import io.auditkeeper.model.AuditEvent;
import io.auditkeeper.model.AuditJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * All 482 real events of testdata/corpus/events.ndjson, with {@code default} and the glob {@code ns?} (matching
 * {@code ns1}) as PHI namespaces. The expected counts were worked out from the corpus with jq, rule by rule (see
 * the comments), not by running this classifier.
 */
class CorpusClassificationTest {
    private static final List<AuditEvent> EVENTS = new ArrayList<>();
    private static final List<Classification> RESULTS = new ArrayList<>();

    @BeforeAll
    static void classifyCorpus() throws IOException {
        Path dir = Path.of(System.getProperty("auditkeeper.corpus", Path.of("..", "testdata", "corpus").toString()));
        PhiAccessClassifier classifier = new PhiAccessClassifier(RuleSet.defaults(),
                new PhiNamespaces(List.of("default", "ns?")));
        for (String line : Files.readAllLines(dir.resolve("events.ndjson"), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            AuditEvent e = AuditJson.mapper().readValue(line, AuditEvent.class);
            EVENTS.add(e);
            RESULTS.add(classifier.classify(e));
        }
    }

    private static long count(String ruleId) {
        return RESULTS.stream().filter(c -> c.ruleIds().contains(ruleId)).count();
    }

    @Test
    void shouldClassifyEveryCorpusEventWhenPhiNamespacesAreDefaultAndNs1() {
        assertThat(EVENTS).hasSize(482);
        assertThat(RESULTS).hasSize(482).doesNotContainNull();
    }

    @Test
    void shouldCountPhiNamespaceEventsWhenCorpusIsClassified() {
        // 136 in default + 4 in ns1 + 20 clusterrolebinding create/patch + 9 namespaced list/watch without a namespace
        // (configmaps 2, pods 2, lokistacks 2, network-attachment-definitions, imagestreams, templateinstances)
        assertThat(RESULTS.stream().filter(Classification::phiNamespace).count()).isEqualTo(169);
    }

    @Test
    void shouldCountEachRuleWhenCorpusIsClassified() {
        Map<String, Long> counts = new TreeMap<>();
        for (Rule r : RuleSet.defaults().rules()) {
            counts.put(r.id(), count(r.id()));
        }
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                // list secrets in ns1 (impersonating alice, answered 403): the corpus's only secret read
                Map.entry("secret-read", 1L),
                // create and delete of a secret in default
                Map.entry("secret-write", 2L),
                // exec and attach in default (the exec in foo and openshift-kube-apiserver are not PHI)
                Map.entry("pod-exec", 2L),
                // roles and rolebindings create 6+6 and delete 16+16 in default, clusterrolebindings create 8 + patch 12
                Map.entry("rbac-change", 64L),
                // configmaps create 9 + delete 1 in default
                Map.entry("configmap-change", 10L),
                // delete in default: roles 16, rolebindings 16, configmaps, deployments, secrets, serviceaccounts, services
                Map.entry("delete", 37L),
                // every 403 (one of them the anonymous HEAD / with decision forbid)
                Map.entry("access-denied", 16L),
                // the anonymous create of namespace foo; the anonymous /livez, /version and HEAD / are non-resource
                Map.entry("anonymous-access", 1L),
                // list pods/configmaps/secrets in default and ns1 as bob, alice or sa1, and list pods in all namespaces
                Map.entry("impersonation", 12L),
                Map.entry("serviceaccount-token-request", 0L),
                // pods created in default with hostNetwork 3, hostPID 1, hostIPC 1, hostPath 2, privileged 2
                Map.entry("privileged-pod", 9L),
                Map.entry("debug-container", 0L),
                // Falco's test traffic: the NodePort service nginx created in default (the two ClusterIP ones are not)
                Map.entry("service-exposed", 1L),
                Map.entry("ingress-without-tls", 0L),
                // ClusterRole some-reader created granting get of pods/exec, and get, list of * (secrets included);
                // its variants granting only pods are not
                Map.entry("role-grants-phi-access", 2L),
                Map.entry("aggregated-clusterrole", 0L),
                // delete of system:kube-aggregator and patch of system:node-problem-detector by minikube-user
                Map.entry("system-rbac-change", 2L),
                // ClusterRoleBinding some-reader-binding to cluster-admin (the one to system:basic-user is not)
                Map.entry("admin-role-binding", 1L)));
    }

    @Test
    void shouldCountFlaggedEventsAndSeveritiesWhenCorpusIsClassified() {
        // 110 by the first eleven rules; then the NodePort service, the two ClusterRoles and the two system: role
        // changes (the cluster-admin binding was already flagged by rbac-change)
        assertThat(RESULTS.stream().filter(Classification::flagged).count()).isEqualTo(115);
        assertThat(RESULTS.stream().filter(c -> c.maxSeverity().orElse(null) == Severity.CRITICAL).count())
                .isEqualTo(12); // pod-exec 2 + privileged-pod 9 + admin-role-binding 1
    }

    @Test
    void shouldFlagTheDeniedImpersonatedSecretListWithThreeRulesWhenCorpusIsClassified() {
        int i = 0;
        for (; i < EVENTS.size(); i++) {
            AuditEvent e = EVENTS.get(i);
            if (e.objectRef() != null && "secrets".equals(e.objectRef().resource()) && "list".equals(e.verb())) {
                break;
            }
        }
        assertThat(RESULTS.get(i).ruleIds()).containsExactly("secret-read", "access-denied", "impersonation");
        assertThat(RESULTS.get(i).maxSeverity()).contains(Severity.HIGH);
    }

    @Test
    void shouldClassifyExtraAndSupplementaryEventsWithoutThrowingWhenTheyAreOddOrConverted() throws IOException {
        Path dir = Path.of(System.getProperty("auditkeeper.corpus", Path.of("..", "testdata", "corpus").toString()));
        PhiAccessClassifier classifier = new PhiAccessClassifier(RuleSet.defaults(),
                new PhiNamespaces(List.of("default", "kube-system", "test-*")));
        int n = 0;
        for (String sub : List.of("extra", "supplementary")) {
            try (var files = Files.list(dir.resolve(sub))) {
                List<Path> eventFiles = files.map(Path::toString)
                        .filter(p -> p.endsWith(".ndjson") && !p.endsWith(".provenance.ndjson"))
                        .sorted().map(Path::of).toList();
                for (Path f : eventFiles) {
                    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                        if (!line.isBlank()) {
                            classifier.classify(AuditJson.mapper().readValue(line, AuditEvent.class));
                            n++;
                        }
                    }
                }
            }
        }
        assertThat(n).isEqualTo(524 + 17 + 25 + 13);
    }

    @Test
    void shouldNotFlagKubeletTokenRequestsWhenRealEksEventsAreInPhiNamespace() throws IOException {
        Path dir = Path.of(System.getProperty("auditkeeper.corpus", Path.of("..", "testdata", "corpus").toString()));
        PhiAccessClassifier classifier = new PhiAccessClassifier(RuleSet.defaults(),
                new PhiNamespaces(List.of("kube-system")));
        List<Classification> tokenRequests = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("supplementary/panther-eks-derived.ndjson"))) {
            AuditEvent e = AuditJson.mapper().readValue(line, AuditEvent.class);
            if (e.objectRef() != null && "token".equals(e.objectRef().subresource())) {
                tokenRequests.add(classifier.classify(e));
            }
        }
        // two kubelet (system:nodes) requests for the kube-proxy service account in kube-system
        assertThat(tokenRequests).hasSize(2).allSatisfy(c -> {
            assertThat(c.phiNamespace()).isTrue();
            assertThat(c.ruleIds()).doesNotContain("serviceaccount-token-request");
        });
    }
}
