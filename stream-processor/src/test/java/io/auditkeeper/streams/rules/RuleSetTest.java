package io.auditkeeper.streams.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.auditkeeper.streams.rules.TestEvents.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** User rule files: override, disable, add; and what an invalid file says. */
class RuleSetTest {
    @TempDir
    Path dir;

    /** The user file's name, as messages start with it. */
    private String f() {
        return dir.resolve("my-rules.yaml").toString();
    }

    private Path file(String yaml) throws IOException {
        Path p = dir.resolve("my-rules.yaml");
        Files.writeString(p, yaml, StandardCharsets.UTF_8);
        return p;
    }

    private RuleFileException error(String yaml) throws IOException {
        Path p = file(yaml);
        try {
            RuleSet.load(p);
        } catch (RuleFileException e) {
            assertThat(e.getMessage()).as("names the file").contains(p.toString());
            assertThat(e.source()).isEqualTo(p.toString());
            return e;
        }
        throw new AssertionError("no RuleFileException for:\n" + yaml);
    }

    private static PhiAccessClassifier classifier(RuleSet rules) {
        return new PhiAccessClassifier(rules, new PhiNamespaces(List.of("phi-records")));
    }

    @Test
    void shouldReplaceDefaultRuleInItsPlaceWhenUserFileReusesItsId() throws IOException {
        RuleSet rules = RuleSet.load(file("""
                rules:
                  - id: secret-read
                    description: Any secret read in a PHI namespace is critical here.
                    severity: critical
                    safeguard: "164.312(a)(1) Access control"
                    match:
                      verbs: [get, list, watch]
                      resources: [secrets]
                """));
        assertThat(rules.ids()).isEqualTo(RuleSet.defaults().ids());
        Rule r = rules.rule("secret-read").orElseThrow();
        assertThat(r.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(r.scope()).isEqualTo(Scope.PHI);
        assertThat(classifier(rules).classify(request("get", "secrets").in("phi-records").build()).maxSeverity())
                .contains(Severity.CRITICAL);
    }

    @Test
    void shouldDisableDefaultRuleWhenUserFileSetsEnabledFalse() throws IOException {
        RuleSet rules = RuleSet.load(file("""
                rules:
                  - id: delete
                    enabled: false
                  - {id: configmap-change, enabled: false}
                """));
        assertThat(rules.ids()).doesNotContain("delete", "configmap-change")
                .hasSize(RuleSet.defaults().ids().size() - 2);
        assertThat(classifier(rules).classify(request("delete", "pods").in("phi-records").named("p").build())
                .flagged()).isFalse();
    }

    @Test
    void shouldAddRuleAfterDefaultsWhenUserFileHasNewId() throws IOException {
        RuleSet rules = RuleSet.load(file("""
                rules:
                  - id: phi-pod-logs
                    description: Container logs of PHI workloads may print patient data.
                    severity: low
                    safeguard: "164.312(b) Audit controls"
                    scope: phi
                    match:
                      verbs: [get]
                      resources: [pods/log]
                      apiGroups: [core]
                  - id: break-glass
                    description: The break-glass account was used anywhere, PHI or not.
                    severity: critical
                    safeguard: "164.312(a)(2)(ii) Emergency access procedure"
                    scope: any
                    anyOf:
                      - usernames: [break-glass@example.org]
                      - groups: [break-glass]
                    unless:
                      - verbs: [get]
                        resourceRequest: false
                """));
        assertThat(rules.ids()).hasSize(RuleSet.defaults().ids().size() + 2).endsWith("phi-pod-logs", "break-glass");
        PhiAccessClassifier c = classifier(rules);
        assertThat(c.classify(request("get", "pods/log").in("phi-records").named("ehr").build()).ruleIds())
                .containsExactly("phi-pod-logs");
        assertThat(c.classify(request("get", "pods").in("web").by("break-glass@example.org").build()).ruleIds())
                .containsExactly("break-glass");
        assertThat(c.classify(TestEvents.nonResource("get", "/version").by("x", "break-glass").build()).flagged())
                .isFalse();
    }

    @Test
    void shouldChangeNothingWhenUserFileIsEmpty() throws IOException {
        assertThat(RuleSet.load(file("# nothing here yet\n")).ids()).isEqualTo(RuleSet.defaults().ids());
        assertThat(RuleSet.load(file("rules: []\n")).ids()).isEqualTo(RuleSet.defaults().ids());
    }

    @Test
    void shouldMatchResourceWildcardsLikeRbacWhenRuleUsesThem() {
        RuleSet rules = RuleSet.only("test.yaml", """
                rules:
                  - id: pod-subresources
                    description: Any pod subresource.
                    severity: low
                    safeguard: "164.312(b) Audit controls"
                    scope: any
                    match: {resources: ["pods/*"]}
                  - id: any-status
                    description: Any status subresource.
                    severity: low
                    safeguard: "164.312(b) Audit controls"
                    scope: any
                    match: {resources: ["*/status"], verbs: ["*"]}
                """.getBytes(StandardCharsets.UTF_8));
        PhiAccessClassifier c = new PhiAccessClassifier(rules, PhiNamespaces.none());
        assertThat(c.classify(request("get", "pods/log").in("a").build()).ruleIds()).containsExactly("pod-subresources");
        assertThat(c.classify(request("update", "pods/status").in("a").build()).ruleIds())
                .containsExactly("pod-subresources", "any-status");
        assertThat(c.classify(request("get", "pods").in("a").build()).flagged()).isFalse();
        assertThat(c.classify(request("update", "deployments/status").in("a").build()).ruleIds())
                .containsExactly("any-status");
    }

    @Test
    void shouldMatchClusterScopedObjectsAndPhiNamespacesWhenScopeIsPhiOrCluster() {
        RuleSet rules = RuleSet.only("test.yaml", """
                rules:
                  - id: crd-change
                    description: A change to a CRD or to anything named like a PHI database.
                    severity: medium
                    safeguard: "164.312(c)(1) Integrity"
                    scope: phi-or-cluster
                    anyOf:
                      - verbs: [update]
                        resources: [customresourcedefinitions]
                      - names: ["ehr-db-*", "records"]
                """.getBytes(StandardCharsets.UTF_8));
        PhiAccessClassifier c = classifier(rules);
        Classification crd = c.classify(request("update", "customresourcedefinitions").named("widgets.example.com")
                .group("apiextensions.k8s.io").build());
        assertThat(crd.ruleIds()).containsExactly("crd-change");
        assertThat(crd.phiNamespace()).isFalse();
        assertThat(c.classify(request("get", "pods").in("phi-records").named("ehr-db-0").build()).ruleIds())
                .containsExactly("crd-change");
        assertThat(c.classify(request("get", "pods").in("web").named("ehr-db-0").build()).flagged())
                .as("a namespaced object outside the PHI namespaces").isFalse();
        assertThat(c.classify(request("get", "nodes").named("records").build()).ruleIds()).containsExactly("crd-change");
        PhiAccessClassifier gets = classifier(RuleSet.only("test.yaml", """
                rules:
                  - id: cluster-get
                    description: Any get outside a namespace.
                    severity: low
                    safeguard: "164.312(b) Audit controls"
                    scope: phi-or-cluster
                    match: {verbs: [get]}
                """.getBytes(StandardCharsets.UTF_8)));
        assertThat(gets.classify(request("get", "nodes").named("worker-1").build()).flagged()).isTrue();
        assertThat(gets.classify(TestEvents.nonResource("get", "/version").build()).flagged())
                .as("a non-resource URL is no cluster-scoped object").isFalse();
        assertThat(new PhiAccessClassifier(rules, PhiNamespaces.none())
                .classify(request("get", "nodes").named("records").build()).flagged())
                .as("no PHI namespace configured").isFalse();
    }

    @Test
    void shouldFlagClusterRoleChangesOnlyWithPhiOrClusterScopeWhenUserAddsClusterroles() {
        RuleSet rules = RuleSet.only("test.yaml", """
                rules:
                  - id: rbac-change
                    description: The old advice, clusterroles in rbac-change.
                    severity: high
                    safeguard: "164.308(a)(4) Information access management"
                    match:
                      verbs: [create, update, patch, delete, deletecollection]
                      resources: [roles, rolebindings, clusterroles]
                      apiGroups: [rbac.authorization.k8s.io]
                  - id: clusterrole-change
                    description: Any ClusterRole change, since a RoleBinding in a PHI namespace may bind it.
                    severity: medium
                    safeguard: "164.308(a)(4) Information access management"
                    scope: phi-or-cluster
                    match:
                      verbs: [create, update, patch, delete, deletecollection]
                      resources: [clusterroles]
                      apiGroups: [rbac.authorization.k8s.io]
                """.getBytes(StandardCharsets.UTF_8));
        Classification c = classifier(rules).classify(request("patch", "clusterroles").named("edit-widgets")
                .group("rbac.authorization.k8s.io").build());
        assertThat(c.ruleIds()).as("a ClusterRole is in no PHI namespace").containsExactly("clusterrole-change");
    }

    @Test
    void shouldMatchBoundRoleWhenRuleNamesRoleRefs() {
        RuleSet rules = RuleSet.only("test.yaml", """
                rules:
                  - id: db-admin-bound
                    description: The database admin role was bound in a PHI namespace.
                    severity: high
                    safeguard: "164.308(a)(4) Information access management"
                    match:
                      resources: [rolebindings]
                      roleRefs: [db-admin]
                """.getBytes(StandardCharsets.UTF_8));
        PhiAccessClassifier c = classifier(rules);
        String body = "{\"kind\":\"RoleBinding\",\"roleRef\":{\"kind\":\"Role\",\"name\":\"%s\"},\"subjects\":[]}";
        assertThat(c.classify(request("create", "rolebindings").in("phi-records").body(body.formatted("db-admin"))
                .build()).ruleIds()).containsExactly("db-admin-bound");
        assertThat(c.classify(request("create", "rolebindings").in("phi-records").body(body.formatted("db-reader"))
                .build()).flagged()).isFalse();
    }

    // ---- validation: every message names the file, the rule and the field ----

    @Test
    void shouldNameTraitWhenRequestObjectTraitIsUnknown() throws IOException {
        RuleFileException e = error("""
                rules:
                  - id: r1
                    description: d.
                    severity: low
                    safeguard: "164.312(b) Audit controls"
                    scope: phi-or-cluster
                    match: {resources: [services], requestObject: [nodeport], names: [], roleRefs: admin}
                """);
        assertThat(e.problems()).containsExactly(
                f() + ": rule 'r1', field 'match.names': must not be empty (leave the condition out to match any value)",
                f() + ": rule 'r1', field 'match.requestObject[0]': unknown request object trait 'nodeport' (expected "
                        + "one of nodePortService, loadBalancerService, ingressWithoutTls, aggregatedRole, "
                        + "grantsPodExec, grantsSecretRead)",
                f() + ": rule 'r1', field 'match.roleRefs': must be a list of strings, not a string");
    }

    @Test
    void shouldNameRuleAndFieldWhenFieldIsUnknown() throws IOException {
        RuleFileException e = error("""
                rules:
                  - id: secret-read
                    description: d.
                    severity: high
                    safegaurd: "164.312(b)"
                    match: {resources: [secrets]}
                """);
        assertThat(e.getMessage()).contains("rule 'secret-read', field 'safegaurd': unknown field")
                .contains("rule 'secret-read', field 'safeguard': missing");
        assertThat(e.problems()).hasSize(2);
    }

    @Test
    void shouldNameRulePositionWhenIdIsMissing() throws IOException {
        RuleFileException e = error("""
                rules:
                  - id: ok-rule
                    description: d.
                    severity: low
                    safeguard: "164.312(b) Audit controls"
                    match: {verbs: [get]}
                  - description: no id here.
                    severity: low
                    safeguard: "164.312(b) Audit controls"
                    match: {verbs: [get]}
                """);
        assertThat(e.getMessage()).isEqualTo(f() + ": rule #2 (no id), field 'id': missing or blank");
    }

    @Test
    void shouldNameFieldWhenDescriptionIsBlankOrSeverityMissing() throws IOException {
        RuleFileException e = error("""
                rules:
                  - id: r1
                    description: "  "
                    safeguard: "164.312(b) Audit controls"
                    match: {verbs: [get]}
                """);
        assertThat(e.problems()).containsExactly(
                f() + ": rule 'r1', field 'description': must not be blank",
                f() + ": rule 'r1', field 'severity': missing");
        assertThat(e.getMessage()).startsWith("rule file " + f() + " has 2 problems:");
    }

    @Test
    void shouldNameRuleWhenSeverityOrScopeIsUnknown() throws IOException {
        RuleFileException e = error("""
                rules:
                  - id: r1
                    description: d.
                    severity: hgh
                    safeguard: "164.312(b) Audit controls"
                    scope: cluster
                    match: {verbs: [get]}
                """);
        assertThat(e.getMessage())
                .contains("rule 'r1', field 'severity': unknown severity 'hgh' (expected one of low, medium, high, critical)")
                .contains("rule 'r1', field 'scope': unknown scope 'cluster' (expected phi, phi-or-cluster or any)");
    }

    @Test
    void shouldNameFieldPathWhenConditionHasWrongType() throws IOException {
        RuleFileException e = error("""
                rules:
                  - id: r1
                    description: d.
                    severity: low
                    safeguard: "164.312(b) Audit controls"
                    anyOf:
                      - verbs: get
                      - responseCodes: ["403", 99]
                        impersonated: "yes"
                """);
        assertThat(e.problems()).containsExactly(
                f() + ": rule 'r1', field 'anyOf[0].verbs': must be a list of strings, not a string",
                f() + ": rule 'r1', field 'anyOf[1].responseCodes[0]': must be an HTTP status code (an integer from 100 to 599), not a string",
                f() + ": rule 'r1', field 'anyOf[1].responseCodes[1]': must be an HTTP status code (an integer from 100 to 599), not '99'",
                f() + ": rule 'r1', field 'anyOf[1].impersonated': must be true or false, not a string");
    }

    @Test
    void shouldNameVerbWhenVerbIsUnknown() throws IOException {
        RuleFileException e = error("""
                rules:
                  - id: r1
                    description: d.
                    severity: low
                    safeguard: "164.312(b) Audit controls"
                    match: {verbs: [get, delte], resources: [Secrets]}
                """);
        assertThat(e.getMessage())
                .contains("rule 'r1', field 'match.verbs[1]': unknown verb 'delte'")
                .contains("rule 'r1', field 'match.resources[0]': invalid resource 'Secrets'");
    }

    @Test
    void shouldRefuseEmptyMatchWhenBlockHasNoCondition() throws IOException {
        RuleFileException e = error("""
                rules:
                  - id: everything
                    description: d.
                    severity: low
                    safeguard: "164.312(b) Audit controls"
                    match: {}
                """);
        assertThat(e.getMessage()).contains("rule 'everything', field 'match': empty match: give at least one condition");
    }

    @Test
    void shouldRefuseRuleWithoutMatchOrWithBoth() throws IOException {
        assertThat(error("""
                rules:
                  - {id: r1, description: d., severity: low, safeguard: "164.312(b)"}
                """).getMessage()).contains("rule 'r1', field 'match': missing: a rule needs 'match'");
        assertThat(error("""
                rules:
                  - {id: r1, description: d., severity: low, safeguard: "164.312(b)", match: {verbs: [get]},
                     anyOf: [{verbs: [list]}]}
                """).getMessage()).contains("rule 'r1', field 'match': give either 'match' (one block) or 'anyOf'");
    }

    @Test
    void shouldNameBothPositionsWhenIdIsDuplicated() throws IOException {
        RuleFileException e = error("""
                rules:
                  - {id: twice, description: d., severity: low, safeguard: "164.312(b)", match: {verbs: [get]}}
                  - {id: twice, description: d., severity: low, safeguard: "164.312(b)", match: {verbs: [list]}}
                """);
        assertThat(e.getMessage()).endsWith(": rule 'twice', field 'id': duplicate id: rule #1 in this file has the same id");
    }

    @Test
    void shouldRefuseDisablingWhenIdIsNoRule() throws IOException {
        RuleFileException e = error("""
                rules:
                  - {id: secert-read, enabled: false}
                """);
        assertThat(e.getMessage()).contains("rule 'secert-read', field 'enabled': no rule with this id to disable")
                .contains("secret-read");
    }

    @Test
    void shouldNameLineWithoutEchoingContentWhenYamlIsMalformed() throws IOException {
        RuleFileException e = error("""
                rules:
                  - id: r1
                    description: "token s3cr3t-pa55word
                    severity: low
                """);
        assertThat(e.getMessage()).contains("malformed YAML at line").doesNotContain("s3cr3t");
        RuleFileException tabs = error("rules:\n\t- id: leaked-value-123\n");
        assertThat(tabs.getMessage()).contains("malformed YAML").doesNotContain("leaked-value-123");
    }

    @Test
    void shouldRefuseDuplicateKeyWhenRuleRepeatsAField() throws IOException {
        RuleFileException e = error("""
                rules:
                  - id: r1
                    description: d.
                    severity: low
                    severity: high
                    safeguard: "164.312(b)"
                    match: {verbs: [get]}
                """);
        assertThat(e.getMessage()).contains("malformed YAML at line 5").contains("duplicate field 'severity'");
    }

    @Test
    void shouldRefuseFileWhenTopLevelIsNotRulesMapping() throws IOException {
        assertThat(error("- id: r1\n").getMessage()).contains("the file must be a mapping with a 'rules' list, not a list");
        assertThat(error("rule:\n  - id: r1\n").getMessage()).contains("field 'rule': unknown field (allowed: rules)");
        assertThat(error("rules: {id: r1}\n").getMessage()).contains("field 'rules': must be a list of rules, not a mapping");
    }

    @Test
    void shouldNameFileWhenItCannotBeRead() {
        Path missing = dir.resolve("absent.yaml");
        assertThatThrownBy(() -> RuleSet.load(missing)).isInstanceOf(RuleFileException.class)
                .hasMessage(missing + ": cannot read the rule file (NoSuchFileException)");
    }

    @Test
    void shouldNotEchoValuesWhenTypeIsWrong() throws IOException {
        RuleFileException e = error("""
                rules:
                  - id: r1
                    description: {password: hunter2}
                    severity: low
                    safeguard: "164.312(b)"
                    match: {usernames: [{token: abc123}]}
                """);
        assertThat(e.getMessage()).contains("field 'description': must be a string, not a mapping")
                .contains("field 'match.usernames[0]': must be a string, not a mapping")
                .doesNotContain("hunter2").doesNotContain("abc123");
    }
}
