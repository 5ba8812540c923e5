package io.auditkeeper.streams.normalize;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.NormalizedEvent;
import io.auditkeeper.model.RawJson;
import io.auditkeeper.streams.CorpusFixtures;
import io.auditkeeper.streams.StreamProcessorService;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import io.auditkeeper.streams.topology.EventPipeline;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NormalizedEventWriterTest {
    /** One writer for every case, as a stream task keeps one: what one event leaves in its buffers must not show in the next. */
    private final NormalizedEventWriter writer = new NormalizedEventWriter();

    @Test
    void shouldWriteEveryCorpusEventAsDatabindDoes() throws Exception {
        // PHI namespaces that catch part of the corpus, so that both raw and redacted (tree) events are written
        EventPipeline pipeline = StreamProcessorService.pipeline(StreamProcessorConfig.of(Map.of(
                "kafka.bootstrap-servers", "unused:9092", "phi.namespaces", "openshift-*,kube-system,default")));
        RawRecordContext raw = new RawRecordContext("c1", "2026-11-27T10:00:00.123456Z", "apiserver-1",
                new NormalizedEvent.Source("audit.raw", 3, 12345L));
        int trees = 0;
        int written = 0;
        for (CorpusFixtures.Item item : CorpusFixtures.all()) {
            if (pipeline.process(item.bytes(), raw) instanceof EventPipeline.Processed p) {
                NormalizedEvent e = p.normalized();
                assertThat(new String(writer.write(e), StandardCharsets.UTF_8)).as(item.source())
                        .isEqualTo(new String(AuditJson.mapper().writeValueAsBytes(e), StandardCharsets.UTF_8));
                trees += RawJson.of(e.event()) == null ? 1 : 0;
                written++;
            }
        }
        assertThat(written).isGreaterThan(400);
        assertThat(trees).as("events written from a redacted tree").isGreaterThan(10);
    }

    @Test
    void shouldWriteEveryFieldAndEveryCharacterAsDatabindDoesWhenAllAreSet() throws Exception {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x800; c++) {
            all.append(c);
        }
        all.append("\u20ac\uffff\u4e2d\ud83d\ude00 lone high \ud800 lone low \udc00 end");
        String text = all.toString();
        ObjectNode tree = AuditJson.mapper().createObjectNode().put("kind", "Event").put("odd", text);
        NormalizedEvent.User user = new NormalizedEvent.User(text, "uid-1", Arrays.asList("g1", null, text));
        NormalizedEvent e = new NormalizedEvent(NormalizedEvent.SCHEMA_VERSION, "c1", "a-1", "ResponseComplete",
                "Metadata", "t1", "t2", "get", "/api/v1/x?y=\"z\"", "alice", user, user, List.of("10.0.0.1", "::1"),
                text, new NormalizedEvent.ObjectRef("secrets", "status", "phi-x", "n", "", "v1"), -1, "allow", text,
                "2026-11-27T10:00:00Z", -7200L, "apiserver-1", new NormalizedEvent.Source(null, Integer.MAX_VALUE, Long.MIN_VALUE),
                new NormalizedEvent.Phi(true, false, List.of(), "HIGH"), List.of("event.responseObject.data.k"), tree);

        assertThat(writer.write(e)).isEqualTo(AuditJson.mapper().writeValueAsBytes(e));
    }

    @Test
    void shouldLeaveOutWhatIsAbsentAsDatabindDoes() throws Exception {
        List<NormalizedEvent> sparse = new ArrayList<>();
        sparse.add(new NormalizedEvent(1, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null));
        sparse.add(new NormalizedEvent(1, "c", "a", "s", null, null, null, null, null, null,
                new NormalizedEvent.User(null, null, null), null, List.of(), null,
                new NormalizedEvent.ObjectRef(null, null, null, null, null, null), 0, null, null, null, null, null,
                new NormalizedEvent.Source("t", 0, 0), new NormalizedEvent.Phi(false, false, null, null), List.of(),
                RawJson.node("{\"a\":[1,2]}".getBytes(StandardCharsets.UTF_8))));
        for (NormalizedEvent e : sparse) {
            assertThat(new String(writer.write(e), StandardCharsets.UTF_8))
                    .isEqualTo(new String(AuditJson.mapper().writeValueAsBytes(e), StandardCharsets.UTF_8));
        }
    }
}
