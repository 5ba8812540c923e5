package io.auditkeeper.streams.redact;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.streams.normalize.AuditEventScanner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.auditkeeper.streams.redact.TestEvents.PHI;
import static io.auditkeeper.streams.redact.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The byte prefilter ({@link SecretRedactor#mayRedact}) for data redacted in PHI namespaces only: it sends an event to
 * the tree walk exactly when the event's namespace, or a namespace named in its bodies, is a PHI namespace.
 */
class SecretRedactorPrefilterTest {
    private final SecretRedactor redactor = SecretRedactor.defaults(PHI);

    private static String configMapEvent(String uri, String verb, String namespace, String requestObject, String responseObject) {
        return """
                {"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"5f1c0d2e-7a64-4b3e-9c1d-2e8f6a0b4c71",
                 "stage":"ResponseComplete","requestURI":"%s","verb":"%s",
                 "user":{"username":"alice@example.org","groups":["system:authenticated"]},"sourceIPs":["10.20.0.7"],
                 "objectRef":{"resource":"configmaps",%s"apiVersion":"v1"},
                 "responseStatus":{"metadata":{},"code":200}%s%s,
                 "requestReceivedTimestamp":"2026-11-27T10:00:00.000000Z","stageTimestamp":"2026-11-27T10:00:00.010000Z"}
                """.formatted(uri, verb, namespace == null ? "" : "\"namespace\":\"" + namespace + "\",",
                requestObject == null ? "" : ",\"requestObject\":" + requestObject,
                responseObject == null ? "" : ",\"responseObject\":" + responseObject);
    }

    private static String configMap(String namespace, String value) {
        return "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"settings\",\"namespace\":\"" + namespace
                + "\"},\"data\":{\"dsn\":\"" + value + "\"}}";
    }

    private boolean mayRedact(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        AuditEventScanner.Scanned s = AuditEventScanner.scan(bytes);
        assertThat(s).as("the scan reads the event").isNotNull();
        return SecretRedactorCorpusTest.mayRedact(redactor, s, bytes);
    }

    private List<String> redact(String json) {
        ObjectNode e = event(json);
        return redactor.redact(e);
    }

    @Test
    void shouldSkipTheTreeWhenAConfigMapIsWrittenOutsidePhiNamespaces() {
        String e = configMapEvent("/api/v1/namespaces/default/configmaps", "create", "default",
                configMap("default", "postgres://app@db"), configMap("default", "postgres://app@db"));

        assertThat(mayRedact(e)).isFalse();
        assertThat(redact(e)).isEmpty();
    }

    @Test
    void shouldLookCloserWhenAConfigMapIsWrittenInAPhiNamespace() {
        String e = configMapEvent("/api/v1/namespaces/ehr/configmaps", "create", "ehr",
                configMap("ehr", "postgres://app@db"), null);

        assertThat(mayRedact(e)).isTrue();
        assertThat(redact(e)).containsExactly("/requestObject/data/dsn");
    }

    @Test
    void shouldLookCloserWhenTheBodyNamesAPhiNamespaceThatTheRequestDoesNot() {
        // the apiserver refuses the mismatch, but the audit event has already copied the body
        String e = configMapEvent("/api/v1/namespaces/default/configmaps", "create", "default",
                configMap("patients-prod", "postgres://app@db"), null);

        assertThat(mayRedact(e)).isTrue();
        assertThat(redact(e)).containsExactly("/requestObject/data/dsn");
    }

    @Test
    void shouldLookCloserWhenAClusterWideListHoldsAnItemInAPhiNamespace() {
        String list = "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[" + configMap("default", "a")
                + "," + configMap("patients-east", "b") + "]}";
        String e = configMapEvent("/api/v1/configmaps", "list", null, null, list);

        assertThat(mayRedact(e)).isTrue();
        assertThat(redact(e)).containsExactly("/responseObject/items/1/data/dsn");
    }

    @Test
    void shouldSkipTheTreeWhenAClusterWideListHoldsNoItemInAPhiNamespace() {
        String list = "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[" + configMap("default", "a")
                + "," + configMap("patients", "b") + "]}";
        String e = configMapEvent("/api/v1/configmaps", "list", null, null, list);

        assertThat(mayRedact(e)).as("'patients' does not match 'patients-*'").isFalse();
        assertThat(redact(e)).isEmpty();
    }

    @Test
    void shouldLookCloserWhenANamespaceIsSpelledWithAnEscape() {
        String e = configMapEvent("/api/v1/namespaces/default/configmaps", "create", "default",
                configMap("e\\u0068r", "postgres://app@db"), null);

        assertThat(mayRedact(e)).isTrue();
        assertThat(redact(e)).containsExactly("/requestObject/data/dsn");
    }

    @Test
    void shouldSkipTheTreeWhenTheOnlyEscapesAreTheOnesGoWritesForHtml() {
        String e = configMapEvent("/api/v1/namespaces/default/configmaps", "create", "default",
                configMap("default", "a\\u0026b\\u003cc\\u003e"), null);

        assertThat(mayRedact(e)).isFalse();
        assertThat(redact(e)).isEmpty();
    }

    @Test
    void shouldLookCloserWhenAKeyIsSpelledWithAnEscape() {
        String body = "{\"\\u006bind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"s\"},\"data\":{\"k\":\"c2VjcmV0\"}}";
        String e = configMapEvent("/api/v1/namespaces/default/pods", "create", "default", body, null)
                .replace("\"resource\":\"configmaps\"", "\"resource\":\"pods\"");

        assertThat(mayRedact(e)).isTrue();
        assertThat(redact(e)).containsExactly("/requestObject/data/k");
    }

    @Test
    void shouldLookCloserWhenAConfigMapInAPhiNamespaceIsEmbeddedInAnotherResource() {
        String template = "{\"kind\":\"Template\",\"apiVersion\":\"template.openshift.io/v1\",\"metadata\":{\"name\":\"t\"},"
                + "\"objects\":[" + configMap("ehr", "postgres://app@db") + "]}";
        String e = configMapEvent("/apis/template.openshift.io/v1/namespaces/default/templates", "create", "default",
                template, null).replace("\"resource\":\"configmaps\"", "\"resource\":\"templates\"");

        assertThat(mayRedact(e)).isTrue();
        assertThat(redact(e)).containsExactly("/requestObject/objects/0/data/dsn");
        String elsewhere = e.replace("\"namespace\":\"ehr\"", "\"namespace\":\"default\"");
        assertThat(mayRedact(elsewhere)).isFalse();
        assertThat(redact(elsewhere)).isEmpty();
    }

    @Test
    void shouldAlwaysLookCloserWhenTheResourceIsSecretsWhateverTheNamespace() {
        String e = configMapEvent("/api/v1/namespaces/default/secrets", "get", "default", null, "{\"kind\":\"Status\"}")
                .replace("\"resource\":\"configmaps\"", "\"resource\":\"secrets\"");

        assertThat(mayRedact(e)).isTrue();
    }

    @Test
    void shouldSkipTheTreeWhenASecretIsReadAtMetadataLevelWithoutBodies() {
        String e = configMapEvent("/api/v1/namespaces/ehr/secrets/db", "get", "ehr", null, null)
                .replace("\"resource\":\"configmaps\"", "\"resource\":\"secrets\"");

        assertThat(mayRedact(e)).isFalse();
        assertThat(redact(e)).isEmpty();
    }

    @Test
    void shouldLookCloserWhenASecretWithoutBodiesHasAWebhookPatch() {
        String patch = "{\\\"configuration\\\":\\\"m\\\",\\\"webhook\\\":\\\"w\\\",\\\"patch\\\":[{\\\"op\\\":\\\"add\\\","
                + "\\\"path\\\":\\\"/data/token\\\",\\\"value\\\":\\\"c2VjcmV0\\\"}],\\\"patchType\\\":\\\"JSONPatch\\\"}";
        String e = configMapEvent("/api/v1/namespaces/ehr/secrets", "create", "ehr", null, null)
                .replace("\"resource\":\"configmaps\"", "\"resource\":\"secrets\"")
                .replace("\"responseStatus\"", "\"annotations\":{\"patch.webhook.admission.k8s.io/round_0_index_0\":\"" + patch
                        + "\"},\"responseStatus\"");

        assertThat(mayRedact(e)).isTrue();
        assertThat(redact(e)).isNotEmpty();
    }
}
