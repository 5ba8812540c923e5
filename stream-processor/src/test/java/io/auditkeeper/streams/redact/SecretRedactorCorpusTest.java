package io.auditkeeper.streams.redact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.streams.CorpusFixtures;
import io.auditkeeper.streams.normalize.AuditEventScanner;
import io.auditkeeper.streams.rules.PhiNamespaces;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.auditkeeper.streams.redact.TestEvents.MAPPER;
import static io.auditkeeper.streams.redact.TestEvents.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** Property-style checks over every real (and supplementary) event of testdata/corpus. */
class SecretRedactorCorpusTest {
    private record CorpusEvent(String source, ObjectNode event) {
        String resource() {
            return event.path("objectRef").path("resource").asText(null);
        }
    }

    private static List<CorpusEvent> allEvents() throws IOException {
        List<CorpusEvent> events = new ArrayList<>();
        for (CorpusFixtures.Item item : CorpusFixtures.all()) {
            events.add(new CorpusEvent(item.source(), (ObjectNode) MAPPER.readTree(item.bytes())));
        }
        return events;
    }

    private static ObjectNode line(int lineNumber) throws IOException {
        return (ObjectNode) MAPPER.readTree(Files.readAllLines(CorpusFixtures.corpus().resolve("events.ndjson")).get(lineNumber - 1));
    }

    @Test
    void shouldNeverThrowWhenRedactingAnyCorpusEvent() throws IOException {
        List<CorpusEvent> events = allEvents();
        SecretRedactor[] redactors = {
                SecretRedactor.defaults(PhiNamespaces.none()),
                SecretRedactor.defaults(new PhiNamespaces(List.of("*"))),
                new SecretRedactor(java.util.Set.of("configmaps", "pods", "serviceaccounts"), java.util.Set.of(), null)};

        assertThat(events).hasSizeGreaterThan(1000);
        for (SecretRedactor redactor : redactors) {
            for (CorpusEvent c : events) {
                ObjectNode copy = c.event().deepCopy();
                assertThatCode(() -> {
                    List<String> paths = redactor.redact(copy);
                    for (String p : paths) {
                        assertThat(copy.at(p).textValue()).as(c.source() + " " + p).isEqualTo(SecretRedactor.REDACTED);
                    }
                    write(copy);
                }).as(c.source()).doesNotThrowAnyException();
            }
        }
    }

    @Test
    void shouldFindNothingToRedactWhenTheBytePrefilterSaysSo() {
        SecretRedactor[] redactors = {
                SecretRedactor.defaults(PhiNamespaces.none()),
                SecretRedactor.defaults(new PhiNamespaces(List.of("*"))),
                SecretRedactor.defaults(new PhiNamespaces(List.of("kube-system", "openshift-*", "phi-*"))),
                new SecretRedactor(java.util.Set.of("configmaps", "pods", "serviceaccounts"), java.util.Set.of(), null),
                new SecretRedactor(java.util.Set.of(), java.util.Set.of("configmaps", "pods", "deployments"),
                        new PhiNamespaces(List.of("kube-system", "default")))};
        for (SecretRedactor redactor : redactors) {
            int skipped = 0;
            List<CorpusFixtures.Item> items = CorpusFixtures.all();
            for (CorpusFixtures.Item item : items) {
                AuditEventScanner.Scanned s = AuditEventScanner.scan(item.bytes());
                assertThat(s).as(item.source()).isNotNull();
                if (!mayRedact(redactor, s, item.bytes())) {
                    skipped++;
                    ObjectNode tree = TestEvents.event(new String(item.bytes(), java.nio.charset.StandardCharsets.UTF_8));
                    assertThat(redactor.redact(tree)).as(item.source()).isEmpty();
                }
            }
            assertThat(skipped).as("events the prefilter lets through without a tree").isGreaterThan(items.size() / 2);
        }
    }

