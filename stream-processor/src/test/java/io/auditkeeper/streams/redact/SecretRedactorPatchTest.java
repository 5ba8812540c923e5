package io.auditkeeper.streams.redact;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.auditkeeper.streams.redact.SecretRedactor.REDACTED;
import static io.auditkeeper.streams.redact.TestEvents.PHI;
import static io.auditkeeper.streams.redact.TestEvents.assertNowhere;
import static io.auditkeeper.streams.redact.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

class SecretRedactorPatchTest {
    private static final String LAST_APPLIED = "kubectl.kubernetes.io~1last-applied-configuration";

    private final SecretRedactor redactor = SecretRedactor.defaults(PHI);

    /** An event around a patch body; the shape follows the kubectl patch events in the corpus (events.ndjson 67). */
    private static String patchEvent(String resource, String namespace, String query, String requestObject) {
        return """
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"5c9e1a3f-7b24-4d68-a0e2-b4d6f8a0c193",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/NS/RES/ehr-db?QUERY","verb":"patch",
                 "user":{"username":"alice@example.org","groups":["ehr-admins","system:authenticated"]},"sourceIPs":["10.20.0.7"],
                 "userAgent":"kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
                 "objectRef":{"resource":"RES","namespace":"NS","name":"ehr-db","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":200},
                 "requestObject":BODY,
                 "requestReceivedTimestamp":"2024-05-02T12:00:00.000000Z","stageTimestamp":"2024-05-02T12:00:00.006000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """.replace("RES", resource).replace("NS", namespace).replace("QUERY", query).replace("BODY", requestObject);
    }

    @Test
    void shouldRedactValuesWhenSecretIsMergePatched() {
        ObjectNode e = event(patchEvent("secrets", "default", "fieldManager=kubectl-patch",
                """
                {"data":{"password":"bWVyZ2UtU2VjcjN0"},"stringData":{"pin":"merge-pin-4242"},"metadata":{"labels":{"rotated":"2024-05-02"}}}
                """));

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly("/requestObject/data/password", "/requestObject/stringData/pin");
        assertThat(e.at("/requestObject/metadata/labels/rotated").textValue()).isEqualTo("2024-05-02");
        assertNowhere(e, "bWVyZ2UtU2VjcjN0", "merge-pin-4242");
    }

    @Test
    void shouldRedactDataAndLastAppliedWhenKubectlApplySendsStrategicMergePatch() {
        ObjectNode e = event(patchEvent("secrets", "patients-prod", "fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
                """
                {"data":{"password":"c21wLVNlY3IzdA==","$patch":"replace"},"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":
                  "{\\"apiVersion\\":\\"v1\\",\\"data\\":{\\"password\\":\\"c21wLVNlY3IzdA==\\"},\\"kind\\":\\"Secret\\",\\"metadata\\":{\\"annotations\\":{},\\"name\\":\\"ehr-db\\",\\"namespace\\":\\"patients-prod\\"}}\\n"}}}
                """));

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly(
                "/requestObject/data/password",
                "/requestObject/data/$patch",
                "/requestObject/metadata/annotations/" + LAST_APPLIED);
        assertNowhere(e, "c21wLVNlY3IzdA==");
    }

    @Test
    void shouldRedactStringDataWhenServerSideApplyPatchArrives() {
        ObjectNode e = event(patchEvent("secrets", "patients-prod", "fieldManager=ehr-operator&force=true",
                """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"ehr-db","namespace":"patients-prod","labels":{"app":"ehr"}},
                 "stringData":{"password":"ssa-Secr3t-08"},"type":"Opaque"}
                """));

        assertThat(redactor.redact(e)).containsExactly("/requestObject/stringData/password");
        assertThat(e.at("/requestObject/metadata/labels/app").textValue()).isEqualTo("ehr");
        assertNowhere(e, "ssa-Secr3t-08");
    }

