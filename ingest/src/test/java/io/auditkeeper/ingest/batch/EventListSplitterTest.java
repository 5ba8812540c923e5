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
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
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

    @ParameterizedTest
    @MethodSource("corpusBatches")
    void shouldReadEveryCorpusBatchTheFastWay(Path file) throws Exception {
        byte[] body = Corpus.read(file);

        assertThat(splitter.readsByCursor(body, body.length)).isTrue();
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
    void shouldHandAnEventListOfExactlyTheRoundLimitOverInOneRound() throws Exception {
        EventListSplitter three = new EventListSplitter(3);
        byte[] body = utf8("{\"items\":[" + item(1) + "," + item(2) + "," + item(3) + "]}");
        List<SplitBatch> rounds = new ArrayList<>();

        int count = three.split(body, body.length, rounds::add);

        assertThat(count).isEqualTo(1);
        assertThat(rounds).singleElement().satisfies(r -> assertThat(r.events()).extracting(EventSlice::auditId)
                .containsExactly("id-1", "id-2", "id-3"));
    }

    @Test
    void shouldSplitIntoRoundsOfAtMostTheLimitWhenTheBatchHasOneItemMore() throws Exception {
        EventListSplitter three = new EventListSplitter(3);
        byte[] body = utf8("{\"items\":[" + item(1) + "," + item(2) + "," + item(3) + "," + item(4) + "]}");
        List<SplitBatch> rounds = new ArrayList<>();

        int count = three.split(body, body.length, rounds::add);

        assertThat(count).isEqualTo(2);
        assertThat(rounds).extracting(r -> r.events().stream().map(EventSlice::auditId).toList())
                .containsExactly(List.of("id-1", "id-2", "id-3"), List.of("id-4"));
    }

    @Test
    void shouldKeepEveryItemInBodyOrderAcrossRoundsWhenTheBatchHasManyMore() throws Exception {
        EventListSplitter two = new EventListSplitter(2);
        byte[] body = utf8("{\"items\":[" + item(1) + ",42," + item(3) + "," + item(4) + ",{\"stage\":\"x\"},"
                + item(6) + "," + item(7) + "]}");
        List<SplitBatch> rounds = new ArrayList<>();

        two.split(body, body.length, rounds::add);

        assertThat(rounds).allSatisfy(r -> assertThat(r.itemCount()).isBetween(1, 2));
        assertThat(rounds.stream().mapToInt(SplitBatch::itemCount).sum()).isEqualTo(7);
        assertThat(rounds.stream().flatMap(r -> r.events().stream()).map(EventSlice::auditId))
                .containsExactly("id-1", "id-3", "id-4", "id-6", "id-7");
        assertThat(rounds.stream().flatMap(r -> r.rejected().stream()).map(RejectedItem::reason))
                .containsExactly(DeadLetterReason.NOT_AN_OBJECT, DeadLetterReason.MISSING_AUDIT_ID);
        assertThat(two.split(body, body.length).itemCount()).as("the whole batch at once").isEqualTo(7);
    }

    @Test
    void shouldHandOverNoRoundWhenTheBodyIsMalformedAfterTheFirstRound() {
        EventListSplitter two = new EventListSplitter(2);
        byte[] body = utf8("{\"items\":[" + item(1) + "," + item(2) + "," + item(3) + ", secretvalue]}");
        List<SplitBatch> rounds = new ArrayList<>();

        assertThatThrownBy(() -> two.split(body, body.length, rounds::add))
                .isInstanceOfSatisfying(InvalidBatchException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.MALFORMED_JSON));
        assertThat(rounds).isEmpty();
    }

    @Test
    void shouldStopHandingOverRoundsWhenTheSinkRefusesOne() throws Exception {
        EventListSplitter one = new EventListSplitter(1);
        byte[] body = utf8("{\"items\":[" + item(1) + "," + item(2) + "," + item(3) + "]}");
        List<SplitBatch> rounds = new ArrayList<>();

        one.split(body, body.length, r -> rounds.add(r) && rounds.size() < 2);

        assertThat(rounds).hasSize(2);
    }

    @Test
    void shouldForwardAnEventOfExactlyTheEventLimitAndRejectOneByteMoreWithItsSummary() throws Exception {
        String small = "{\"auditID\":\"a\",\"stage\":\"ResponseComplete\",\"verb\":\"get\"}";
        EventListSplitter limited = new EventListSplitter(10, small.length());
        String big = "{\"auditID\":\"b\",\"stage\":\"ResponseComplete\",\"verb\":\"gets\"}";
        byte[] body = utf8("{\"items\":[" + small + "," + big + "]}");

        SplitBatch batch = limited.split(body, body.length);

        assertThat(batch.events()).extracting(EventSlice::auditId).containsExactly("a");
        assertThat(batch.rejected()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(DeadLetterReason.EVENT_TOO_LARGE);
            assertThat(r.auditId()).isEqualTo("b");
            assertThat(r.length()).isEqualTo(small.length() + 1);
            assertThat(r.detail()).isEqualTo("item 1 is " + (small.length() + 1) + " bytes, over limits.max-event-bytes ("
                    + small.length() + "); kept as its metadata, size and SHA-256, without its content");
            assertThat(r.summary()).isNotNull();
        });
    }

    @Test
    void shouldSummarizeAnOversizeEventByItsMetadataSizeAndHashWithoutItsContent() throws Exception {
        String secret = "c2VjcmV0LXZhbHVl".repeat(1000);
        String event = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\","
                + "\"auditID\":\"big-1\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/ns/secrets/s\","
                + "\"verb\":\"update\",\"user\":{\"username\":\"alice\",\"groups\":[\"dev\"]},\"sourceIPs\":[\"10.0.0.1\"],"
                + "\"objectRef\":{\"resource\":\"secrets\",\"namespace\":\"ns\",\"name\":\"s\",\"apiVersion\":\"v1\"},"
                + "\"responseStatus\":{\"metadata\":{},\"code\":200},"
                + "\"requestObject\":{\"data\":{\"k\":\"" + secret + "\"}},"
                + "\"responseObject\":{\"data\":{\"k\":\"" + secret + "\"}},"
                + "\"requestReceivedTimestamp\":\"2026-12-06T10:00:00.000000Z\",\"stageTimestamp\":\"2026-12-06T10:00:00.100000Z\"}";
        byte[] body = utf8("{\"items\":[" + event + "]}");
        EventListSplitter limited = new EventListSplitter(10, 4096);

        RejectedItem r = limited.split(body, body.length).rejected().get(0);

        JsonNode summary = MAPPER.readTree(r.summary());
        assertThat(summary.get("item").asInt()).isZero();
        assertThat(summary.get("bytes").asLong()).isEqualTo(event.length());
        assertThat(summary.get("limit").asLong()).isEqualTo(4096);
        assertThat(summary.get("sha256").asText()).isEqualTo(sha256(utf8(event)));
        JsonNode metadata = summary.get("event");
        assertThat(metadata.get("auditID").asText()).isEqualTo("big-1");
        assertThat(metadata.get("verb").asText()).isEqualTo("update");
        assertThat(metadata.get("user").get("username").asText()).isEqualTo("alice");
        assertThat(metadata.get("objectRef").get("name").asText()).isEqualTo("s");
        assertThat(metadata.get("responseStatus").get("code").asInt()).isEqualTo(200);
        assertThat(metadata.get("stageTimestamp").asText()).isEqualTo("2026-12-06T10:00:00.100000Z");
        assertThat(metadata.has("requestObject")).isFalse();
        assertThat(summary.get("omitted")).extracting(JsonNode::asText).containsExactly("requestObject", "responseObject");
        assertThat(new String(r.summary(), StandardCharsets.UTF_8)).doesNotContain("c2VjcmV0");
        assertThat(r.summary().length).isLessThan(2048);
    }

    @Test
    void shouldRejectAnOversizeItemThatIsNotAnObjectBySizeAndHashOnly() throws Exception {
        String big = "\"" + "x".repeat(2000) + "\"";
        byte[] body = utf8("{\"items\":[" + item(1) + "," + big + "]}");

        SplitBatch batch = new EventListSplitter(10, 1024).split(body, body.length);

        assertThat(batch.rejected()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(DeadLetterReason.EVENT_TOO_LARGE);
            JsonNode summary = MAPPER.readTree(r.summary());
            assertThat(summary.get("bytes").asInt()).isEqualTo(big.length());
            assertThat(summary.has("event")).isFalse();
        });
    }

    @Test
    void shouldOnlyReadTheGivenLengthOfTheBuffer() throws Exception {
        byte[] body = utf8("{\"items\":[" + item(1) + "]}");
        byte[] padded = Arrays.copyOf(body, body.length + 100);
        Arrays.fill(padded, body.length, padded.length, (byte) 'x');

        assertThat(splitter.split(padded, body.length).events()).hasSize(1);
    }

    @Test
    void shouldRejectAnItemWhoseAuditIdIsAnObjectAsTheWholeItem() throws Exception {
        String odd = "{\"auditID\":{\"auditID\":\"inner\"},\"stage\":\"ResponseComplete\"}";
        for (String other : List.of("", ",\"x\\u0079\":1")) {
            byte[] body = utf8("{\"items\":[" + odd + "," + item(2) + "]" + other + "}");

            SplitBatch batch = splitter.split(body, body.length);

            assertThat(batch.events()).extracting(EventSlice::auditId).as(other).containsExactly("id-2");
            assertThat(batch.rejected()).singleElement().satisfies(r -> {
                assertThat(r.reason()).isEqualTo(DeadLetterReason.MISSING_AUDIT_ID);
                assertThat(new String(body, r.offset(), r.length(), StandardCharsets.UTF_8)).isEqualTo(odd);
            });
        }
    }

    static Stream<String> oddBodies() {
        return Stream.of(
                "{\"items\":[]}",
                " \n{ \"kind\" : \"EventList\" , \"items\" : [ " + item(1) + " , " + item(2) + " ] } \t",
                "{\"items\":[{\"auditID\":\"a\\u00e9\\n\",\"stage\":\"Response\\u0043omplete\"}]}",
                "{\"items\":[{\"auditID\":\"é-ü-€-𝄞\",\"stage\":\"x\",\"requestObject\":{\"k\":\"ñ\"}}]}",
                "{\"items\":[{\"audit\\u0049D\":\"escaped-name\",\"stage\":\"x\"}]}",
                "{\"items\":[{\"auditID\":\"first\",\"auditID\":\"second\",\"stage\":\"x\"}]}",
                "{\"items\":[{\"auditID\":\"a\",\"stage\":\"x\"}],\"items\":[{\"auditID\":\"b\",\"stage\":\"y\"}]}",
                "{\"items\":[{\"auditID\":null,\"stage\":[1,{\"a\":[]}]},{},{\"auditID\":\"ok\",\"stage\":\"x\"}]}",
                "{\"items\":[1,true,null,\"s\",[],{\"auditID\":\"ok\",\"stage\":\"x\"}]}",
                "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1beta1\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":null}",
                "{\"kind\":\"Event\\u004cist\",\"items\":[]}",
                "{\"kind\":null,\"items\":[]}",
                "{\"apiVersion\":\"audit.k8s.io\",\"items\":[]}",
                "{\"items\":[" + item(1) + ",]}",
                "{\"items\":[" + item(1) + "]",
                "{\"items\":[" + item(1) + "]}x",
                "\uFEFF{\"items\":[]}",
                "{\"items\":[{\"auditID\":\"a\",\"stage\":\"x\",\"n\":01}]}",
                "{\"items\":[{\"auditID\":\"a\",\"stage\":\"x\",\"n\":-1.5e+3}]}",
                "{\"items\":[{\"auditID\":\"a\",\"stage\":\"x\",\"s\":\"tab\there\"}]}",
                "{\"items\":[{\"auditID\":\"" + "big".repeat(100) + "\",\"stage\":\"x\"}]}",
                "{\"items\":[" + item(1) + "," + item(2) + "," + item(3) + ",42," + item(5) + "]}",
                "{\"items\":[" + item(1) + "," + item(2) + "," + item(3) + ",{\"a\\u0062\":1}]}",
                "{\"items\":[" + "[".repeat(495) + "]".repeat(495) + "]}",
                "");
    }

    @ParameterizedTest
    @MethodSource("oddBodies")
    void shouldReadAnOddBodyAsJacksonReadsIt(String json) {
        byte[] body = utf8(json);

        assertThat(outcome(new EventListSplitter(2, 200), body))
                .isEqualTo(outcome(new EventListSplitter(2, 200, false), body));
        assertThat(outcome(new EventListSplitter(100, 200), body))
                .isEqualTo(outcome(new EventListSplitter(100, 200, false), body));
    }

    @Test
    void shouldReadEveryMutatedCorpusBodyAsJacksonReadsIt() {
        byte[] original = Corpus.eventList(Corpus.events().subList(0, 6));
        EventListSplitter cursor = new EventListSplitter(4, 2_500);
        EventListSplitter jackson = new EventListSplitter(4, 2_500, false);
        Random random = new Random(20261207);
        byte[] interesting = utf8("{}[]\",:\\ u0-9.eEtrfalsenul\u00e9");
        int refused = 0;
        for (int i = 0; i < 4_000; i++) {
            byte[] body = original.clone();
            int length = body.length;
            for (int m = 0, n = 1 + random.nextInt(3); m < n; m++) {
                int at = random.nextInt(length);
                switch (random.nextInt(4)) {
                    case 0 -> body[at] = interesting[random.nextInt(interesting.length)];
                    case 1 -> body[at] = (byte) random.nextInt(256);
                    case 2 -> length = at;
                    default -> {
                        System.arraycopy(body, at + 1, body, at, length - at - 1);
                        length--;
                    }
                }
            }
            String expected = outcome(jackson, body, length);
            assertThat(outcome(cursor, body, length)).as("mutation %d", i).isEqualTo(expected);
            if (expected.startsWith("refused")) {
                refused++;
            }
        }
        assertThat(refused).as("bodies refused as a whole").isBetween(1_000, 3_999);
    }

    private static String describe(SplitBatch batch) {
        StringBuilder out = new StringBuilder();
        batch.events().forEach(e -> out.append(e).append('\n'));
        batch.rejected().forEach(r -> out.append(r.offset()).append(' ').append(r.length()).append(' ')
                .append(r.reason()).append(' ').append(r.detail()).append(' ').append(r.auditId()).append(' ')
                .append(r.summary() == null ? "-" : new String(r.summary(), StandardCharsets.UTF_8)).append('\n'));
        return out.toString();
    }

    private static String outcome(EventListSplitter splitter, byte[] body) {
        return outcome(splitter, body, body.length);
    }

    /** Everything a caller sees of a split: the rounds with every field of every item, or the refusal. */
    private static String outcome(EventListSplitter splitter, byte[] body, int length) {
        StringBuilder out = new StringBuilder();
        try {
            int rounds = splitter.split(body, length, round -> {
                out.append("round\n").append(describe(round));
                return true;
            });
            return out.append(rounds).append(" rounds; whole:\n").append(describe(splitter.split(body, length))).toString();
        } catch (InvalidBatchException e) {
            return "refused " + e.reason() + ": " + e.getMessage() + (out.isEmpty() ? "" : " after " + out);
        }
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

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
