package io.auditkeeper.streams.rules;

import io.auditkeeper.model.AuditEvent;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.auditkeeper.streams.rules.TestEvents.nonResource;
import static io.auditkeeper.streams.rules.TestEvents.request;
import static org.assertj.core.api.Assertions.assertThat;

/** Every default rule: a request it flags and a near miss it does not. */
class DefaultRulesTest {
    static final String PHI = "phi-records";
    static final String OTHER = "web-frontend";

    private final PhiAccessClassifier classifier = new PhiAccessClassifier(RuleSet.defaults(),
            new PhiNamespaces(List.of(PHI, "clinic-*")));

    private List<String> ids(TestEvents event) {
        return classifier.classify(event.build()).ruleIds();
    }

    @Test
    void shouldShipTheEighteenDefaultRulesInOrderWhenNoUserFileIsGiven() {
        assertThat(RuleSet.defaults().ids()).containsExactly("secret-read", "secret-write", "pod-exec", "rbac-change",
                "configmap-change", "delete", "access-denied", "anonymous-access", "impersonation",
                "serviceaccount-token-request", "privileged-pod", "debug-container", "service-exposed",
                "ingress-without-tls", "role-grants-phi-access", "aggregated-clusterrole", "system-rbac-change",
                "admin-role-binding");
    }

    @Test
    void shouldDescribeEveryDefaultRuleWithSeverityAndHipaaSafeguardWhenLoaded() {
        for (Rule r : RuleSet.defaults().rules()) {
            assertThat(r.description()).as(r.id()).endsWith(".").contains("PHI");
            assertThat(r.safeguard()).as(r.id()).startsWith("164.");
            assertThat(r.severity()).as(r.id()).isNotNull();
        }
        assertThat(RuleSet.defaults().rule("access-denied").orElseThrow().scope()).isEqualTo(Scope.ANY);
        assertThat(RuleSet.defaults().rule("anonymous-access").orElseThrow().scope()).isEqualTo(Scope.ANY);
        assertThat(RuleSet.defaults().rules().stream().filter(r -> r.scope() == Scope.PHI).count()).isEqualTo(13);
        assertThat(RuleSet.defaults().rules().stream().filter(r -> r.scope() == Scope.PHI_OR_CLUSTER).map(Rule::id))
                .containsExactly("role-grants-phi-access", "aggregated-clusterrole", "system-rbac-change");
    }

    @Nested
    class SecretRead {
        @ParameterizedTest
        @ValueSource(strings = {"get", "list", "watch"})
        void shouldFlagSecretReadWhenSecretIsReadInPhiNamespace(String verb) {
            assertThat(ids(request(verb, "secrets").in(PHI))).containsExactly("secret-read");
        }

        @Test
        void shouldNotFlagSecretReadWhenSecretIsReadInNonPhiNamespace() {
            assertThat(ids(request("get", "secrets").in(OTHER).named("db-password"))).isEmpty();
        }

        @Test
        void shouldNotFlagSecretReadWhenSecretIsCreated() {
            assertThat(ids(request("create", "secrets").in(PHI))).doesNotContain("secret-read");
        }
    }

    @Nested
    class SecretWrite {
        @ParameterizedTest
        @ValueSource(strings = {"create", "update", "patch"})
        void shouldFlagSecretWriteWhenSecretChangesInPhiNamespace(String verb) {
            assertThat(ids(request(verb, "secrets").in(PHI).named("db"))).containsExactly("secret-write");
        }

        @Test
        void shouldFlagSecretWriteAndDeleteWhenSecretIsDeletedInPhiNamespace() {
            assertThat(ids(request("delete", "secrets").in(PHI).named("db"))).containsExactly("secret-write", "delete");
        }

        @Test
        void shouldNotFlagSecretWriteWhenSecretChangesInNonPhiNamespace() {
            assertThat(ids(request("update", "secrets").in(OTHER).named("db"))).isEmpty();
        }
    }

    @Nested
    class PodExec {
        @ParameterizedTest
        @ValueSource(strings = {"pods/exec", "pods/attach", "pods/portforward"})
        void shouldFlagPodExecWhenStreamingIntoPodInPhiNamespace(String resource) {
            assertThat(ids(request("create", resource).in(PHI).named("ehr-0").code(101)))
                    .containsExactly("pod-exec");
        }