    @Test
    void shouldRedactOperationValuesWhenSecretIsJsonPatched() {
        ObjectNode e = event(patchEvent("secrets", "default", "",
                """
                [{"op":"add","path":"/data/api-key","value":"anNvbi1wYXRjaC1rZXk="},
                 {"op":"replace","path":"/data","value":{"password":"cmVwbGFjZWQtcHc=","username":"ZWhyX2FwcA=="}},
                 {"op":"test","path":"/stringData/pin","value":"test-pin-7719"},
                 {"op":"copy","from":"/data/password","path":"/data/password-old"},
                 {"op":"remove","path":"/data/legacy"},
                 {"op":"replace","path":"/metadata/labels/rotated","value":"2024-05-02"},
                 {"op":"add","path":"/binaryData/a~1b","value":"YmluYXJ5"}]
                """));

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly(
                "/requestObject/0/value",
                "/requestObject/1/value/password",
                "/requestObject/1/value/username",
                "/requestObject/2/value",
                "/requestObject/6/value");
        assertThat(e.at("/requestObject/3/from").textValue()).isEqualTo("/data/password");
        assertThat(e.at("/requestObject/5/value").textValue()).isEqualTo("2024-05-02");
        assertThat(e.at("/requestObject/1/value").fieldNames()).toIterable().containsExactly("password", "username");
        assertNowhere(e, "anNvbi1wYXRjaC1rZXk=", "cmVwbGFjZWQtcHc=", "ZWhyX2FwcA==", "test-pin-7719", "YmluYXJ5");
    }

    @Test
    void shouldRedactOperationValuesWhenJsonPatchTargetsWholeDocumentOrLastApplied() {
        ObjectNode e = event(patchEvent("secrets", "default", "",
                """
                [{"op":"replace","path":"","value":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"ehr-db"},"data":{"password":"cm9vdC1wdw=="}}},
                 {"op":"add","path":"/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration","value":"{\\"data\\":{\\"password\\":\\"cm9vdC1wdw==\\"}}"},
                 {"op":"add","path":"/metadata/annotations","value":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"stringData\\":{\\"pin\\":\\"anno-pin-3030\\"}}","team":"ehr"}},
                 {"op":"add","path":"/metadata","value":{"name":"ehr-db","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"stringData\\":{\\"pin\\":\\"meta-pin-5050\\"}}"}}},
                 {"op":"add","path":"stringData/no-leading-slash","value":"unparsable-path-6060"}]
                """));

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly(
                "/requestObject/0/value/data/password",
                "/requestObject/1/value",
                "/requestObject/2/value/" + LAST_APPLIED,
                "/requestObject/3/value/annotations/" + LAST_APPLIED,
                "/requestObject/4/value");
        assertThat(e.at("/requestObject/2/value/team").textValue()).isEqualTo("ehr");
        assertNowhere(e, "cm9vdC1wdw==", "anno-pin-3030", "meta-pin-5050", "unparsable-path-6060");
    }

    @Test
    void shouldRedactConfigMapPatchWhenNamespaceIsPhi() {
        ObjectNode e = event(patchEvent("configmaps", "patients-east", "",
                """
                {"data":{"mrn-prefix":"MRN-9902-"},"binaryData":{"logo.png":"iVBORw0KGgo="}}
                """));

        assertThat(redactor.redact(e)).containsExactly("/requestObject/data/mrn-prefix", "/requestObject/binaryData/logo.png");
        assertThat(e.at("/requestObject/data/mrn-prefix").textValue()).isEqualTo(REDACTED);
        assertNowhere(e, "MRN-9902-", "iVBORw0KGgo=");
    }

    @Test
    void shouldKeepJsonPatchValuesWhenConfigMapIsOutsidePhi() {
        ObjectNode e = event(patchEvent("configmaps", "kube-system", "",
                """
                [{"op":"replace","path":"/data/Corefile","value":".:53 { errors health }"}]
                """));
        ObjectNode before = e.deepCopy();

        assertThat(redactor.redact(e)).isEmpty();
        assertThat(e).isEqualTo(before);
    }

    @Test
    void shouldRedactEmbeddedSecretWhenJsonPatchOnOtherResourceCarriesIt() {
        ObjectNode e = event(patchEvent("templates", "openshift", "",
                """
                [{"op":"add","path":"/objects/-","value":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},
                  "stringData":{"password":"tmpl-Secr3t-21"}}}]
                """));

        assertThat(redactor.redact(e)).containsExactly("/requestObject/0/value/stringData/password");
        assertNowhere(e, "tmpl-Secr3t-21");
    }
}
