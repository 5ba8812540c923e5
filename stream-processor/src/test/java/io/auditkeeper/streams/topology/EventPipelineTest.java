package io.auditkeeper.streams.topology;

import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.DeadLetterReason;
import io.auditkeeper.model.NormalizedEvent;
import io.auditkeeper.streams.CorpusFixtures;
import io.auditkeeper.streams.normalize.RawRecordContext;
import io.auditkeeper.streams.redact.SecretRedactor;
import io.auditkeeper.streams.rules.PhiAccessClassifier;
import io.auditkeeper.streams.rules.PhiNamespaces;
import io.auditkeeper.streams.rules.RuleSet;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline reads most events without a tree and the rest with one; these tests hold the two ways to the same
 * result, and check that a secret cannot slip past the byte-level decision of which way to take.
 */
class EventPipelineTest {
    private static final RawRecordContext RAW = new RawRecordContext("prod-1", "2024-05-02T09:14:07.000000Z", "CN=apiserver",
            new NormalizedEvent.Source("audit.raw", 3, 42));

    private static EventPipeline pipeline(PhiNamespaces phi, SecretRedactor redactor) {
        return new EventPipeline(new PhiAccessClassifier(RuleSet.defaults(), phi), redactor);
    }

    private static final List<EventPipeline> PIPELINES = List.of(
            pipeline(PhiNamespaces.none(), SecretRedactor.defaults(PhiNamespaces.none())),
            pipeline(new PhiNamespaces(List.of("*")), SecretRedactor.defaults(new PhiNamespaces(List.of("*")))),
            pipeline(new PhiNamespaces(List.of("kube-*", "default")),
                    new SecretRedactor(Set.of("configmaps", "pods"), Set.of("events"), new PhiNamespaces(List.of("kube-*")))));

    @Test
    void shouldGiveTheSameResultEitherWayWhenProcessingAnyCorpusEvent() throws Exception {
        List<CorpusFixtures.Item> items = CorpusFixtures.all();
        assertThat(items).hasSizeGreaterThan(1000);
        for (EventPipeline pipeline : PIPELINES) {
            for (CorpusFixtures.Item item : items) {
                assertSameEitherWay(pipeline, item.source(), item.bytes());
                byte[] pretty = AuditJson.mapper().writerWithDefaultPrettyPrinter()
                        .writeValueAsBytes(AuditJson.mapper().readTree(item.bytes()));
                assertSameEitherWay(pipeline, item.source() + " (pretty)", pretty);
            }
        }
    }