        @Test
        void shouldFlagPodExecWhenExecUsesWebSocketGet() {
            assertThat(ids(request("get", "pods/exec").in("clinic-north").named("ehr-0").code(101)))
                    .containsExactly("pod-exec");
        }

        @Test
        void shouldNotFlagPodExecWhenExecIsInNonPhiNamespace() {
            assertThat(ids(request("create", "pods/exec").in(OTHER).named("web-0").code(101))).isEmpty();
        }

        @Test
        void shouldNotFlagPodExecWhenReadingPodLogs() {
            assertThat(ids(request("get", "pods/log").in(PHI).named("ehr-0"))).isEmpty();
        }
    }

    @Nested
    class RbacChange {
        @ParameterizedTest
        @ValueSource(strings = {"roles", "rolebindings"})
        void shouldFlagRbacChangeWhenRoleOrBindingIsCreatedInPhiNamespace(String resource) {
            assertThat(ids(request("create", resource).in(PHI).group("rbac.authorization.k8s.io").code(201)))
                    .containsExactly("rbac-change");
        }

        @Test
        void shouldFlagRbacChangeWhenClusterRoleBindingIsPatchedAndPhiNamespacesExist() {
            Classification c = classifier.classify(request("patch", "clusterrolebindings").named("ops-admin")
                    .group("rbac.authorization.k8s.io").build());
            assertThat(c.phiNamespace()).isTrue();
            assertThat(c.ruleIds()).containsExactly("rbac-change");
        }

        @Test
        void shouldNotFlagRbacChangeWhenRoleBindingIsOnlyRead() {
            assertThat(ids(request("get", "rolebindings").in(PHI).group("rbac.authorization.k8s.io"))).isEmpty();
        }

        @Test
        void shouldNotFlagRbacChangeWhenRoleBindingIsCreatedInNonPhiNamespace() {
            assertThat(ids(request("create", "rolebindings").in(OTHER).group("rbac.authorization.k8s.io")))
                    .isEmpty();
        }

        @Test
        void shouldNotFlagRbacChangeWhenClusterRoleIsCreated() {
            assertThat(ids(request("create", "clusterroles").named("viewer").group("rbac.authorization.k8s.io")))
                    .isEmpty();
        }

        @Test
        void shouldNotFlagRbacChangeWhenClusterRoleBindingIsCreatedWithoutPhiNamespaces() {
            PhiAccessClassifier none = new PhiAccessClassifier(RuleSet.defaults(), PhiNamespaces.none());
            assertThat(none.classify(request("create", "clusterrolebindings").named("x")
                    .group("rbac.authorization.k8s.io").build()).flagged()).isFalse();
        }

        @Test
        void shouldNotFlagRbacChangeWhenRolesOfAnotherApiGroupChange() {
            assertThat(ids(request("create", "roles").in(PHI).group("iam.example.com"))).isEmpty();
        }
    }

    @Nested
    class ConfigmapChange {
        @ParameterizedTest
        @ValueSource(strings = {"create", "update", "patch"})
        void shouldFlagConfigmapChangeWhenConfigMapChangesInPhiNamespace(String verb) {
            assertThat(ids(request(verb, "configmaps").in(PHI).named("ehr-settings")))
                    .containsExactly("configmap-change");
        }

        @Test
        void shouldNotFlagConfigmapChangeWhenConfigMapIsOnlyRead() {
            assertThat(ids(request("get", "configmaps").in(PHI).named("ehr-settings"))).isEmpty();
        }

        @Test
        void shouldNotFlagConfigmapChangeWhenConfigMapChangesInNonPhiNamespace() {
            assertThat(ids(request("update", "configmaps").in(OTHER).named("web-settings"))).isEmpty();
        }
    }

    @Nested
    class Delete {
        @Test
        void shouldFlagDeleteWhenAnythingIsDeletedInPhiNamespace() {
            assertThat(ids(request("delete", "persistentvolumeclaims").in(PHI).named("records-db")))
                    .containsExactly("delete");
            assertThat(ids(request("delete", "pods").in("clinic-south").named("ehr-1"))).containsExactly("delete");
        }

        @Test
        void shouldFlagDeleteWhenDeletecollectionRunsAcrossAllNamespaces() {
            Classification c = classifier.classify(request("deletecollection", "pods").build());
            assertThat(c.phiNamespace()).isTrue();
            assertThat(c.ruleIds()).containsExactly("delete");
        }

