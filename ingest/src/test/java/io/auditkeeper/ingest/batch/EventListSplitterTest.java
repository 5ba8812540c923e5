package io.auditkeeper.ingest.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.ingest.Corpus;
import io.auditkeeper.model.DeadLetterReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventListSplitterTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final EventListSplitter splitter = new EventListSplitter(10_000);

    static Stream<Path> corpusBatches() {
        return Corpus.batches().stream();
    }

    @ParameterizedTest
    @MethodSource("corpusBatches")
    void shouldSliceEveryCorpusEventAsTheExactBytesOfItsItem(Path file) throws Exception {
        byte[] body = Corpus.read(file);
        JsonNode items = MAPPER.readTree(body).get("items");

        SplitBatch batch = splitter.split(body, body.length);

        assertThat(batch.rejected()).isEmpty();
        assertThat(batch.events()).hasSize(items.size());
        for (int i = 0; i < items.size(); i++) {
            EventSlice s = batch.events().get(i);
            byte[] slice = Arrays.copyOfRange(body, s.offset(), s.offset() + s.length());
            assertThat(MAPPER.readTree(slice)).isEqualTo(items.get(i));
            assertThat(slice[0]).isEqualTo((byte) '{');
            assertThat(slice[slice.length - 1]).isEqualTo((byte) '}');
            assertThat(s.auditId()).isEqualTo(items.get(i).get("auditID").asText());
            assertThat(s.stage()).isEqualTo(items.get(i).get("stage").asText());
        }
    }

    @Test
    void shouldKeepEveryCorpusLineByteForByteWhenBatchedTheWayTheApiserverDoes() throws Exception {
        List<byte[]> events = Corpus.events();
        byte[] body = Corpus.eventList(events);

        SplitBatch batch = splitter.split(body, body.length);

        assertThat(batch.events()).hasSize(events.size());
        for (int i = 0; i < events.size(); i++) {
            EventSlice s = batch.events().get(i);
            assertThat(Arrays.copyOfRange(body, s.offset(), s.offset() + s.length())).isEqualTo(events.get(i));
        }
    }

    @Test
    void shouldAcceptEventsWithoutKindOrApiVersionAndAListWithoutThem() throws Exception {
        byte[] body = utf8("{\"items\":[{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"verb\":\"get\"}]}");

        SplitBatch batch = splitter.split(body, body.length);

        assertThat(batch.events()).extracting(EventSlice::auditId).containsExactly("a");
    }

    @Test
    void shouldTreatNullItemsAsAnEmptyBatch() throws Exception {
        byte[] body = utf8("{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":null}");

        assertThat(splitter.split(body, body.length).itemCount()).isZero();
    }

    @Test
    void shouldRejectUnusableItemsAndKeepTheRest() throws Exception {
        byte[] body = utf8("{\"kind\":\"EventList\",\"items\":["
                + "{\"auditID\":\"ok-1\",\"stage\":\"RequestReceived\"},"
                + "42,"
                + "\"a string\","
                + "[1,2],"
                + "{\"stage\":\"ResponseComplete\"},"
                + "{\"auditID\":\"\",\"stage\":\"ResponseComplete\"},"
                + "{\"auditID\":\"no-stage\"},"
                + "{\"auditID\":7,\"stage\":\"ResponseComplete\"},"
                + "{\"auditID\":\"ok-2\",\"stage\":\"ResponseComplete\",\"requestObject\":{\"auditID\":\"inner\"}}"
                + "]}");

        SplitBatch batch = splitter.split(body, body.length);

        assertThat(batch.events()).extracting(EventSlice::auditId).containsExactly("ok-1", "ok-2");
        assertThat(batch.rejected()).extracting(RejectedItem::reason).containsExactly(
                DeadLetterReason.NOT_AN_OBJECT, DeadLetterReason.NOT_AN_OBJECT, DeadLetterReason.NOT_AN_OBJECT,
                DeadLetterReason.MISSING_AUDIT_ID, DeadLetterReason.MISSING_AUDIT_ID, DeadLetterReason.MISSING_STAGE,
                DeadLetterReason.MISSING_AUDIT_ID);
        assertThat(batch.rejected()).extracting(r -> new String(body, r.offset(), r.length(), StandardCharsets.UTF_8))
                .containsExactly("42", "\"a string\"", "[1,2]", "{\"stage\":\"ResponseComplete\"}",
                        "{\"auditID\":\"\",\"stage\":\"ResponseComplete\"}", "{\"auditID\":\"no-stage\"}",
                        "{\"auditID\":7,\"stage\":\"ResponseComplete\"}");
        assertThat(batch.rejected().get(5).auditId()).isEqualTo("no-stage");
        assertThat(batch.rejected().get(0).detail()).isEqualTo("item 1 is a JSON number, not an event object");
    }

    @Test
    void shouldRefuseMalformedJsonWithAPositionAndWithoutQuotingTheContent() {
        byte[] body = utf8("{\"kind\":\"EventList\",\"items\":[{\"auditID\":\"a\",\"stage\":\"x\"}, secretvalue]}");

        assertThatThrownBy(() -> splitter.split(body, body.length))
                .isInstanceOfSatisfying(InvalidBatchException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.MALFORMED_JSON))
                .hasMessageStartingWith("the body is not valid JSON at byte ")
                .hasMessageNotContaining("secretvalue");
    }

    @Test
    void shouldRefuseATruncatedBodyAsAWhole() {
        byte[] full = Corpus.read(Corpus.batches().get(0));
        byte[] truncated = Arrays.copyOf(full, full.length / 2);

        assertThatThrownBy(() -> splitter.split(truncated, truncated.length))
                .isInstanceOfSatisfying(InvalidBatchException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.MALFORMED_JSON));
    }

    @Test
    void shouldRefuseJsonThatIsNotAnEventList() {
        assertNotAnEventList("[{\"auditID\":\"a\",\"stage\":\"b\"}]", "the body is a JSON array, not an EventList object");
        assertNotAnEventList("{\"kind\":\"PodList\",\"items\":[]}", "kind must be \"EventList\"");
        assertNotAnEventList("{\"apiVersion\":\"v1\",\"items\":[]}", "apiVersion must be audit.k8s.io/v1 (or another audit.k8s.io version)");
        assertNotAnEventList("{\"kind\":\"EventList\"}", "the object has no items array");
        assertNotAnEventList("{\"kind\":\"EventList\",\"items\":{}}", "items must be an array");
    }

    @Test
    void shouldRefuseContentAfterTheEventList() {
        byte[] body = utf8("{\"items\":[]} {\"items\":[]}");

        assertThatThrownBy(() -> splitter.split(body, body.length))
                .isInstanceOfSatisfying(InvalidBatchException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.MALFORMED_JSON));
    }

    @Test
    void shouldAcceptExactlyTheLimitOfEventsAndRefuseOneMore() throws Exception {
        EventListSplitter three = new EventListSplitter(3);
        byte[] ok = utf8("{\"items\":[" + item(1) + "," + item(2) + "," + item(3) + "]}");
        byte[] over = utf8("{\"items\":[" + item(1) + "," + item(2) + "," + item(3) + "," + item(4) + "]}");

        assertThat(three.split(ok, ok.length).events()).hasSize(3);
        assertThatThrownBy(() -> three.split(over, over.length)).isInstanceOf(TooManyEventsException.class)
                .hasMessageContaining("more than 3 items");
    }

    @Test
    void shouldOnlyReadTheGivenLengthOfTheBuffer() throws Exception {
        byte[] body = utf8("{\"items\":[" + item(1) + "]}");
        byte[] padded = Arrays.copyOf(body, body.length + 100);
        Arrays.fill(padded, body.length, padded.length, (byte) 'x');

        assertThat(splitter.split(padded, body.length).events()).hasSize(1);
    }

    private void assertNotAnEventList(String json, String message) {
        byte[] body = utf8(json);
        assertThatThrownBy(() -> splitter.split(body, body.length))
                .isInstanceOfSatisfying(InvalidBatchException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_AN_EVENT_LIST))
                .hasMessage(message);
    }

    private static String item(int i) {
        return "{\"auditID\":\"id-" + i + "\",\"stage\":\"ResponseComplete\"}";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