    @Test
    void shouldGiveTheSameResultEitherWayWhenTheEventHasAnUnusualShape() {
        String[] odd = {
                "", "null", "[]", "\"text\"", "{", "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\"} trailing",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"requestObject\":{\"kind\":\"Pod\",]}",
                "{\"stage\":\"ResponseComplete\"}", "{\"auditID\":\"a\"}", "{\"auditID\":\"\",\"stage\":\"x\"}",
                "{\"auditID\":7,\"stage\":\"ResponseComplete\",\"verb\":true}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"user\":\"alice\"}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"user\":{\"username\":5,\"groups\":[\"g\",null]}}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"user\":{\"extra\":{\"k\":\"v\"}}}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"sourceIPs\":\"10.0.0.1\"}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"sourceIPs\":[1,\"2\"]}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"annotations\":{\"n\":1,\"o\":{\"x\":1}}}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"annotations\":[]}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"responseStatus\":{\"code\":\"403\"}}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"responseStatus\":{\"code\":403.0}}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"responseStatus\":{\"code\":99999999999}}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"objectRef\":{\"resource\":[\"secrets\"]}}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"requestObject\":\"kind: Secret\\ndata: {a: b}\"}",
                "{\"auditID\":\"a\",\"auditID\":\"b\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"verb\":\"list\"}",
                "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"requestReceivedTimestamp\":\"2024-02-30T00:00:00.000000Z\","
                        + "\"stageTimestamp\":\"2024-02-29 23:59:59.5\"}",
                "{\"auditID\":\"\\u0061\",\"stage\":\"Response\\u0043omplete\",\"verb\":\"g\\u00e9t\"}",
        };
        for (EventPipeline pipeline : PIPELINES) {
            for (String json : odd) {
                assertSameEitherWay(pipeline, json, json.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void shouldRedactASecretWhenItsKindIsSpelledToEscapeAByteSearch() throws Exception {
        for (String kind : List.of("\"kind\":\"\\u0053ecret\"", "\"kind\":\"SECRET\"", "\"kind\":\"\u017Fecret\"",
                "\"\\u006bind\":\"Secret\"", "\"kind\" :\n \"Secret\"", "\"kind\":\"Sec\\u0072et\"")) {
            String json = "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"verb\":\"create\","
                    + "\"objectRef\":{\"resource\":\"templates\",\"namespace\":\"ns\",\"apiGroup\":\"template.openshift.io\"},"
                    + "\"requestObject\":{\"kind\":\"Template\",\"objects\":[{" + kind + ","
                    + "\"data\":{\"password\":\"aHVudGVyMg==\"}}]}}";
            for (EventPipeline pipeline : PIPELINES) {
                EventPipeline.Processed p = (EventPipeline.Processed) pipeline.process(json.getBytes(StandardCharsets.UTF_8), RAW);
                String out = AuditJson.mapper().writeValueAsString(p.normalized());
                assertThat(out).as(kind).doesNotContain("aHVudGVyMg==").contains(SecretRedactor.REDACTED);
                assertThat(p.normalized().redactions()).as(kind).isNotEmpty();
            }
        }
    }

    @Test
    void shouldRedactTheDeadLetterValueWhenAnEventThatWasReadFailsLater() {
        String json = "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"verb\":\"create\","
                + "\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"ns\"},"
                + "\"requestObject\":{\"kind\":\"Secret\",\"data\":{\"password\":\"aHVudGVyMg==\"}}}";
        for (EventPipeline pipeline : PIPELINES) {
            EventPipeline.Rejected r = pipeline.rejectedAfterReading(DeadLetterReason.UNWRITABLE_EVENT, "could not be written",
                    json.getBytes(StandardCharsets.UTF_8));

            assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain("aHVudGVyMg==")
                    .contains(SecretRedactor.REDACTED);
            assertThat(r.detail()).isEqualTo("could not be written; secret values redacted");
            assertThat(r.reason()).isEqualTo(DeadLetterReason.UNWRITABLE_EVENT);
            assertThat(r.reason().code()).isEqualTo("unwritable-event");
        }
        byte[] notJson = "{\"password\":".getBytes(StandardCharsets.UTF_8);
        assertThat(PIPELINES.get(0).rejectedAfterReading(DeadLetterReason.UNWRITABLE_EVENT, "d", notJson).value()).isEqualTo(notJson);
    }

    @Test
    void shouldFlagAPrivilegedPodWhenOnlyTheRequestBodySaysSo() {
        String json = "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"verb\":\"create\",\"requestURI\":\"/api/v1/namespaces/phi-x/pods\","
                + "\"user\":{\"username\":\"bob\"},\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"phi-x\",\"apiVersion\":\"v1\"},"
                + "\"responseStatus\":{\"code\":201},"
                + "\"requestObject\":{\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"privileged\":true}}]}}}";
        EventPipeline pipeline = pipeline(new PhiNamespaces(List.of("phi-*")), SecretRedactor.defaults(new PhiNamespaces(List.of("phi-*"))));

        EventPipeline.Processed p = (EventPipeline.Processed) pipeline.process(json.getBytes(StandardCharsets.UTF_8), RAW);

        assertThat(json(p.normalized())).contains("privileged-pod");
        String plain = json.replace("\"privileged\":true", "\"readOnlyRootFilesystem\":true");
        EventPipeline.Processed q = (EventPipeline.Processed) pipeline.process(plain.getBytes(StandardCharsets.UTF_8), RAW);
        assertThat(json(q.normalized())).doesNotContain("privileged-pod");
    }

    private static void assertSameEitherWay(EventPipeline pipeline, String source, byte[] bytes) {
        EventPipeline.Outcome fast = pipeline.process(bytes, RAW);
        EventPipeline.Outcome tree = pipeline.processTree(bytes, RAW);
        assertThat(fast.getClass()).as(source).isEqualTo(tree.getClass());
        if (fast instanceof EventPipeline.Rejected f && tree instanceof EventPipeline.Rejected t) {
            assertThat(f.reason()).as(source).isEqualTo(t.reason());
            assertThat(f.detail()).as(source).isEqualTo(t.detail());
            assertThat(f.value()).as(source).isEqualTo(t.value());
        } else {
            assertThat(json(((EventPipeline.Processed) fast).normalized())).as(source)
                    .isEqualTo(json(((EventPipeline.Processed) tree).normalized()));
        }
    }

    private static String json(NormalizedEvent e) {
        try {
            return AuditJson.mapper().writeValueAsString(e);
        } catch (Exception x) {
            throw new AssertionError(x);
        }
    }

}