        @Test
        void shouldFlagDeleteWhenPhiNamespaceItselfIsDeleted() {
            // as a converted (GKE) event has it: the Namespace object's name, no objectRef.namespace
            assertThat(ids(request("delete", "namespaces").named(PHI))).containsExactly("delete");
        }

        @Test
        void shouldNotFlagDeleteWhenDeletingInNonPhiNamespace() {
            assertThat(ids(request("delete", "pods").in(OTHER).named("web-1"))).isEmpty();
        }

        @Test
        void shouldNotFlagDeleteWhenClusterScopedObjectIsDeleted() {
            assertThat(ids(request("delete", "clusterrolebindings").named("ops")
                    .group("rbac.authorization.k8s.io"))).isEmpty();
        }
    }

    @Nested
    class AccessDenied {
        @Test
        void shouldFlagAccessDeniedWhenAnswerIs403EvenOutsidePhiNamespaces() {
            Classification c = classifier.classify(request("list", "pods").in(OTHER).code(403).decision("forbid")
                    .build());
            assertThat(c.phiNamespace()).isFalse();
            assertThat(c.ruleIds()).containsExactly("access-denied");
            assertThat(c.maxSeverity()).contains(Severity.MEDIUM);
        }

        @Test
        void shouldFlagAccessDeniedWhenAuthenticationFailsWith401() {
            assertThat(ids(nonResource("get", "/api").code(401).by(null))).containsExactly("access-denied");
        }

        @Test
        void shouldFlagAccessDeniedWhenDecisionIsForbidBeforeAnyResponseCode() {
            assertThat(ids(request("get", "nodes").code(null).decision("forbid"))).containsExactly("access-denied");
        }

        @Test
        void shouldNotFlagAccessDeniedWhenObjectIsNotFound() {
            assertThat(ids(request("get", "pods").in(OTHER).named("gone").code(404))).isEmpty();
        }
    }

    @Nested
    class AnonymousAccess {
        @Test
        void shouldFlagAnonymousAccessWhenAnonymousUserReadsAnyResource() {
            assertThat(ids(request("get", "pods").in(OTHER).by("system:anonymous", "system:unauthenticated")))
                    .containsExactly("anonymous-access");
        }

        @Test
        void shouldFlagAnonymousAccessWhenCallerIsInUnauthenticatedGroup() {
            assertThat(ids(request("list", "services").in(OTHER).by("guest", "system:unauthenticated")))
                    .containsExactly("anonymous-access");
        }

        @Test
        void shouldNotFlagAnonymousAccessWhenAnonymousHealthProbeHitsLivez() {
            assertThat(ids(nonResource("get", "/livez").by("system:anonymous", "system:unauthenticated"))).isEmpty();
        }

        @Test
        void shouldNotFlagAnonymousAccessWhenUserIsAuthenticated() {
            assertThat(ids(request("get", "pods").in(OTHER).by("bob", "system:authenticated"))).isEmpty();
        }
    }

    @Nested
    class Impersonation {
        @Test
        void shouldFlagImpersonationWhenImpersonatedRequestTouchesPhiNamespace() {
            assertThat(ids(request("get", "pods").in(PHI).by("admin", "system:masters").as("dr-house")))
                    .containsExactly("impersonation");
        }

        @Test
        void shouldNotFlagImpersonationWhenImpersonatedRequestStaysOutsidePhiNamespaces() {
            assertThat(ids(request("get", "pods").in(OTHER).by("admin", "system:masters").as("dr-house"))).isEmpty();
        }

        @Test
        void shouldNotFlagImpersonationWhenNobodyIsImpersonated() {
            assertThat(ids(request("get", "pods").in(PHI))).isEmpty();
        }
    }

    @Nested
    class ServiceAccountTokenRequest {
        @Test
        void shouldFlagTokenRequestWhenUserMintsTokenForPhiServiceAccount() {
            assertThat(ids(request("create", "serviceaccounts/token").in(PHI).named("ehr-api").code(201)))
                    .containsExactly("serviceaccount-token-request");
        }