    static boolean mayRedact(SecretRedactor redactor, AuditEventScanner.Scanned s, byte[] bytes) {
        List<Integer> bodies = new ArrayList<>();
        for (AuditEventScanner.Span span : new AuditEventScanner.Span[] {s.requestObject(), s.responseObject()}) {
            if (span != null) {
                bodies.add(span.offset());
                bodies.add(span.length());
            }
        }
        var ref = s.event().objectRef();
        return redactor.mayRedact(ref == null ? null : ref.resource(), ref == null ? null : ref.subresource(),
                ref == null ? null : ref.namespace(), SecretRedactor.hasWebhookPatch(s.event().annotations()), bytes,
                bodies.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void shouldLeaveNoDataValueWhenCorpusEventConcernsSecrets() throws IOException {
        SecretRedactor redactor = SecretRedactor.defaults(PhiNamespaces.none());
        int eventsWithValues = 0;
        int values = 0;
        for (CorpusEvent c : allEvents()) {
            if (!"secrets".equals(c.resource())) {
                continue;
            }
            List<String> secretValues = new ArrayList<>();
            collectDataValues(c.event(), secretValues);
            ObjectNode copy = c.event().deepCopy();

            redactor.redact(copy);

            String out = write(copy);
            for (String v : secretValues) {
                assertThat(out).as(c.source()).doesNotContain(v);
            }
            eventsWithValues += secretValues.isEmpty() ? 0 : 1;
            values += secretValues.size();
        }
        assertThat(eventsWithValues).as("corpus events about secrets that carry values").isGreaterThanOrEqualTo(3);
        assertThat(values).isGreaterThanOrEqualTo(10);
    }

    @Test
    void shouldNotChangeCorpusEventsWhenNoPhiNamespaceIsConfiguredAndNoSecretIsInvolved() throws IOException {
        SecretRedactor redactor = SecretRedactor.defaults(PhiNamespaces.none());
        int untouched = 0;
        for (CorpusEvent c : allEvents()) {
            if ("secrets".equals(c.resource())) {
                continue;
            }
            ObjectNode copy = c.event().deepCopy();

            assertThat(redactor.redact(copy)).as(c.source()).isEmpty();
            assertThat(copy).as(c.source()).isEqualTo(c.event());
            untouched++;
        }
        assertThat(untouched).isGreaterThan(1000);
    }

    @Test
    void shouldRedactExactPathsWhenKubeadmCreatesBootstrapTokenSecret() throws IOException {
        ObjectNode e = line(4);
        String tokenSecret = e.at("/requestObject/data/token-secret").textValue();

        List<String> paths = SecretRedactor.defaults(PhiNamespaces.none()).redact(e);

        List<String> keys = List.of("auth-extra-groups", "expiration", "token-id", "token-secret",
                "usage-bootstrap-authentication", "usage-bootstrap-signing");
        List<String> expected = new ArrayList<>();
        keys.forEach(k -> expected.add("/requestObject/data/" + k));
        keys.forEach(k -> expected.add("/responseObject/data/" + k));
        assertThat(paths).containsExactlyElementsOf(expected);
        assertThat(e.at("/responseObject/type").textValue()).isEqualTo("bootstrap.kubernetes.io/token");
        assertThat(write(e)).doesNotContain(tokenSecret);
    }

    @Test
    void shouldRedactServiceAccountTokenWhenTokensControllerCreatesTokenSecret() throws IOException {
        ObjectNode e = line(6);
        String token = e.at("/responseObject/data/token").textValue();

        List<String> paths = SecretRedactor.defaults(PhiNamespaces.none()).redact(e);

        assertThat(paths).containsExactly(
                "/requestObject/data/ca.crt", "/requestObject/data/namespace", "/requestObject/data/token",
                "/responseObject/data/ca.crt", "/responseObject/data/namespace", "/responseObject/data/token");
        assertThat(e.at("/responseObject/metadata/annotations/kubernetes.io~1service-account.name").textValue()).isEqualTo("default");
        assertThat(write(e)).doesNotContain(token);
    }

    @Test
    void shouldRedactCorpusConfigMapWhenItsNamespaceIsPhi() throws IOException {
        ObjectNode e = line(113);

        List<String> paths = SecretRedactor.defaults(new PhiNamespaces(List.of("openshift-kube-*"))).redact(e);

        assertThat(paths).containsExactly("/responseObject/data/policy.yaml");
        assertThat(e.at("/responseObject/metadata/name").textValue()).isEqualTo("kube-apiserver-audit-policies");
    }

    private static void collectDataValues(JsonNode node, List<String> out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getKey().equals("data") || e.getKey().equals("stringData")) {
                    collectLeaves(e.getValue(), out);
                } else {
                    collectDataValues(e.getValue(), out);
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> collectDataValues(n, out));
        }
    }

    private static void collectLeaves(JsonNode node, List<String> out) {
        if (node.isContainerNode()) {
            node.forEach(n -> collectLeaves(n, out));
        } else if (!node.isNull() && !node.asText().isEmpty()) {
            out.add(node.asText());
        }
    }
}
