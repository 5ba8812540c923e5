package io.auditkeeper.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditEvent;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.streams.CorpusFixtures;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class AuditEventScannerTest {
    @Test
    void shouldReadEveryCorpusEventAsTheTreeReaderDoes() throws Exception {
        for (CorpusFixtures.Item item : CorpusFixtures.all()) {
            AuditEventScanner.Scanned scanned = AuditEventScanner.scan(item.bytes());
            assertThat(scanned).as(item.source()).isNotNull();
            ObjectNode tree = (ObjectNode) AuditJson.mapper().readTree(item.bytes());
            AuditEvent expected = AuditEventReader.read(tree);

            assertThat(withoutBodies(scanned.event())).as(item.source()).isEqualTo(withoutBodies(expected));
            assertThat(body(item.bytes(), scanned.requestObject())).as(item.source()).isEqualTo(expected.requestObject());
            assertThat(body(item.bytes(), scanned.responseObject())).as(item.source()).isEqualTo(expected.responseObject());
        }
    }

    @Test
    void shouldGiveTheExactBytesOfEachBodyWhenTheEventHasThem() {
        String json = "{ \"auditID\" : \"a\", \"requestObject\" :{\"kind\":\"Pod\", \"x\":[1,{}]} ,\"stage\":\"ResponseComplete\","
                + "\"responseObject\":[ {\"op\":\"add\"} ]}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);

        AuditEventScanner.Scanned s = AuditEventScanner.scan(bytes);

        assertThat(slice(bytes, s.requestObject())).isEqualTo("{\"kind\":\"Pod\", \"x\":[1,{}]}");
        assertThat(slice(bytes, s.responseObject())).isEqualTo("[ {\"op\":\"add\"} ]");
        assertThat(s.event().stage()).isEqualTo("ResponseComplete");
    }

    @Test
    void shouldLeaveTheEventToTheTreeReaderWhenItsShapeIsUnusual() {
        String[] unusual = {
                "{\"auditID\":\"a\"} {}",
                "{\"auditID\":\"a\",\"requestObject\":\"a YAML body\"}",
                "{\"auditID\":\"a\",\"requestObject\":{\"kind\":\"Pod\",]}",
                "{\"auditID\":7}",
                "{\"auditID\":\"a\",\"user\":{\"groups\":[\"g\",null]}}",
                "{\"auditID\":\"a\",\"responseStatus\":{\"code\":\"403\"}}",
                "{\"auditID\":\"a\",\"annotations\":{\"n\":1}}",
                "[{\"auditID\":\"a\"}]",
        };
        for (String json : unusual) {
            assertThat(AuditEventScanner.scan(json.getBytes(StandardCharsets.UTF_8))).as(json).isNull();
        }
    }

    private static String slice(byte[] bytes, AuditEventScanner.Span span) {
        return new String(bytes, span.offset(), span.length(), StandardCharsets.UTF_8);
    }

    private static JsonNode body(byte[] bytes, AuditEventScanner.Span span) throws Exception {
        return span == null ? null : AuditJson.mapper().readTree(bytes, span.offset(), span.length());
    }

    private static AuditEvent withoutBodies(AuditEvent e) {
        return new AuditEvent(e.kind(), e.apiVersion(), e.level(), e.auditID(), e.stage(), e.requestURI(), e.verb(),
                e.user(), e.impersonatedUser(), e.sourceIPs(), e.userAgent(), e.objectRef(), e.responseStatus(),
                null, null, e.requestReceivedTimestamp(), e.stageTimestamp(), e.annotations());
    }
}