        @Test
        void shouldNotFlagTokenRequestWhenKubeletRefreshesTokenForItsPod() {
            assertThat(ids(request("create", "serviceaccounts/token").in(PHI).named("ehr-api").code(201)
                    .by("system:node:worker-3", "system:nodes", "system:authenticated"))).isEmpty();
        }

        @Test
        void shouldNotFlagTokenRequestWhenServiceAccountIsNotInPhiNamespace() {
            assertThat(ids(request("create", "serviceaccounts/token").in(OTHER).named("web").code(201))).isEmpty();
        }

        @Test
        void shouldNotFlagTokenRequestWhenServiceAccountIsOnlyRead() {
            assertThat(ids(request("get", "serviceaccounts").in(PHI).named("ehr-api"))).isEmpty();
        }
    }

    @Nested
    class PrivilegedPod {
        @ParameterizedTest
        @ValueSource(strings = {
                "{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"securityContext\":{\"privileged\":true}}]}",
                "{\"containers\":[{\"name\":\"a\"}],\"volumes\":[{\"name\":\"root\",\"hostPath\":{\"path\":\"/\"}}]}",
                "{\"containers\":[{\"name\":\"a\"}],\"hostNetwork\":true}",
                "{\"containers\":[{\"name\":\"a\"}],\"hostPID\":true}",
                "{\"containers\":[{\"name\":\"a\"}],\"hostIPC\":true}",
                "{\"containers\":[{\"name\":\"a\"}],\"initContainers\":[{\"name\":\"i\",\"securityContext\":{\"privileged\":true}}]}"
        })
        void shouldFlagPrivilegedPodWhenPodWithHostAccessIsCreatedInPhiNamespace(String spec) {
            assertThat(ids(request("create", "pods").in(PHI).code(201)
                    .body("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\"},\"spec\":" + spec + "}")))
                    .containsExactly("privileged-pod");
        }

        @Test
        void shouldFlagPrivilegedPodWhenDeploymentTemplateIsPrivileged() {
            assertThat(ids(request("create", "deployments").group("apps").in(PHI).code(201).body("""
                    {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"d"},
                     "spec":{"template":{"spec":{"containers":[{"name":"c","securityContext":{"privileged":true}}]}}}}
                    """))).containsExactly("privileged-pod");
        }

        @Test
        void shouldFlagPrivilegedPodWhenCronJobTemplateUsesHostPath() {
            assertThat(ids(request("create", "cronjobs").group("batch").in(PHI).code(201).body("""
                    {"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"backup"},
                     "spec":{"schedule":"@daily","jobTemplate":{"spec":{"template":{"spec":{
                       "containers":[{"name":"c"}],"volumes":[{"name":"h","hostPath":{"path":"/var/lib"}}]}}}}}}
                    """))).containsExactly("privileged-pod");
        }

        @Test
        void shouldFlagPrivilegedPodWhenMergePatchWithoutKindTurnsOnHostNetwork() {
            assertThat(ids(request("patch", "statefulsets").group("apps").in(PHI).named("db")
                    .body("{\"spec\":{\"template\":{\"spec\":{\"hostNetwork\":true}}}}"))).containsExactly("privileged-pod");
        }

        @Test
        void shouldFlagPrivilegedPodWhenJsonPatchAddsPrivilegedSecurityContext() {
            assertThat(ids(request("patch", "deployments").group("apps").in(PHI).named("api").body("""
                    [{"op":"add","path":"/spec/template/spec/containers/0/securityContext",
                      "value":{"privileged":true}}]
                    """))).containsExactly("privileged-pod");
            assertThat(ids(request("patch", "daemonsets").group("apps").in(PHI).named("agent").body("""
                    [{"op":"replace","path":"/spec/template/spec/hostPID","value":true}]
                    """))).containsExactly("privileged-pod");
        }

        @Test
        void shouldFlagPrivilegedPodWhenPrivilegedEphemeralContainerIsAdded() {
            assertThat(ids(request("patch", "pods/ephemeralcontainers").in(PHI).named("ehr-0").body("""
                    {"kind":"Pod","apiVersion":"v1","metadata":{"name":"ehr-0"},"spec":{"containers":[{"name":"app"}],
                     "ephemeralContainers":[{"name":"debugger","securityContext":{"privileged":true}}]}}
                    """))).containsExactly("privileged-pod", "debug-container");
        }

