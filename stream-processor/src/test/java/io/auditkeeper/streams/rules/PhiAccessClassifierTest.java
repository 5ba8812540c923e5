package io.auditkeeper.streams.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.auditkeeper.streams.rules.TestEvents.nonResource;
import static io.auditkeeper.streams.rules.TestEvents.request;
import static org.assertj.core.api.Assertions.assertThat;

/** PHI namespaces, globs, and requests without a namespace that reach into them. */
class PhiAccessClassifierTest {
    private final PhiAccessClassifier phi = new PhiAccessClassifier(RuleSet.defaults(),
            new PhiNamespaces(List.of("phi-records", "clinic-*", "ward-?")));
    private final PhiAccessClassifier noPhi = new PhiAccessClassifier(RuleSet.defaults(), PhiNamespaces.none());

    @Test
    void shouldFlagSecretReadWhenSecretsAreListedAcrossAllNamespacesAndPhiIsConfigured() {
        Classification c = phi.classify(request("list", "secrets").build());
        assertThat(c.phiNamespace()).isTrue();
        assertThat(c.ruleIds()).containsExactly("secret-read");
    }

    @Test
    void shouldFlagSecretReadWhenSecretsAreWatchedAcrossAllNamespaces() {
        assertThat(phi.classify(request("watch", "secrets").build()).ruleIds()).containsExactly("secret-read");
    }

    @Test
    void shouldNotFlagSecretReadWhenSecretsAreListedAcrossAllNamespacesButNoPhiNamespaceIsConfigured() {
        Classification c = noPhi.classify(request("list", "secrets").build());
        assertThat(c.phiNamespace()).isFalse();
        assertThat(c.flagged()).isFalse();
        assertThat(c.maxSeverity()).isEmpty();
    }

    @Test
    void shouldNotReachPhiWhenListingClusterScopedNodes() {
        Classification c = phi.classify(request("list", "nodes").build());
        assertThat(c.phiNamespace()).isFalse();
        assertThat(c.flagged()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"list,persistentvolumes", "watch,namespaces", "list,clusterroles", "watch,storageclasses",
            "list,customresourcedefinitions", "deletecollection,clusterrolebindings"})
    void shouldNotReachPhiWhenCollectionIsClusterScoped(String verb, String resource) {
        assertThat(phi.classify(request(verb, resource).build()).phiNamespace()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"list,pods", "watch,configmaps", "list,persistentvolumeclaims", "watch,lokistacks"})
    void shouldReachPhiWhenNamespacedCollectionIsReadAcrossAllNamespaces(String verb, String resource) {
        assertThat(phi.classify(request(verb, resource).build()).phiNamespace()).isTrue();
    }

    @Test
    void shouldNotReachPhiWhenSingleClusterScopedObjectIsRead() {
        assertThat(phi.classify(request("get", "clusterrolebindings").named("ops").build()).phiNamespace()).isFalse();
    }

    @Test
    void shouldNeverTreatNonResourceUrlAsPhiWhenPhiIsConfigured() {
        Classification c = phi.classify(nonResource("get", "/metrics").build());
        assertThat(c.phiNamespace()).isFalse();
        assertThat(c.flagged()).isFalse();
        assertThat(c.toPhi().rules()).isNull();
        assertThat(c.toPhi().severity()).isNull();
    }

    @ParameterizedTest
    @CsvSource({"phi-records,true", "phi-records-old,false", "clinic-north,true", "clinic-,true", "clinic,false",
            "ward-a,true", "ward-ab,false", "web,false"})
    void shouldMatchExactNamesAndGlobsWhenNamespaceIsChecked(String namespace, boolean expected) {
        assertThat(phi.classify(request("get", "secrets").in(namespace).build()).phiNamespace()).isEqualTo(expected);
        // the second look comes from the cache and must agree
        assertThat(phi.isPhiNamespace(namespace)).isEqualTo(expected);
    }

    @Test
    void shouldFlagSecretReadWhenNamespaceMatchesGlob() {
        assertThat(phi.classify(request("get", "secrets").in("clinic-east").named("db").build()).ruleIds())
                .containsExactly("secret-read");
    }

    @Test
    void shouldTreatNamespaceObjectAsInItselfWhenObjectRefHasOnlyItsName() {
        assertThat(phi.classify(request("get", "namespaces").named("ward-b").build()).phiNamespace()).isTrue();
        assertThat(phi.classify(request("get", "namespaces").named("web").build()).phiNamespace()).isFalse();
    }

    @Test
    void shouldReachPhiWhenClusterRoleBindingIsCreatedButNotWhenDeleted() {
        assertThat(phi.classify(request("create", "clusterrolebindings").named("x")
                .group("rbac.authorization.k8s.io").build()).phiNamespace()).isTrue();
        assertThat(phi.classify(request("delete", "clusterrolebindings").named("x")
                .group("rbac.authorization.k8s.io").build()).phiNamespace()).isFalse();
    }

    @Test
    void shouldReturnUnflaggedPhiClassificationWhenNoRuleMatchesInPhiNamespace() {
        Classification c = phi.classify(request("get", "pods").in("phi-records").named("ehr-0").build());
        assertThat(c.phiNamespace()).isTrue();
        assertThat(c.flagged()).isFalse();
        assertThat(c.ruleIds()).isEmpty();
        assertThat(c.toPhi().namespace()).isTrue();
        assertThat(c.toPhi().flagged()).isFalse();
        assertThat(c.toPhi().rules()).isNull();
        assertThat(c.toPhi().severity()).isNull();
    }

    @Test
    void shouldNotThrowWhenEventHasAlmostNoFields() {
        var bare = new io.auditkeeper.model.AuditEvent(null, null, null, null, null, null, null, null, null, null,
                null, new io.auditkeeper.model.AuditEvent.ObjectReference(null, null, null, null, null, null, null,
                null), null, null, null, null, null, null);
        assertThat(phi.classify(bare).flagged()).isFalse();
        var empty = new io.auditkeeper.model.AuditEvent(null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null);
        assertThat(phi.classify(empty).phiNamespace()).isFalse();
    }

    @Test
    void shouldRunEveryRuleWhenScopeIsAnyAndNothingIsPhi() {
        assertThat(noPhi.classify(request("get", "secrets").in("phi-records").code(403).build()).ruleIds())
                .containsExactly("access-denied");
    }
}
