package io.auditkeeper.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class AuditEventTest {
    private static final String TOPIC = AuditTopics.EVENTS;
    private static final ObjectMapper MAPPER = AuditJson.mapper();

    /** The fields of an {@code audit.k8s.io/v1 Event} (with {@code kind} and {@code apiVersion}). */
    private static final List<String> EVENT_FIELDS = List.of("kind", "apiVersion", "level", "auditID", "stage",
            "requestURI", "verb", "user", "impersonatedUser", "sourceIPs", "userAgent", "objectRef", "responseStatus",
            "requestObject", "responseObject", "requestReceivedTimestamp", "stageTimestamp", "annotations");
    private static final List<String> USER_INFO_FIELDS = List.of("username", "uid", "groups", "extra");
    /** The fields of the nested objects that the model keeps; other fields (e.g. Status.details) are not modeled. */
    private static final Map<String, List<String>> NESTED_FIELDS = Map.of(
            "user", USER_INFO_FIELDS,
            "impersonatedUser", USER_INFO_FIELDS,
            "objectRef", List.of("resource", "namespace", "name", "uid", "apiGroup", "apiVersion", "resourceVersion",
                    "subresource"),
            "responseStatus", List.of("code", "status", "reason", "message"));

    private final Serializer<AuditEvent> serializer = JsonSerde.auditEvent().serializer();
    private final Deserializer<AuditEvent> deserializer = JsonSerde.auditEvent().deserializer();

    /**
     * One case per corpus file, not per event: the corpus has about a thousand events, and a case per event would
     * make each of the properties below count as a thousand tests. Each case checks every event of its file and, on
     * failure, names each failing event ({@code file:line}) with its assertion's message.
     */
    static Stream<Path> corpusFiles() {
        return CorpusEvents.files().stream();
    }

    /** Checks {@code property} on every event of {@code file}; fails naming every event it does not hold for. */
    private static void forEachEvent(Path file, Consumer<CorpusEvents.Line> property) {
        List<CorpusEvents.Line> lines = CorpusEvents.lines(file);
        assertThat(lines).as("events in %s", file).isNotEmpty();
        List<String> failures = new ArrayList<>();
        for (CorpusEvents.Line line : lines) {
            try {
                property.accept(line);
            } catch (AssertionError | RuntimeException e) {
                failures.add(line + ": " + e.getMessage());
            }
        }
        assertThat(failures).as("events of %s (%d) for which this does not hold", file.getFileName(), lines.size())
                .isEmpty();
    }

    @Test
    void shouldFindEveryEventFileWhenCorpusIsLoaded() {
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (var file : CorpusEvents.files()) {
            List<CorpusEvents.Line> lines = CorpusEvents.lines(file);
            counts.put(lines.get(0).file(), lines.size());
        }

        assertThat(counts).containsExactly(
                Map.entry("events.ndjson", 482),
                Map.entry("extra/audit2rbac-remaining.ndjson", 524),
                Map.entry("supplementary/falco-hand-edited-variants.ndjson", 17),
                Map.entry("supplementary/gke-converted-by-stackdriver-webhook-bridge.ndjson", 25),
                Map.entry("supplementary/panther-eks-derived.ndjson", 13));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpusFiles")
    void shouldKeepAuditIdStageVerbAndUriWhenCorpusEventIsDeserialized(Path file) {
        forEachEvent(file, line -> {
            JsonNode json = tree(line.bytes());

            AuditEvent event = deserializer.deserialize(TOPIC, line.bytes());

            assertThat(event).isNotNull();
            assertThat(event.auditID()).isEqualTo(json.get("auditID").asText()).isNotBlank();
            assertThat(event.stage()).isEqualTo(json.get("stage").asText()).isIn(AuditEvent.STAGES);
            assertThat(event.verb()).isEqualTo(json.get("verb").asText());
            assertThat(event.requestURI()).isEqualTo(json.get("requestURI").asText());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpusFiles")
    void shouldLeaveFieldNullWhenCorpusEventLacksIt(Path file) {
        forEachEvent(file, line -> {
            AuditEvent event = deserializer.deserialize(TOPIC, line.bytes());

            SoftAssertions softly = new SoftAssertions();
            assertPresence("", event, tree(line.bytes()), softly);
            softly.assertAll();
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpusFiles")
    void shouldGiveEqualTreeOfModeledFieldsWhenCorpusEventIsSerializedAndDeserialized(Path file) {
        forEachEvent(file, line -> {
            AuditEvent event = deserializer.deserialize(TOPIC, line.bytes());

            byte[] written = serializer.serialize(TOPIC, event);
            AuditEvent reread = deserializer.deserialize(TOPIC, written);

            assertThat(tree(written)).isEqualTo(modeledFields(tree(line.bytes())));
            assertThat(reread).isEqualTo(event);
            assertThat(tree(serializer.serialize(TOPIC, reread))).isEqualTo(tree(written));
        });
    }

    @Test
    void shouldLeaveApiVersionNullWhenEventHasNone() {
        List<CorpusEvents.Line> withoutApiVersion = CorpusEvents.lines(CorpusEvents.dir().resolve("events.ndjson"))
                .stream().filter(l -> !tree(l.bytes()).has("apiVersion")).toList();

        assertThat(withoutApiVersion).hasSize(39);
        for (CorpusEvents.Line line : withoutApiVersion) {
            AuditEvent event = deserializer.deserialize(TOPIC, line.bytes());
            assertThat(event.apiVersion()).as(line.toString()).isNull();
            assertThat(event.auditID()).as(line.toString()).isNotBlank();
        }
    }

    @Test
    void shouldLeaveObjectRefNullWhenRequestIsForNonResourceUrl() {
        List<AuditEvent> events = readAll("events.ndjson");

        List<AuditEvent> nonResource = events.stream().filter(e -> e.objectRef() == null).toList();

        assertThat(nonResource).hasSize(41);
        assertThat(nonResource).extracting(AuditEvent::requestURI)
                .allSatisfy(uri -> assertThat(uri).matches(
                        "(/|/api(/v1)?|/apis(/[^/?]+){0,2}|/(livez|readyz|healthz|metrics|version|openapi/v[23])(/.*)?)(\\?.*)?"));
        assertThat(events.stream().filter(e -> e.objectRef() != null))
                .allSatisfy(e -> assertThat(e.objectRef().resource()).isNotBlank());
    }

    @Test
    void shouldLeaveImpersonatedUserNullWhenRequestIsNotImpersonated() {
        List<CorpusEvents.Line> lines = CorpusEvents.lines(CorpusEvents.dir().resolve("events.ndjson"));

        int impersonated = 0;
        for (CorpusEvents.Line line : lines) {
            JsonNode json = tree(line.bytes());
            AuditEvent event = deserializer.deserialize(TOPIC, line.bytes());
            if (json.has("impersonatedUser")) {
                impersonated++;
                assertThat(event.impersonatedUser().username()).as(line.toString())
                        .isEqualTo(json.at("/impersonatedUser/username").asText());
            } else {
                assertThat(event.impersonatedUser()).as(line.toString()).isNull();
            }
        }
        assertThat(impersonated).isEqualTo(37);
    }

    @Test
    void shouldLeaveOptionalFieldsNullWhenMinimalEventIsDeserialized() {
        AuditEvent event = deserializer.deserialize(TOPIC, utf8("""
                {"auditID":"a1","stage":"Panic","verb":"get","requestURI":"/healthz","level":"Metadata"}"""));

        assertThat(event.auditID()).isEqualTo("a1");
        assertThat(event.stage()).isEqualTo("Panic");
        assertThat(event.kind()).isNull();
        assertThat(event.apiVersion()).isNull();
        assertThat(event.user()).isNull();
        assertThat(event.impersonatedUser()).isNull();
        assertThat(event.sourceIPs()).isNull();
        assertThat(event.objectRef()).isNull();
        assertThat(event.responseStatus()).isNull();
        assertThat(event.requestObject()).isNull();
        assertThat(event.responseObject()).isNull();
        assertThat(event.requestReceivedTimestamp()).isNull();
        assertThat(event.annotations()).isNull();
        assertThat(tree(serializer.serialize(TOPIC, event))).isEqualTo(tree(utf8("""
                {"auditID":"a1","stage":"Panic","verb":"get","requestURI":"/healthz","level":"Metadata"}""")));
    }

    @Test
    void shouldKeepNonRfc3339TimestampsAsWrittenWhenEventHasThem() {
        AuditEvent event = deserializer.deserialize(TOPIC, utf8("""
                {"auditID":"a2","stage":"ResponseComplete","verb":"get","requestURI":"/version",
                 "requestReceivedTimestamp":"2024-11-13 18:34:10.595141000","stageTimestamp":"1731522850"}"""));

        assertThat(event.requestReceivedTimestamp()).isEqualTo("2024-11-13 18:34:10.595141000");
        assertThat(event.stageTimestamp()).isEqualTo("1731522850");
    }

    @Test
    void shouldIgnoreUnknownFieldsWhenEventHasFieldsOutsideTheModel() {
        AuditEvent event = deserializer.deserialize(TOPIC, utf8("""
                {"auditID":"a3","stage":"ResponseComplete","verb":"get","requestURI":"/api","metadata":{"x":1},
                 "timestamp":"2024-01-01T00:00:00Z","responseStatus":{"metadata":{},"code":404,"details":{"name":"n"}}}"""));

        assertThat(event.auditID()).isEqualTo("a3");
        assertThat(event.responseStatus().code()).isEqualTo(404);
    }

    @Test
    void shouldThrowSerializationExceptionWithoutInputWhenValueIsTruncated() {
        byte[] corrupt = utf8("{\"auditID\": \"SECRET-VALUE-123\"");

        SerializationException e = catchThrowableOfType(SerializationException.class,
                () -> deserializer.deserialize(TOPIC, corrupt));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("AuditEvent");
        assertThat(messagesOf(e)).doesNotContain("SECRET-VALUE-123");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "SECRET-VALUE-123",
            "{\"auditID\": \"SECRET-VALUE-123\", }",
            "{\"auditID\": {\"nested\": \"SECRET-VALUE-123\"}}",
            "{\"auditID\": \"a\", \"responseStatus\": {\"code\": \"SECRET-VALUE-123\"}}",
            "{\"auditID\": \"a\", \"sourceIPs\": \"SECRET-VALUE-123\"}",
            "[\"SECRET-VALUE-123\"]",
    })
    void shouldThrowSerializationExceptionWithoutInputWhenValueIsCorrupt(String value) {
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, utf8(value)))
                .isInstanceOf(SerializationException.class)
                .satisfies(e -> assertThat(messagesOf(e)).doesNotContain("SECRET-VALUE-123"));
    }

    @Test
    void shouldReturnNullWhenValueIsNull() {
        assertThat(deserializer.deserialize(TOPIC, null)).isNull();
        assertThat(serializer.serialize(TOPIC, null)).isNull();
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Every record component is null exactly when its JSON field is absent, recursively into nested records. */
    private static void assertPresence(String path, Object record, JsonNode json, SoftAssertions softly) {
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            Object value;
            try {
                value = c.getAccessor().invoke(record);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new AssertionError(e);
            }
            JsonNode field = json.get(c.getName());
            if (field == null) {
                softly.assertThat(value).as(path + c.getName() + " (absent in the JSON)").isNull();
            } else if (!field.isNull()) {
                softly.assertThat(value).as(path + c.getName() + " (present in the JSON)").isNotNull();
                if (value != null && value.getClass().isRecord()) {
                    assertPresence(path + c.getName() + ".", value, field, softly);
                }
            }
        }
    }

    /** The event's tree restricted to the fields the model keeps, without JSON nulls (which mean "absent"). */
    private static JsonNode modeledFields(JsonNode event) {
        ObjectNode out = MAPPER.createObjectNode();
        for (String name : EVENT_FIELDS) {
            JsonNode v = event.get(name);
            if (v == null || v.isNull()) {
                continue;
            }
            List<String> nested = NESTED_FIELDS.get(name);
            if (nested != null && v.isObject()) {
                ObjectNode sub = out.putObject(name);
                for (String n : nested) {
                    JsonNode nv = v.get(n);
                    if (nv != null && !nv.isNull()) {
                        sub.set(n, nv);
                    }
                }
            } else {
                out.set(name, v);
            }
        }
        return out;
    }

    private List<AuditEvent> readAll(String file) {
        List<AuditEvent> out = new ArrayList<>();
        for (CorpusEvents.Line line : CorpusEvents.lines(CorpusEvents.dir().resolve(file))) {
            out.add(deserializer.deserialize(TOPIC, line.bytes()));
        }
        return out;
    }

    private static String messagesOf(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append('\n');
            for (Throwable s : c.getSuppressed()) {
                sb.append(s).append('\n');
            }
        }
        return sb.toString();
    }

    private static JsonNode tree(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