        @Test
        void shouldNotFlagPrivilegedPodWhenPodHasNoPrivilegedSettings() {
            assertThat(ids(request("create", "pods").in(PHI).code(201).body("""
                    {"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"hostNetwork":false,
                     "containers":[{"name":"a","securityContext":{"privileged":false,"runAsNonRoot":true}}],
                     "volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"records"}},
                                {"name":"tmp","emptyDir":{}}]}}
                    """))).isEmpty();
        }

        @Test
        void shouldNotFlagPrivilegedPodWhenPrivilegedPodIsInNonPhiNamespace() {
            assertThat(ids(request("create", "pods").in(OTHER).code(201).body(
                    "{\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"securityContext\":{\"privileged\":true}}]}}")))
                    .isEmpty();
        }

        @Test
        void shouldNotFlagPrivilegedPodWhenPodStatusIsUpdated() {
            assertThat(ids(request("update", "pods/status").in(PHI).named("p").body(
                    "{\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"securityContext\":{\"privileged\":true}}]}}")))
                    .isEmpty();
        }

        @Test
        void shouldNotFlagPrivilegedPodWhenEventIsMetadataLevelWithoutBody() {
            assertThat(ids(request("create", "pods").in(PHI).code(201))).isEmpty();
        }
    }

    @Nested
    class DebugContainer {
        private static final String DEBUG = """
                {"kind":"Pod","apiVersion":"v1","metadata":{"name":"ehr-0"},"spec":{"containers":[{"name":"app"}],
                 "ephemeralContainers":[{"name":"debugger-x7","image":"busybox","targetContainerName":"app"}]}}
                """;

        @ParameterizedTest
        @ValueSource(strings = {"patch", "update"})
        void shouldFlagDebugContainerWhenKubectlDebugAddsOneToPhiPod(String verb) {
            assertThat(ids(request(verb, "pods/ephemeralcontainers").in(PHI).named("ehr-0").body(DEBUG)))
                    .containsExactly("debug-container");
        }

        @Test
        void shouldFlagDebugContainerWhenEventIsMetadataLevelWithoutBody() {
            assertThat(ids(request("patch", "pods/ephemeralcontainers").in(PHI).named("ehr-0")))
                    .containsExactly("debug-container");
        }

        @Test
        void shouldNotFlagDebugContainerWhenPodIsInNonPhiNamespace() {
            assertThat(ids(request("patch", "pods/ephemeralcontainers").in(OTHER).named("web-0").body(DEBUG)))
                    .isEmpty();
        }

        @Test
        void shouldNotFlagDebugContainerWhenEphemeralContainersAreOnlyRead() {
            assertThat(ids(request("get", "pods/ephemeralcontainers").in(PHI).named("ehr-0"))).isEmpty();
        }
    }

    @Nested
    class ServiceExposed {
        @ParameterizedTest
        @ValueSource(strings = {"NodePort", "LoadBalancer"})
        void shouldFlagServiceExposedWhenPhiServiceIsCreatedOutsideIngress(String type) {
            assertThat(ids(request("create", "services").in(PHI).code(201).body(service(type))))
                    .containsExactly("service-exposed");
        }

        @Test
        void shouldFlagServiceExposedWhenMergePatchTurnsServiceIntoLoadBalancer() {
            assertThat(ids(request("patch", "services").in(PHI).named("ehr-api")
                    .body("{\"spec\":{\"type\":\"LoadBalancer\"}}"))).containsExactly("service-exposed");
        }

        @Test
        void shouldFlagServiceExposedWhenJsonPatchReplacesTypeWithNodePort() {
            assertThat(ids(request("patch", "services").in(PHI).named("ehr-api")
                    .body("[{\"op\":\"replace\",\"path\":\"/spec/type\",\"value\":\"NodePort\"}]")))
                    .containsExactly("service-exposed");
        }

        @Test
        void shouldNotFlagServiceExposedWhenServiceIsClusterIp() {
            assertThat(ids(request("create", "services").in(PHI).code(201).body(service("ClusterIP")))).isEmpty();
        }

        @Test
        void shouldNotFlagServiceExposedWhenNodePortServiceIsInNonPhiNamespace() {
            assertThat(ids(request("create", "services").in(OTHER).code(201).body(service("NodePort")))).isEmpty();
        }

