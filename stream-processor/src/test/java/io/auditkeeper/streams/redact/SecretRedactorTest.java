package io.auditkeeper.streams.redact;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.streams.rules.PhiNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Set;

import static io.auditkeeper.streams.redact.SecretRedactor.REDACTED;
import static io.auditkeeper.streams.redact.TestEvents.PHI;
import static io.auditkeeper.streams.redact.TestEvents.assertNowhere;
import static io.auditkeeper.streams.redact.TestEvents.event;
import static io.auditkeeper.streams.redact.TestEvents.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretRedactorTest {
    private final SecretRedactor redactor = SecretRedactor.defaults(PHI);

    /** events.ndjson line 5 (Falco capture, minikube): kubectl creates an Opaque secret. */
    private static final String SECRET_CREATE = """
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"c07ab0e2-9b07-4cc6-8e3b-91ac69586a1f",
             "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/sysdig-agent/secrets","verb":"create",
             "user":{"username":"minikube-user","groups":["system:masters","system:authenticated"]},"sourceIPs":["10.0.2.15"],
             "userAgent":"kubectl/v1.13.3 (linux/amd64) kubernetes/721bfa7",
             "objectRef":{"resource":"secrets","namespace":"sysdig-agent","name":"sysdig-agent","apiVersion":"v1"},
             "responseStatus":{"metadata":{},"code":201},
             "requestObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"sysdig-agent","creationTimestamp":null},
               "data":{"access-key":"MzFiNGQ0YjctMDAyNi00YzI3LWJiMGItNDk5ZDZkZjg1ZGJi"},"type":"Opaque"},
             "responseObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"sysdig-agent","namespace":"sysdig-agent",
               "selfLink":"/api/v1/namespaces/sysdig-agent/secrets/sysdig-agent","uid":"9c812531-09bd-11ea-a1f9-08002719228f",
               "resourceVersion":"830","creationTimestamp":"2019-11-18T04:40:56Z"},
               "data":{"access-key":"MzFiNGQ0YjctMDAyNi00YzI3LWJiMGItNDk5ZDZkZjg1ZGJi"},"type":"Opaque"},
             "requestReceivedTimestamp":"2019-11-18T04:40:56.739299Z","stageTimestamp":"2019-11-18T04:40:56.741993Z",
             "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
            """;

    /** A kubectl client-side apply creating a Secret from stringData in a PHI namespace. */
    private static final String SECRET_APPLY = """
            {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"7f3c0d1e-5d43-4b6a-9a43-2b1f0c9e8a11",
             "stage":"ResponseComplete",
             "requestURI":"/api/v1/namespaces/patients-prod/secrets?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
             "verb":"create","user":{"username":"alice@example.org","groups":["ehr-admins","system:authenticated"]},
             "sourceIPs":["10.20.0.7"],"userAgent":"kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
             "objectRef":{"resource":"secrets","namespace":"patients-prod","name":"ehr-db","apiVersion":"v1"},
             "responseStatus":{"metadata":{},"code":201},
             "requestObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"ehr-db","namespace":"patients-prod",
               "creationTimestamp":null,"annotations":{"kubectl.kubernetes.io/last-applied-configuration":
               "{\\"apiVersion\\":\\"v1\\",\\"kind\\":\\"Secret\\",\\"metadata\\":{\\"annotations\\":{},\\"name\\":\\"ehr-db\\",\\"namespace\\":\\"patients-prod\\"},\\"stringData\\":{\\"password\\":\\"Hunter2-ehr-db\\",\\"username\\":\\"ehr_app\\"},\\"type\\":\\"Opaque\\"}\\n"}},
               "stringData":{"password":"Hunter2-ehr-db","username":"ehr_app"},"type":"Opaque"},
             "responseObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"ehr-db","namespace":"patients-prod",
               "uid":"0b6f3c52-8d7e-4f0e-b1c2-7d9a1e5f3a20","resourceVersion":"1843","creationTimestamp":"2024-05-02T09:14:07Z",
               "annotations":{"kubectl.kubernetes.io/last-applied-configuration":
               "{\\"apiVersion\\":\\"v1\\",\\"kind\\":\\"Secret\\",\\"metadata\\":{\\"annotations\\":{},\\"name\\":\\"ehr-db\\",\\"namespace\\":\\"patients-prod\\"},\\"stringData\\":{\\"password\\":\\"Hunter2-ehr-db\\",\\"username\\":\\"ehr_app\\"},\\"type\\":\\"Opaque\\"}\\n"},
               "managedFields":[{"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"v1",
                 "time":"2024-05-02T09:14:07Z","fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:password":{},"f:username":{}},
                 "f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}}},"f:type":{}}}]},
               "data":{"password":"SHVudGVyMi1laHItZGI=","username":"ZWhyX2FwcA=="},"type":"Opaque"},
             "requestReceivedTimestamp":"2024-05-02T09:14:07.402117Z","stageTimestamp":"2024-05-02T09:14:07.409810Z",
             "annotations":{"authorization.k8s.io/decision":"allow",
               "authorization.k8s.io/reason":"RBAC: allowed by RoleBinding \\"ehr-admins/patients-prod\\" of ClusterRole \\"admin\\" to Group \\"ehr-admins\\""}}
            """;

    private static final String LAST_APPLIED = "kubectl.kubernetes.io~1last-applied-configuration";

    @Test
    void shouldRedactDataWhenSecretIsCreated() {
        ObjectNode e = event(SECRET_CREATE);

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly("/requestObject/data/access-key", "/responseObject/data/access-key");
        assertThat(e.at("/requestObject/data/access-key").textValue()).isEqualTo(REDACTED);
        assertThat(e.at("/responseObject/data/access-key").textValue()).isEqualTo(REDACTED);
        assertThat(e.at("/responseObject/type").textValue()).isEqualTo("Opaque");
        assertThat(e.at("/responseObject/metadata/uid").textValue()).isEqualTo("9c812531-09bd-11ea-a1f9-08002719228f");
        assertNowhere(e, "MzFiNGQ0YjctMDAyNi00YzI3LWJiMGItNDk5ZDZkZjg1ZGJi");
    }

    @Test
    void shouldRedactStringDataAndLastAppliedWhenSecretIsApplied() {
        ObjectNode e = event(SECRET_APPLY);

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly(
                "/requestObject/metadata/annotations/" + LAST_APPLIED,
                "/requestObject/stringData/password",
                "/requestObject/stringData/username",
                "/responseObject/metadata/annotations/" + LAST_APPLIED,
                "/responseObject/data/password",
                "/responseObject/data/username");
        assertThat(e.at("/requestObject/stringData").fieldNames()).toIterable()
                .containsExactly("password", "username");
        assertThat(e.at("/responseObject/metadata/managedFields/0/fieldsV1/f:data/f:password").isObject()).isTrue();
        assertNowhere(e, "Hunter2-ehr-db", "ehr_app", "SHVudGVyMi1laHItZGI=", "ZWhyX2FwcA==");
    }

    @Test
    void shouldRedactEveryItemWhenSecretListIsReturned() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"e2b9a1c4-3f57-4a8e-9d0b-6c1f2e7a4b95",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/patients-prod/secrets?limit=500","verb":"list",
                 "user":{"username":"bob@example.org","groups":["system:authenticated"]},"sourceIPs":["10.20.0.9"],
                 "userAgent":"kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
                 "objectRef":{"resource":"secrets","namespace":"patients-prod","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":200},
                 "responseObject":{"kind":"SecretList","apiVersion":"v1","metadata":{"resourceVersion":"20931"},"items":[
                   {"metadata":{"name":"ehr-db","namespace":"patients-prod","uid":"0b6f3c52-8d7e-4f0e-b1c2-7d9a1e5f3a20",
                     "resourceVersion":"1843","creationTimestamp":"2024-05-02T09:14:07Z"},
                    "data":{"password":"SHVudGVyMi1laHItZGI="},"type":"Opaque"},
                   {"metadata":{"name":"default-token-x7k2p","namespace":"patients-prod",
                     "annotations":{"kubernetes.io/service-account.name":"default"}},
                    "data":{"ca.crt":"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t","namespace":"cGF0aWVudHMtcHJvZA==",
                      "token":"ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklp"},"type":"kubernetes.io/service-account-token"}]},
                 "requestReceivedTimestamp":"2024-05-02T09:20:00.100000Z","stageTimestamp":"2024-05-02T09:20:00.104000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly(
                "/responseObject/items/0/data/password",
                "/responseObject/items/1/data/ca.crt",
                "/responseObject/items/1/data/namespace",
                "/responseObject/items/1/data/token");
        assertThat(e.at("/responseObject/items/1/type").textValue()).isEqualTo("kubernetes.io/service-account-token");
        assertNowhere(e, "SHVudGVyMi1laHItZGI=", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t", "cGF0aWVudHMtcHJvZA==",
                "ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklp");
    }

    @Test
    void shouldRedactItemsWhenRejectedRequestBodyIsGenericList() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"5a0e7c2d-91b4-4f3a-8e6d-0c7b2a9f1e38",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/patients-prod/secrets","verb":"create",
                 "user":{"username":"mallory@example.org","groups":["system:authenticated"]},"sourceIPs":["10.20.0.66"],
                 "userAgent":"curl/8.5.0",
                 "objectRef":{"resource":"secrets","namespace":"patients-prod","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"status":"Failure",
                   "message":"the object provided is unrecognized (must be of type Secret): couldn't get version/kind","reason":"BadRequest","code":400},
                 "requestObject":{"kind":"List","apiVersion":"v1","items":[
                   {"kind":"Secret","apiVersion":"v1","metadata":{"name":"api-token"},"stringData":{"token":"glpat-9fK2xQ7mZ3vR8tL1"}},
                   {"metadata":{"name":"no-kind"},"data":{"pin":"MTIzNDU2"}}]},
                 "requestReceivedTimestamp":"2024-05-02T09:30:00.000000Z","stageTimestamp":"2024-05-02T09:30:00.002000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly("/requestObject/items/0/stringData/token", "/requestObject/items/1/data/pin");
        assertNowhere(e, "glpat-9fK2xQ7mZ3vR8tL1", "MTIzNDU2");
    }

    @Test
    void shouldRedactRowObjectsWhenTableIsReturned() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"b3d8f6a0-2c4e-4d71-a9f5-81e0c3b7d264",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/patients-prod/secrets?includeObject=Object&limit=500",
                 "verb":"list","user":{"username":"bob@example.org","groups":["system:authenticated"]},"sourceIPs":["10.20.0.9"],
                 "userAgent":"kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
                 "objectRef":{"resource":"secrets","namespace":"patients-prod","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":200},
                 "responseObject":{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"20931"},
                   "columnDefinitions":[
                     {"name":"Name","type":"string","format":"name","description":"Name must be unique within a namespace.","priority":0},
                     {"name":"Type","type":"string","format":"","description":"Used to facilitate programmatic handling of secret data.","priority":0},
                     {"name":"Data","type":"string","format":"","description":"Data contains the secret data.","priority":0},
                     {"name":"Age","type":"string","format":"","description":"CreationTimestamp","priority":0}],
                   "rows":[
                     {"cells":["ehr-db","Opaque",1,"5d"],
                      "object":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"ehr-db","namespace":"patients-prod"},
                        "data":{"password":"SHVudGVyMi1laHItZGI="},"type":"Opaque"}},
                     {"cells":["tls-ehr","kubernetes.io/tls",2,"40d"],
                      "object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
                        "metadata":{"name":"tls-ehr","namespace":"patients-prod"}}}]},
                 "requestReceivedTimestamp":"2024-05-02T09:21:00.100000Z","stageTimestamp":"2024-05-02T09:21:00.104000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly("/responseObject/rows/0/object/data/password");
        assertThat(write(e.at("/responseObject/rows/0/cells"))).isEqualTo("[\"ehr-db\",\"Opaque\",1,\"5d\"]");
        assertThat(e.at("/responseObject/columnDefinitions/2/name").textValue()).isEqualTo("Data");
        assertNowhere(e, "SHVudGVyMi1laHItZGI=");
    }

    @Test
    void shouldRedactObjectWhenResponseIsWatchEvent() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"0d4c2e8f-7a61-4b39-b5e2-9f8a3c1d6e07",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/patients-prod/secrets?watch=true","verb":"watch",
                 "user":{"username":"system:serviceaccount:patients-prod:sync","groups":["system:serviceaccounts","system:authenticated"]},
                 "sourceIPs":["10.128.2.14"],"userAgent":"sync/v0.4.1",
                 "objectRef":{"resource":"secrets","namespace":"patients-prod","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":200},
                 "responseObject":{"type":"MODIFIED","object":{"kind":"Secret","apiVersion":"v1",
                   "metadata":{"name":"ehr-db","namespace":"patients-prod","resourceVersion":"20977"},
                   "data":{"password":"TmV3LVBhc3N3MHJkIQ=="},"type":"Opaque"}},
                 "requestReceivedTimestamp":"2024-05-02T09:22:00.000000Z","stageTimestamp":"2024-05-02T09:27:00.000000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);

        assertThat(redactor.redact(e)).containsExactly("/responseObject/object/data/password");
        assertThat(e.at("/responseObject/type").textValue()).isEqualTo("MODIFIED");
        assertNowhere(e, "TmV3LVBhc3N3MHJkIQ==");
    }

    @Test
    void shouldKeepDeleteOptionsWhenSecretIsDeleted() {
        // events.ndjson line 7: the tokens-controller deletes a service-account token secret
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"39ca37c2-1e47-4ca9-a719-646688a4cea4",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/tes/secrets/default-token-lmq4v","verb":"delete",
                 "user":{"username":"system:kube-controller-manager","groups":["system:authenticated"]},"sourceIPs":["127.0.0.1"],
                 "userAgent":"kube-controller-manager/v1.13.12 (linux/amd64) kubernetes/a8b5220/tokens-controller",
                 "objectRef":{"resource":"secrets","namespace":"tes","name":"default-token-lmq4v","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"status":"Success","code":200},
                 "requestObject":{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"ac540c76-09c2-11ea-a1f9-08002719228f"}},
                 "responseObject":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success",
                   "details":{"name":"default-token-lmq4v","kind":"secrets","uid":"ac540c76-09c2-11ea-a1f9-08002719228f"}},
                 "requestReceivedTimestamp":"2019-11-18T05:17:20.899988Z","stageTimestamp":"2019-11-18T05:17:20.904826Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);
        ObjectNode before = e.deepCopy();

        assertThat(redactor.redact(e)).isEmpty();
        assertThat(e).isEqualTo(before);
    }

    @Test
    void shouldRedactStatusTokenWhenServiceAccountTokenIsRequested() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"9e1f4b7a-6c2d-4e85-a3b0-d5c8e2f71a46",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/patients-prod/serviceaccounts/ehr-api/token","verb":"create",
                 "user":{"username":"system:node:ip-10-0-3-178.ec2.internal","groups":["system:nodes","system:authenticated"]},
                 "sourceIPs":["10.0.3.178"],"userAgent":"kubelet/v1.29.1 (linux/amd64) kubernetes/bc401b9",
                 "objectRef":{"resource":"serviceaccounts","namespace":"patients-prod","name":"ehr-api","apiVersion":"v1","subresource":"token"},
                 "responseStatus":{"metadata":{},"code":201},
                 "requestObject":{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},
                   "spec":{"audiences":["https://kubernetes.default.svc"],"expirationSeconds":3607,
                     "boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"ehr-api-7c9d5b6f4-q2x8z","uid":"3f0e8a1b-5c2d-4e7f-9a6b-1d0c8e2f4a73"}},
                   "status":{"token":"","expirationTimestamp":null}},
                 "responseObject":{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1",
                   "metadata":{"name":"ehr-api","namespace":"patients-prod","creationTimestamp":"2024-05-02T09:14:07Z"},
                   "spec":{"audiences":["https://kubernetes.default.svc"],"expirationSeconds":3607,
                     "boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"ehr-api-7c9d5b6f4-q2x8z","uid":"3f0e8a1b-5c2d-4e7f-9a6b-1d0c8e2f4a73"}},
                   "status":{"token":"eyJhbGciOiJSUzI1NiIsImtpZCI6IlNhbXBsZUtleSJ9.eyJhdWQiOlsiaHR0cHMiXX0.c2lnbmF0dXJl",
                     "expirationTimestamp":"2024-05-02T10:14:14Z"}},
                 "requestReceivedTimestamp":"2024-05-02T09:14:07.100000Z","stageTimestamp":"2024-05-02T09:14:07.104000Z",
                 "annotations":{"authentication.kubernetes.io/issued-credential-id":"JTI=2e6389af-b8bc-4c26-92d2-714fbe9cb4fa",
                   "authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly("/responseObject/status/token");
        assertThat(e.at("/requestObject/status/token").textValue()).isEmpty();
        assertThat(e.at("/responseObject/status/expirationTimestamp").textValue()).isEqualTo("2024-05-02T10:14:14Z");
        assertThat(e.at("/annotations/authentication.kubernetes.io~1issued-credential-id").textValue())
                .isEqualTo("JTI=2e6389af-b8bc-4c26-92d2-714fbe9cb4fa");
        assertNowhere(e, "eyJhbGciOiJSUzI1NiIsImtpZCI6IlNhbXBsZUtleSJ9");
    }

    @Test
    void shouldRedactSpecTokenWhenTokenReviewIsCreated() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"4c7a2e9d-0b18-4f63-8d5e-a2f9c1b6e830",
                 "stage":"ResponseComplete","requestURI":"/apis/authentication.k8s.io/v1/tokenreviews","verb":"create",
                 "user":{"username":"system:serviceaccount:monitoring:kube-rbac-proxy","groups":["system:serviceaccounts","system:authenticated"]},
                 "sourceIPs":["10.128.0.41"],"userAgent":"kube-rbac-proxy/v0.15.0",
                 "objectRef":{"resource":"tokenreviews","apiGroup":"authentication.k8s.io","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":201},
                 "requestObject":{"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},
                   "spec":{"token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.cmV2aWV3","audiences":["https://kubernetes.default.svc"]},
                   "status":{"user":{}}},
                 "responseObject":{"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":null},
                   "spec":{"token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.cmV2aWV3","audiences":["https://kubernetes.default.svc"]},
                   "status":{"authenticated":true,"user":{"username":"system:serviceaccount:patients-prod:ehr-api",
                     "uid":"6a1d9e3f-2b7c-4f08-a5e4-c9b0d1f2e3a4","groups":["system:serviceaccounts","system:authenticated"]},
                     "audiences":["https://kubernetes.default.svc"]}},
                 "requestReceivedTimestamp":"2024-05-02T09:40:00.000000Z","stageTimestamp":"2024-05-02T09:40:00.003000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly("/requestObject/spec/token", "/responseObject/spec/token");
        assertThat(e.at("/responseObject/status/user/username").textValue())
                .isEqualTo("system:serviceaccount:patients-prod:ehr-api");
        assertThat(e.at("/responseObject/spec/audiences/0").textValue()).isEqualTo("https://kubernetes.default.svc");
        assertNowhere(e, "eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ");
    }

    private static String configMapCreate(String namespace) {
        return """
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"1b5e9c3a-7d20-4a68-b4f1-e3c8d2a9f057",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/NS/configmaps","verb":"create",
                 "user":{"username":"alice@example.org","groups":["system:authenticated"]},"sourceIPs":["10.20.0.7"],
                 "userAgent":"kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
                 "objectRef":{"resource":"configmaps","namespace":"NS","name":"intake-settings","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":201},
                 "requestObject":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"intake-settings","namespace":"NS","creationTimestamp":null},
                   "data":{"mrn-prefix":"MRN-4471-","escalation.contact":"dr.jones@clinic.example"},"binaryData":{"roster.csv":"bmFtZSxkb2IKSmFuZSBEb2UsMTk4MC0wMS0wMQ=="}},
                 "responseObject":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"intake-settings","namespace":"NS",
                   "uid":"8f2a4c6e-1d3b-4e5f-a7c9-0b2d4f6a8c1e","resourceVersion":"5521","creationTimestamp":"2024-05-02T09:50:00Z"},
                   "data":{"mrn-prefix":"MRN-4471-","escalation.contact":"dr.jones@clinic.example"},"binaryData":{"roster.csv":"bmFtZSxkb2IKSmFuZSBEb2UsMTk4MC0wMS0wMQ=="}},
                 "requestReceivedTimestamp":"2024-05-02T09:50:00.000000Z","stageTimestamp":"2024-05-02T09:50:00.004000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """.replace("NS", namespace);
    }

    @Test
    void shouldRedactConfigMapDataWhenNamespaceIsPhi() {
        ObjectNode e = event(configMapCreate("patients-prod"));

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly(
                "/requestObject/data/mrn-prefix",
                "/requestObject/data/escalation.contact",
                "/requestObject/binaryData/roster.csv",
                "/responseObject/data/mrn-prefix",
                "/responseObject/data/escalation.contact",
                "/responseObject/binaryData/roster.csv");
        assertNowhere(e, "MRN-4471-", "dr.jones@clinic.example", "bmFtZSxkb2IKSmFuZSBEb2UsMTk4MC0wMS0wMQ==");
    }

    @Test
    void shouldNotRedactConfigMapWhenNamespaceIsNotPhi() {
        ObjectNode e = event(configMapCreate("billing-tools"));
        ObjectNode before = e.deepCopy();

        assertThat(redactor.redact(e)).isEmpty();
        assertThat(e).isEqualTo(before);
    }

    @Test
    void shouldRedactConfigMapEverywhereWhenConfiguredEverywhere() {
        SecretRedactor strict = new SecretRedactor(Set.of("configmaps"), Set.of(), PhiNamespaces.none());
        ObjectNode e = event(configMapCreate("billing-tools"));

        assertThat(strict.redact(e)).hasSize(6);
        assertNowhere(e, "MRN-4471-");
    }

    @Test
    void shouldRedactOnlyPhiItemsWhenConfigMapListSpansNamespaces() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"a6c1e8f2-4b93-4d07-9e5a-3f2b7c0d1e69",
                 "stage":"ResponseComplete","requestURI":"/api/v1/configmaps?limit=500","verb":"list",
                 "user":{"username":"system:serviceaccount:backup:velero","groups":["system:serviceaccounts","system:authenticated"]},
                 "sourceIPs":["10.128.4.12"],"userAgent":"velero-server/v1.13.0 (linux/amd64) 76670e940",
                 "objectRef":{"resource":"configmaps","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":200},
                 "responseObject":{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"99120"},"items":[
                   {"metadata":{"name":"coredns","namespace":"kube-system"},"data":{"Corefile":".:53 { errors health }"}},
                   {"metadata":{"name":"intake-settings","namespace":"patients-prod"},"data":{"mrn-prefix":"MRN-4471-"}},
                   {"metadata":{"name":"ward-map","namespace":"ehr"},"binaryData":{"map.bin":"AAECAwQ="}}]},
                 "requestReceivedTimestamp":"2024-05-02T10:00:00.000000Z","stageTimestamp":"2024-05-02T10:00:00.021000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly("/responseObject/items/1/data/mrn-prefix", "/responseObject/items/2/binaryData/map.bin");
        assertThat(e.at("/responseObject/items/0/data/Corefile").textValue()).isEqualTo(".:53 { errors health }");
        assertNowhere(e, "MRN-4471-", "AAECAwQ=");
    }

    @Test
    void shouldRedactConfiguredResourceWhenObjectRefMatches() {
        SecretRedactor custom = new SecretRedactor(Set.of("dbcredentials"), Set.of(), PhiNamespaces.none());
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"c8e4a2f0-6d15-4b79-83a1-f7e9d0c2b645",
                 "stage":"ResponseComplete","requestURI":"/apis/db.example.io/v1/namespaces/billing/dbcredentials/ledger","verb":"get",
                 "user":{"username":"system:serviceaccount:billing:ledger","groups":["system:serviceaccounts","system:authenticated"]},
                 "sourceIPs":["10.128.6.3"],"userAgent":"ledger/2.3.0",
                 "objectRef":{"resource":"dbcredentials","namespace":"billing","name":"ledger","apiGroup":"db.example.io","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":200},
                 "responseObject":{"apiVersion":"db.example.io/v1","kind":"DBCredential",
                   "metadata":{"name":"ledger","namespace":"billing"},"spec":{"database":"ledger"},
                   "data":{"dsn":"postgres://ledger:Xy7-pq@db:5432/ledger"}},
                 "requestReceivedTimestamp":"2024-05-02T10:10:00.000000Z","stageTimestamp":"2024-05-02T10:10:00.002000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);

        assertThat(custom.redact(e)).containsExactly("/responseObject/data/dsn");
        assertThat(e.at("/responseObject/spec/database").textValue()).isEqualTo("ledger");
        assertNowhere(e, "Xy7-pq");
    }

    @Test
    void shouldRedactConfiguredKindWhenEmbeddedInOtherResource() {
        SecretRedactor custom = new SecretRedactor(Set.of("dbcredentials"), Set.of(), PhiNamespaces.none());
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"d1f5b3a9-8e27-4c60-b4d2-0a9e8f7c6b53",
                 "stage":"ResponseComplete","requestURI":"/apis/apps.example.io/v1/namespaces/billing/bundles","verb":"create",
                 "user":{"username":"ci-bot","groups":["system:authenticated"]},"sourceIPs":["10.20.1.2"],"userAgent":"fleet/0.9.2",
                 "objectRef":{"resource":"bundles","namespace":"billing","apiGroup":"apps.example.io","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":201},
                 "requestObject":{"apiVersion":"apps.example.io/v1","kind":"Bundle","metadata":{"name":"ledger"},
                   "spec":{"resources":[{"apiVersion":"db.example.io/v1","kind":"DBCredential","metadata":{"name":"ledger"},
                     "data":{"dsn":"postgres://ledger:Xy7-pq@db:5432/ledger"}}]}},
                 "requestReceivedTimestamp":"2024-05-02T10:11:00.000000Z","stageTimestamp":"2024-05-02T10:11:00.002000Z"}
                """);

        assertThat(custom.redact(e)).containsExactly("/requestObject/spec/resources/0/data/dsn");
        assertNowhere(e, "Xy7-pq");
    }

    @Test
    void shouldAlwaysRedactSecretsWhenConfigurationLeavesThemOut() {
        SecretRedactor bare = new SecretRedactor(Set.of(), Set.of(), null);
        ObjectNode e = event(SECRET_CREATE);

        assertThat(bare.resourcesEverywhere()).containsExactly("secrets");
        assertThat(bare.redact(e)).containsExactly("/requestObject/data/access-key", "/responseObject/data/access-key");
        assertNowhere(e, "MzFiNGQ0YjctMDAyNi00YzI3LWJiMGItNDk5ZDZkZjg1ZGJi");
    }

    @Test
    void shouldRedactEmbeddedSecretWhenTemplateCarriesIt() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"f7a3c9e1-2d84-4b06-95f8-b1e6d4c0a273",
                 "stage":"ResponseComplete","requestURI":"/apis/template.openshift.io/v1/namespaces/openshift/templates","verb":"create",
                 "user":{"username":"system:admin","groups":["system:masters","system:authenticated"]},"sourceIPs":["10.0.0.3"],
                 "userAgent":"oc/4.14.0 (linux/amd64) kubernetes/0c63f9d",
                 "objectRef":{"resource":"templates","namespace":"openshift","name":"ehr-postgres","apiGroup":"template.openshift.io","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":201},
                 "requestObject":{"kind":"Template","apiVersion":"template.openshift.io/v1",
                   "metadata":{"name":"ehr-postgres","namespace":"openshift","annotations":{"kubectl.kubernetes.io/last-applied-configuration":
                     "{\\"kind\\":\\"Template\\",\\"objects\\":[{\\"kind\\":\\"Secret\\",\\"stringData\\":{\\"database-password\\":\\"pg-Secr3t-77\\"}}]}"}},
                   "objects":[{"apiVersion":"v1","kind":"Secret","metadata":{"name":"${DATABASE_SERVICE_NAME}"},
                     "stringData":{"database-password":"pg-Secr3t-77","database-user":"${POSTGRESQL_USER}"}},
                     {"apiVersion":"v1","kind":"Service","metadata":{"name":"${DATABASE_SERVICE_NAME}"},"spec":{"ports":[{"port":5432}]}}],
                   "parameters":[{"name":"POSTGRESQL_USER","generate":"expression","from":"user[A-Z0-9]{3}"}]},
                 "requestReceivedTimestamp":"2024-05-02T10:20:00.000000Z","stageTimestamp":"2024-05-02T10:20:00.008000Z"}
                """);

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly(
                "/requestObject/metadata/annotations/" + LAST_APPLIED,
                "/requestObject/objects/0/stringData/database-password",
                "/requestObject/objects/0/stringData/database-user");
        assertThat(e.at("/requestObject/objects/1/spec/ports/0/port").intValue()).isEqualTo(5432);
        assertNowhere(e, "pg-Secr3t-77");
    }

    @Test
    void shouldRedactTokenAnnotationWhenOpenShiftCreatesDockercfgSecret() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"2f6b8d0e-3a57-4c91-b2e4-d6f8a0c2e475",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/patients-prod/secrets","verb":"create",
                 "user":{"username":"system:serviceaccount:openshift-infra:serviceaccount-pull-secrets-controller",
                   "groups":["system:serviceaccounts","system:serviceaccounts:openshift-infra","system:authenticated"]},
                 "sourceIPs":["10.0.0.5"],"userAgent":"openshift-controller-manager/v0.0.0 (linux/amd64) kubernetes/$Format",
                 "objectRef":{"resource":"secrets","namespace":"patients-prod","name":"builder-dockercfg-x2k9p","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":201},
                 "responseObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"builder-dockercfg-x2k9p","namespace":"patients-prod",
                   "annotations":{"kubernetes.io/service-account.name":"builder","kubernetes.io/service-account.uid":"4d2b6f8a-0c1e-4a3b-9d5f-7e8a0b2c4d6f",
                     "openshift.io/token-secret.name":"builder-token-7hq2d","openshift.io/token-secret.value":"eyJhbGciOiJSUzI1NiJ9.b3BlbnNoaWZ0LXRva2Vu.c2ln"}},
                   "data":{".dockercfg":"eyJpbWFnZS1yZWdpc3RyeS5vcGVuc2hpZnQtaW1hZ2UtcmVnaXN0cnkuc3ZjOjUwMDAiOnt9fQ=="},
                   "type":"kubernetes.io/dockercfg"},
                 "requestReceivedTimestamp":"2024-05-02T11:20:00.000000Z","stageTimestamp":"2024-05-02T11:20:00.005000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly(
                "/responseObject/metadata/annotations/openshift.io~1token-secret.value",
                "/responseObject/data/.dockercfg");
        assertThat(e.at("/responseObject/metadata/annotations/openshift.io~1token-secret.name").textValue())
                .isEqualTo("builder-token-7hq2d");
        assertNowhere(e, "b3BlbnNoaWZ0LXRva2Vu", "eyJpbWFnZS1yZWdpc3RyeS5vcGVuc2hpZnQtaW1hZ2UtcmVnaXN0cnkuc3ZjOjUwMDAiOnt9fQ==");
    }

    @Test
    void shouldReplaceWholeSpecWhenTokenReviewSpecIsNotAnObject() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"9a3c5e7f-1b24-4d86-a0c3-e5f7b9d1a248",
                 "stage":"ResponseComplete","requestURI":"/apis/authentication.k8s.io/v1/tokenreviews","verb":"create",
                 "user":{"username":"mallory@example.org","groups":["system:authenticated"]},"sourceIPs":["10.20.0.66"],"userAgent":"curl/8.5.0",
                 "objectRef":{"resource":"tokenreviews","apiGroup":"authentication.k8s.io","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"status":"Failure","reason":"BadRequest","code":400},
                 "requestObject":{"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","spec":"eyJhbGciOiJub25lIn0.bWFsZm9ybWVk."}}
                """);

        assertThat(redactor.redact(e)).containsExactly("/requestObject/spec");
        assertNowhere(e, "bWFsZm9ybWVk");
    }

    @Test
    void shouldNotRedactPodWhenEnvHasKeyNamedData() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"2e8b4d6f-9a13-4c57-b0e2-c4f6a8d0e1b3",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/patients-prod/pods","verb":"create",
                 "user":{"username":"system:serviceaccount:kube-system:replicaset-controller","groups":["system:serviceaccounts","system:authenticated"]},
                 "sourceIPs":["127.0.0.1"],"userAgent":"kube-controller-manager/v1.29.1 (linux/amd64) kubernetes/bc401b9/system:serviceaccount:kube-system:replicaset-controller",
                 "objectRef":{"resource":"pods","namespace":"patients-prod","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":201},
                 "requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"generateName":"ehr-api-7c9d5b6f4-","namespace":"patients-prod",
                   "annotations":{"data":"not-a-secret-annotation"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet",
                   "name":"ehr-api-7c9d5b6f4","uid":"5b1c9e7a-3d2f-4a6b-8c0e-1f2a3b4c5d6e","controller":true,"blockOwnerDeletion":true}]},
                   "spec":{"volumes":[{"name":"db","secret":{"secretName":"ehr-db","defaultMode":420}}],
                     "containers":[{"name":"api","image":"registry.example.org/ehr-api:1.8.2",
                       "env":[{"name":"data","value":"/var/lib/ehr/data"},{"name":"DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"ehr-db","key":"password"}}}],
                       "volumeMounts":[{"name":"db","readOnly":true,"mountPath":"/etc/ehr/db"}]}],
                     "serviceAccountName":"ehr-api"}},
                 "requestReceivedTimestamp":"2024-05-02T10:30:00.000000Z","stageTimestamp":"2024-05-02T10:30:00.012000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);
        ObjectNode before = e.deepCopy();

        assertThat(redactor.redact(e)).isEmpty();
        assertThat(e).isEqualTo(before);
    }

    @Test
    void shouldNotRedactDataFieldWhenObjectIsNotSecret() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"6f0a2c4e-8b17-4d39-a5c6-e7f9b1d3a502",
                 "stage":"ResponseComplete","requestURI":"/apis/fhir.example.org/v1/namespaces/analytics/datasets/cohort-2024","verb":"get",
                 "user":{"username":"carol@example.org","groups":["system:authenticated"]},"sourceIPs":["10.20.0.12"],
                 "userAgent":"kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
                 "objectRef":{"resource":"datasets","namespace":"analytics","name":"cohort-2024","apiGroup":"fhir.example.org","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":200},
                 "responseObject":{"apiVersion":"fhir.example.org/v1","kind":"Dataset","metadata":{"name":"cohort-2024","namespace":"analytics"},
                   "spec":{"source":"s3://cohorts/2024"},"data":{"rows":"1200","format":"parquet"},
                   "status":{"token":"page-2","conditions":[{"type":"Ready","status":"True"}]}},
                 "requestReceivedTimestamp":"2024-05-02T10:40:00.000000Z","stageTimestamp":"2024-05-02T10:40:00.002000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);
        ObjectNode before = e.deepCopy();

        assertThat(redactor.redact(e)).isEmpty();
        assertThat(e).isEqualTo(before);
    }

    @Test
    void shouldReplaceWholeValueWhenShapeUnderDataIsUnexpected() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"3a9c5e7b-1d24-4f86-b0a3-d8e2f4c6a917",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/secrets","verb":"create",
                 "user":{"username":"mallory@example.org","groups":["system:authenticated"]},"sourceIPs":["10.20.0.66"],"userAgent":"curl/8.5.0",
                 "objectRef":{"resource":"secrets","namespace":"default","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"status":"Failure","reason":"BadRequest","code":400},
                 "requestObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"odd"},
                   "data":"c2VjcmV0LWFzLWEtc3RyaW5n","stringData":["array-secret-1",{"nested":"array-secret-2"}],
                   "binaryData":{"num":424242,"obj":{"deep":"nested-secret-3"},"nothing":null,"empty":""}},
                 "requestReceivedTimestamp":"2024-05-02T10:50:00.000000Z","stageTimestamp":"2024-05-02T10:50:00.001000Z"}
                """);

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly(
                "/requestObject/data",
                "/requestObject/stringData",
                "/requestObject/binaryData/num",
                "/requestObject/binaryData/obj");
        assertThat(e.at("/requestObject/binaryData/nothing").isNull()).isTrue();
        assertNowhere(e, "c2VjcmV0LWFzLWEtc3RyaW5n", "array-secret-1", "array-secret-2", "424242", "nested-secret-3");
    }

    @Test
    void shouldReplaceBodyWhenSecretRequestObjectIsNotJsonObject() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"8d2f6b0a-4c39-4e71-a5d8-f1b3c7e9a024",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/patients-prod/secrets/ehr-db?fieldManager=kubectl","verb":"patch",
                 "user":{"username":"alice@example.org","groups":["system:authenticated"]},"sourceIPs":["10.20.0.7"],
                 "userAgent":"kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
                 "objectRef":{"resource":"secrets","namespace":"patients-prod","name":"ehr-db","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"status":"Failure","reason":"UnsupportedMediaType","code":415},
                 "requestObject":"apiVersion: v1\\nkind: Secret\\nstringData:\\n  password: yaml-Secr3t-55\\n",
                 "requestReceivedTimestamp":"2024-05-02T11:00:00.000000Z","stageTimestamp":"2024-05-02T11:00:00.001000Z"}
                """);

        assertThat(redactor.redact(e)).containsExactly("/requestObject");
        assertNowhere(e, "yaml-Secr3t-55");
    }

    @Test
    void shouldRedactWebhookPatchAnnotationWhenSecretIsMutated() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"e0b4d8f2-6a35-4c97-b1e4-a3c5e7f9b146",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/patients-prod/secrets","verb":"create",
                 "user":{"username":"alice@example.org","groups":["system:authenticated"]},"sourceIPs":["10.20.0.7"],
                 "userAgent":"kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
                 "objectRef":{"resource":"secrets","namespace":"patients-prod","name":"ehr-vault","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":201},
                 "requestObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"ehr-vault","namespace":"patients-prod",
                   "annotations":{"vault.example.org/inject":"true"}},"type":"Opaque"},
                 "requestReceivedTimestamp":"2024-05-02T11:10:00.000000Z","stageTimestamp":"2024-05-02T11:10:00.020000Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"",
                   "mutation.webhook.admission.k8s.io/round_0_index_0":"{\\"configuration\\":\\"vault-injector\\",\\"webhook\\":\\"secrets.vault.example.org\\",\\"mutated\\":true}",
                   "patch.webhook.admission.k8s.io/round_0_index_0":"{\\"configuration\\":\\"vault-injector\\",\\"webhook\\":\\"secrets.vault.example.org\\",\\"patch\\":[{\\"op\\":\\"add\\",\\"path\\":\\"/data\\",\\"value\\":{\\"db-password\\":\\"dmF1bHQtaW5qZWN0ZWQ=\\"}}],\\"patchType\\":\\"JSONPatch\\"}"}}
                """);

        List<String> paths = redactor.redact(e);

        assertThat(paths).containsExactly("/annotations/patch.webhook.admission.k8s.io~1round_0_index_0");
        assertThat(e.at("/annotations/mutation.webhook.admission.k8s.io~1round_0_index_0").textValue()).contains("vault-injector");
        assertNowhere(e, "dmF1bHQtaW5qZWN0ZWQ=");
    }

    @Test
    void shouldEscapePointerWhenKeyHoldsSlashOrTilde() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"7b1d3f5a-9c28-4e40-86b7-c2e4a6f8d035",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/ehr/secrets/odd-keys","verb":"get",
                 "user":{"username":"bob@example.org","groups":["system:authenticated"]},"sourceIPs":["10.20.0.9"],
                 "objectRef":{"resource":"secrets","namespace":"ehr","name":"odd-keys","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":200},
                 "responseObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"odd-keys","namespace":"ehr"},
                   "data":{"tls/key~1":"a2V5LW1hdGVyaWFs"},"type":"Opaque"}}
                """);

        assertThat(redactor.redact(e)).containsExactly("/responseObject/data/tls~1key~01");
        assertThat(e.at("/responseObject/data/tls~1key~01").textValue()).isEqualTo(REDACTED);
    }

    @Test
    void shouldRedactCaseVariantsWhenSecretIsSpelledOddly() {
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"0c6e8a2d-4f17-4b93-a8d0-e5b7c9f1a368",
                 "stage":"ResponseComplete","requestURI":"/apis/example.io/v1/namespaces/default/bundles","verb":"create",
                 "user":{"username":"ci-bot","groups":["system:authenticated"]},"sourceIPs":["10.20.1.2"],
                 "objectRef":{"resource":"bundles","namespace":"default","apiGroup":"example.io","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":201},
                 "requestObject":{"kind":"Bundle","apiVersion":"example.io/v1","spec":{"items":[
                   {"kind":"secret","apiVersion":"v1","StringData":{"pw":"case-Secr3t-91"}}]}}}
                """);

        assertThat(redactor.redact(e)).containsExactly("/requestObject/spec/items/0/StringData/pw");
        assertNowhere(e, "case-Secr3t-91");
    }

    @Test
    void shouldReturnEmptyImmutableListWhenEventHoldsNoBodies() {
        // events.ndjson line 1: a Metadata-level secret create carries no bodies
        ObjectNode e = event("""
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"55a81824-ab56-46c5-8b02-96336f5e78d7",
                 "stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/secrets","verb":"create",
                 "user":{"username":"minikube-user","groups":["system:masters","system:authenticated"]},"sourceIPs":["192.168.64.1"],
                 "userAgent":"kubectl/v1.17.3 (darwin/amd64) kubernetes/06ad960",
                 "objectRef":{"resource":"secrets","namespace":"default","name":"example-secret","apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":201},
                 "requestReceivedTimestamp":"2020-04-21T17:57:05.541358Z","stageTimestamp":"2020-04-21T17:57:05.548299Z",
                 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}
                """);

        List<String> paths = redactor.redact(e);

        assertThat(paths).isEmpty();
        assertThatThrownBy(() -> paths.add("/x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldReturnImmutableListWhenSomethingWasRedacted() {
        List<String> paths = redactor.redact(event(SECRET_CREATE));

        assertThatThrownBy(() -> paths.add("/x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldReportNothingWhenEventIsRedactedTwice() {
        ObjectNode e = event(SECRET_APPLY);
        redactor.redact(e);
        ObjectNode once = e.deepCopy();

        assertThat(redactor.redact(e)).isEmpty();
        assertThat(e).isEqualTo(once);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{}",
            "{\"requestObject\":null,\"responseObject\":null}",
            "{\"objectRef\":\"secrets\",\"requestObject\":42}",
            "{\"objectRef\":{\"resource\":\"secrets\"},\"requestObject\":true,\"responseObject\":1.5}",
            "{\"objectRef\":[],\"responseObject\":[1,null,{\"kind\":\"Secret\",\"data\":7}]}",
            "{\"objectRef\":{\"resource\":5,\"namespace\":[]},\"requestObject\":{\"kind\":[\"Secret\"],\"data\":{\"a\":\"b\"}}}",
            "{\"responseObject\":{\"kind\":\"SecretList\",\"items\":{\"not\":\"an array\"}}}",
            "{\"responseObject\":{\"kind\":\"SecretList\",\"items\":[1,null,\"x\",[],{\"data\":null}]}}",
            "{\"responseObject\":{\"kind\":\"Table\",\"rows\":[1,null,{\"object\":\"x\"},{\"object\":{\"kind\":\"Secret\",\"data\":[]}}]}}",
            "{\"responseObject\":{\"type\":\"ADDED\",\"object\":null}}",
            "{\"objectRef\":{\"resource\":\"secrets\"},\"requestObject\":[null,1,\"x\",{\"op\":\"add\"},{\"op\":\"add\",\"path\":7,\"value\":\"v\"}]}",
            "{\"objectRef\":{\"resource\":\"secrets\"},\"requestObject\":[{\"op\":\"add\",\"path\":\"/data/\",\"value\":null}]}",
            "{\"objectRef\":{\"resource\":\"serviceaccounts\",\"subresource\":\"token\"},\"responseObject\":{\"status\":\"token\"}}",
            "{\"objectRef\":{\"resource\":\"tokenreviews\"},\"requestObject\":{\"spec\":[\"token\"]}}",
            "{\"objectRef\":{\"resource\":\"secrets\"},\"annotations\":\"patch.webhook.admission.k8s.io/x\"}",
            "{\"responseObject\":{\"kind\":\"Secret\",\"metadata\":{\"annotations\":[\"kubectl.kubernetes.io/last-applied-configuration\"]}}}",
            "{\"responseObject\":{\"kind\":\"Secret\",\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":{\"data\":1}}}}}"
    })
    void shouldNotThrowWhenInputIsOdd(String json) {
        ObjectNode e = event(json);

        assertThatCode(() -> {
            List<String> paths = redactor.redact(e);
            assertThat(paths).isNotNull();
            write(e);
        }).doesNotThrowAnyException();
    }

    @Test
    void shouldReturnEmptyListWhenEventIsNull() {
        assertThat(redactor.redact(null)).isEmpty();
    }

    @Test
    void shouldCutSubtreeWhenNestingIsDeeperThanAnyParsedEvent() {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        ObjectNode node = e.putObject("requestObject");
        for (int i = 0; i < 5000; i++) {
            node = node.putObject("n");
        }
        node.put("kind", "Secret").putObject("data").put("k", "deep-Secr3t-13");

        assertThatCode(() -> redactor.redact(e)).doesNotThrowAnyException();
        assertNowhere(e, "deep-Secr3t-13");
    }
}
