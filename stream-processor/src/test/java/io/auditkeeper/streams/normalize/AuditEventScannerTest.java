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

    @Test
    void shouldNeverAcceptWhatJacksonRefusesWhenCorpusEventsAreDamaged() throws Exception {
        java.util.Random random = new java.util.Random(20261127);
        byte[] damage = "{}[],:\"\\ 0e-.tfnu\u00e9".getBytes(StandardCharsets.UTF_8);
        java.util.List<CorpusFixtures.Item> items = CorpusFixtures.all();
        int refused = 0;
        int accepted = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] original = items.get(random.nextInt(items.size())).bytes();
            byte[] b = damaged(original, random, damage);
            AuditEventScanner.Scanned scanned = AuditEventScanner.scan(b);
            JsonNode tree;
            try {
                tree = AuditJson.mapper().readTree(b);
            } catch (Exception e) {
                tree = null;
            }
            if (tree == null || !tree.isObject()) {
                assertThat(scanned).as("the scan accepted what Jackson refuses: %s", new String(b, StandardCharsets.UTF_8)).isNull();
                refused++;
                continue;
            }
            if (scanned != null) {
                AuditEvent expected;
                try {
                    expected = AuditEventReader.read((ObjectNode) tree);
                } catch (Exception e) {
                    continue;
                }
                assertThat(withoutBodies(scanned.event())).isEqualTo(withoutBodies(expected));
                assertThat(body(b, scanned.requestObject())).isEqualTo(expected.requestObject());
                assertThat(body(b, scanned.responseObject())).isEqualTo(expected.responseObject());
                accepted++;
            }
        }
        assertThat(refused).as("damaged events Jackson refuses").isGreaterThan(5_000);
        assertThat(accepted).as("damaged events both read, identically").isGreaterThan(1_000);
    }

    /** The event with one byte changed, inserted or removed, or cut short; mostly where its bodies are. */
    private static byte[] damaged(byte[] original, java.util.Random random, byte[] damage) {
        int at = random.nextInt(original.length);
        byte with = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : damage[random.nextInt(damage.length)];
        return switch (random.nextInt(4)) {
            case 0 -> {
                byte[] b = original.clone();
                b[at] = with;
                yield b;
            }
            case 1 -> {
                byte[] b = new byte[original.length + 1];
                System.arraycopy(original, 0, b, 0, at);
                b[at] = with;
                System.arraycopy(original, at, b, at + 1, original.length - at);
                yield b;
            }
            case 2 -> {
                byte[] b = new byte[original.length - 1];
                System.arraycopy(original, 0, b, 0, at);
                System.arraycopy(original, at + 1, b, at, original.length - at - 1);
                yield b;
            }
            default -> java.util.Arrays.copyOf(original, at);
        };
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