        @Test
        void shouldNotFlagServiceExposedWhenPatchLeavesTypeAlone() {
            assertThat(ids(request("patch", "services").in(PHI).named("ehr-api")
                    .body("{\"metadata\":{\"labels\":{\"tier\":\"NodePort\"}}}"))).isEmpty();
        }

        private static String service(String type) {
            return "{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"ehr-api\"},\"spec\":{\"type\":\""
                    + type + "\",\"selector\":{\"app\":\"ehr\"},\"ports\":[{\"port\":443}]}}";
        }
    }

    @Nested
    class IngressWithoutTls {
        private static final String RULES = "\"rules\":[{\"host\":\"ehr.example.org\",\"http\":{\"paths\":[{\"path\":\"/\","
                + "\"pathType\":\"Prefix\",\"backend\":{\"service\":{\"name\":\"ehr-api\",\"port\":{\"number\":443}}}}]}}]";

        @Test
        void shouldFlagIngressWithoutTlsWhenPhiIngressHasNoTls() {
            assertThat(ids(request("create", "ingresses").group("networking.k8s.io").in(PHI).code(201)
                    .body(ingress("")))).containsExactly("ingress-without-tls");
        }

        @Test
        void shouldFlagIngressWithoutTlsWhenPatchRemovesTls() {
            assertThat(ids(request("patch", "ingresses").group("networking.k8s.io").in(PHI).named("ehr")
                    .body("[{\"op\":\"remove\",\"path\":\"/spec/tls\"}]"))).containsExactly("ingress-without-tls");
            assertThat(ids(request("patch", "ingresses").group("networking.k8s.io").in(PHI).named("ehr")
                    .body("{\"spec\":{\"tls\":null}}"))).containsExactly("ingress-without-tls");
        }

        @Test
        void shouldNotFlagIngressWithoutTlsWhenIngressHasTls() {
            assertThat(ids(request("create", "ingresses").group("networking.k8s.io").in(PHI).code(201)
                    .body(ingress("\"tls\":[{\"hosts\":[\"ehr.example.org\"],\"secretName\":\"ehr-tls\"}],"))))
                    .isEmpty();
        }

        @Test
        void shouldNotFlagIngressWithoutTlsWhenPatchDoesNotTouchTls() {
            assertThat(ids(request("patch", "ingresses").group("networking.k8s.io").in(PHI).named("ehr")
                    .body("{\"metadata\":{\"annotations\":{\"team\":\"records\"}}}"))).isEmpty();
        }

        @Test
        void shouldNotFlagIngressWithoutTlsWhenIngressIsInNonPhiNamespace() {
            assertThat(ids(request("create", "ingresses").group("networking.k8s.io").in(OTHER).code(201)
                    .body(ingress("")))).isEmpty();
        }

        private static String ingress(String tls) {
            return "{\"kind\":\"Ingress\",\"apiVersion\":\"networking.k8s.io/v1\",\"metadata\":{\"name\":\"ehr\"},"
                    + "\"spec\":{" + tls + RULES + "}}";
        }
    }

    @Nested
    class ClusterRoles {
        static final String RBAC = "rbac.authorization.k8s.io";

        @ParameterizedTest
        @ValueSource(strings = {
                "{\"apiGroups\":[\"\"],\"resources\":[\"pods/exec\"],\"verbs\":[\"create\"]}",
                "{\"apiGroups\":[\"\"],\"resources\":[\"pods/attach\"],\"verbs\":[\"get\"]}",
                "{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"verbs\":[\"list\"]}",
                "{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}",
                "{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"verbs\":[\"*\"]}"
        })
        void shouldFlagRoleGrantsPhiAccessWhenClusterRoleAllowsExecOrSecretRead(String rule) {
            Classification c = classifier.classify(request("create", "clusterroles").group(RBAC).code(201)
                    .body(clusterRole("pod-debugger", "{}", rule)).build());
            assertThat(c.ruleIds()).containsExactly("role-grants-phi-access");
            assertThat(c.phiNamespace()).as("a ClusterRole is in no namespace").isFalse();
        }

        @Test
        void shouldFlagRoleGrantsPhiAccessWhenRoleInPhiNamespaceAllowsExec() {
            assertThat(ids(request("create", "roles").group(RBAC).in(PHI).code(201).body(
                    clusterRole("exec", "{}", "{\"apiGroups\":[\"\"],\"resources\":[\"pods/exec\"],\"verbs\":[\"create\"]}")
                            .replace("ClusterRole", "Role"))))
                    .containsExactly("rbac-change", "role-grants-phi-access");
        }

        @Test
        void shouldFlagRoleGrantsPhiAccessWhenJsonPatchAddsSecretReadRule() {
            assertThat(ids(request("patch", "clusterroles").group(RBAC).named("monitoring").body("""
                    [{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}}]
                    """))).containsExactly("role-grants-phi-access");
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "{\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"pods/log\"],\"verbs\":[\"get\",\"list\",\"watch\"]}",
                "{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"verbs\":[\"create\",\"delete\"]}",
                "{\"apiGroups\":[\"apps\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}",
                "{\"nonResourceURLs\":[\"/metrics\"],\"verbs\":[\"get\"]}"
        })
        void shouldNotFlagRoleGrantsPhiAccessWhenClusterRoleAllowsNeitherExecNorSecretRead(String rule) {
            assertThat(ids(request("create", "clusterroles").group(RBAC).code(201)
                    .body(clusterRole("pod-reader", "{}", rule)))).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"system:serviceaccount:kube-system:clusterrole-aggregation-controller",
                "system:apiserver"})
        void shouldNotFlagRoleGrantsPhiAccessWhenKubernetesRewritesBuiltInEditRole(String user) {
            assertThat(ids(request("update", "clusterroles").group(RBAC).named("edit").by(user, "system:authenticated")
                    .body(clusterRole("edit", "{}", "{\"apiGroups\":[\"\"],\"resources\":[\"pods/exec\","
                            + "\"secrets\"],\"verbs\":[\"create\",\"get\",\"list\"]}")))).isEmpty();
        }

        @Test
        void shouldNotFlagRoleGrantsPhiAccessWhenRoleIsInNonPhiNamespace() {
            assertThat(ids(request("create", "roles").group(RBAC).in(OTHER).code(201).body(
                    clusterRole("exec", "{}", "{\"apiGroups\":[\"\"],\"resources\":[\"pods/exec\"],\"verbs\":[\"create\"]}")
                            .replace("ClusterRole", "Role"))))
                    .isEmpty();
        }

        @Test
        void shouldNotFlagClusterScopedRulesWhenNoPhiNamespaceIsConfigured() {
            PhiAccessClassifier none = new PhiAccessClassifier(RuleSet.defaults(), PhiNamespaces.none());
            assertThat(none.classify(request("create", "clusterroles").group(RBAC).code(201).body(clusterRole("all",
                    "{\"rbac.authorization.k8s.io/aggregate-to-edit\":\"true\"}",
                    "{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}")).build()).flagged()).isFalse();
        }

        @ParameterizedTest
        @ValueSource(strings = {"view", "edit", "admin"})
        void shouldFlagAggregatedClusterroleWhenLabelAggregatesIntoBuiltInRole(String role) {
            assertThat(ids(request("create", "clusterroles").group(RBAC).code(201).body(clusterRole("crd-viewer",
                    "{\"rbac.authorization.k8s.io/aggregate-to-" + role + "\":\"true\"}",
                    "{\"apiGroups\":[\"example.com\"],\"resources\":[\"widgets\"],\"verbs\":[\"get\"]}"))))
                    .containsExactly("aggregated-clusterrole");
        }

        @Test
        void shouldFlagAggregatedClusterroleWhenJsonPatchAddsTheLabel() {
            assertThat(ids(request("patch", "clusterroles").group(RBAC).named("crd-viewer").body("""
                    [{"op":"add","path":"/metadata/labels/rbac.authorization.k8s.io~1aggregate-to-admin","value":"true"}]
                    """))).containsExactly("aggregated-clusterrole");
        }

        @Test
        void shouldNotFlagAggregatedClusterroleWhenLabelIsFalseOrOther() {
            assertThat(ids(request("create", "clusterroles").group(RBAC).code(201).body(clusterRole("crd-viewer",
                    "{\"rbac.authorization.k8s.io/aggregate-to-view\":\"false\",\"team\":\"records\"}",
                    "{\"apiGroups\":[\"example.com\"],\"resources\":[\"widgets\"],\"verbs\":[\"get\"]}")))).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"update", "patch", "delete"})
        void shouldFlagSystemRbacChangeWhenBuiltInClusterRoleIsChanged(String verb) {
            assertThat(ids(request(verb, "clusterroles").group(RBAC).named("system:node")))
                    .contains("system-rbac-change");
        }

        @Test
        void shouldFlagSystemRbacChangeWhenBuiltInClusterRoleBindingIsDeleted() {
            assertThat(ids(request("delete", "clusterrolebindings").group(RBAC).named("system:public-info-viewer")))
                    .containsExactly("system-rbac-change");
        }

        @Test
        void shouldNotFlagSystemRbacChangeWhenApiserverReconcilesBuiltInRoles() {
            assertThat(ids(request("update", "clusterroles").group(RBAC).named("system:node")
                    .by("system:apiserver", "system:masters", "system:authenticated"))).isEmpty();
        }

        @Test
        void shouldNotFlagSystemRbacChangeWhenOwnClusterRoleIsChanged() {
            assertThat(ids(request("update", "clusterroles").group(RBAC).named("ops:system-viewer"))).isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"cluster-admin", "admin", "edit"})
        void shouldFlagAdminRoleBindingWhenClusterRoleBindingGrantsAdminRole(String role) {
            Classification c = classifier.classify(request("create", "clusterrolebindings").group(RBAC).code(201)
                    .body(binding("ClusterRoleBinding", role)).build());
            assertThat(c.ruleIds()).containsExactly("rbac-change", "admin-role-binding");
            assertThat(c.maxSeverity()).contains(Severity.CRITICAL);
        }

        @Test
        void shouldFlagAdminRoleBindingWhenRoleBindingInPhiNamespaceGrantsEdit() {
            assertThat(ids(request("create", "rolebindings").group(RBAC).in(PHI).code(201)
                    .body(binding("RoleBinding", "edit")))).containsExactly("rbac-change", "admin-role-binding");
        }

        @Test
        void shouldNotFlagAdminRoleBindingWhenBindingGrantsView() {
            assertThat(ids(request("create", "clusterrolebindings").group(RBAC).code(201)
                    .body(binding("ClusterRoleBinding", "view")))).containsExactly("rbac-change");
        }

        @Test
        void shouldNotFlagAdminRoleBindingWhenRoleBindingIsInNonPhiNamespace() {
            assertThat(ids(request("create", "rolebindings").group(RBAC).in(OTHER).code(201)
                    .body(binding("RoleBinding", "admin")))).isEmpty();
        }

        static String clusterRole(String name, String labels, String rule) {
            return "{\"kind\":\"ClusterRole\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":{\"name\":\""
                    + name + "\",\"labels\":" + labels + "},\"rules\":[" + rule + "]}";
        }

        static String binding(String kind, String role) {
            return "{\"kind\":\"" + kind + "\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":"
                    + "{\"name\":\"contractor-" + role + "\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
                    + "\"kind\":\"ClusterRole\",\"name\":\"" + role + "\"},\"subjects\":[{\"kind\":\"User\","
                    + "\"name\":\"mallory@contractor.example\"}]}";
        }
    }

    @Test
    void shouldGiveAllIdsInRuleOrderAndHighestSeverityWhenSeveralRulesMatch() {
        AuditEvent e = request("create", "pods/exec").in(PHI).named("ehr-0").by("admin", "system:masters")
                .as("nurse-7").code(403).decision("forbid").build();
        Classification c = classifier.classify(e);
        assertThat(c.ruleIds()).containsExactly("pod-exec", "access-denied", "impersonation");
        assertThat(c.flagged()).isTrue();
        assertThat(c.maxSeverity()).contains(Severity.CRITICAL);
        assertThat(c.toPhi()).satisfies(phi -> {
            assertThat(phi.namespace()).isTrue();
            assertThat(phi.flagged()).isTrue();
            assertThat(phi.rules()).containsExactly("pod-exec", "access-denied", "impersonation");
            assertThat(phi.severity()).isEqualTo("critical");
        });
    }

    @Test
    void shouldGiveHighAsMaxSeverityWhenSecretWriteAndDeleteMatch() {
        Classification c = classifier.classify(request("delete", "secrets").in(PHI).named("db").build());
        assertThat(c.ruleIds()).containsExactly("secret-write", "delete");
        assertThat(c.maxSeverity()).contains(Severity.HIGH);
    }
}
