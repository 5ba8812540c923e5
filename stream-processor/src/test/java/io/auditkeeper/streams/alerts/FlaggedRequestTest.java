package io.auditkeeper.streams.alerts;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FlaggedRequestTest {
    private static final String NORMALIZED = """
            {"schemaVersion":1,"cluster":"east","auditID":"a-1","stage":"ResponseComplete",
             "user":{"username":"mallory","groups":["dev"]},"actor":"mallory",
             "objectRef":{"resource":"secrets","namespace":"phi-a","name":"db","apiVersion":"v1"},
             "phi":{"namespace":true,"flagged":true,"rules":["secret-read","impersonation"],"severity":"high"},
             "event":{"kind":"Event","actor":"decoy","auditID":"decoy","objectRef":{"namespace":"decoy"},
                      "phi":{"rules":["decoy"]},"requestObject":{"cluster":[1,{"actor":"x"}]}}}
            """;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadTheTopLevelFieldsWhenTheEventHoldsTheSameNamesInside() {
        FlaggedRequest r = FlaggedRequest.read(bytes(NORMALIZED), 42L);

        assertThat(r).isEqualTo(new FlaggedRequest("east", "mallory", "a-1", 42L, List.of("secret-read", "impersonation"),
                "phi-a", "db"));
        assertThat(new String(r.actorKey(), StandardCharsets.UTF_8)).isEqualTo("east/mallory");
    }

    @Test
    void shouldReadItsOwnProjectionBackToTheSameRequest() {
        FlaggedRequest r = FlaggedRequest.read(bytes(NORMALIZED), 42L);

        byte[] projection = r.projection();

        assertThat(FlaggedRequest.read(projection, 42L)).isEqualTo(r);
        assertThat(projection.length).isLessThan(NORMALIZED.length() / 2);
        assertThat(new String(projection, StandardCharsets.UTF_8)).doesNotContain("decoy", "user", "event");
    }

    @Test
    void shouldKeepAbsentNamespaceAndClusterAbsentThroughTheProjection() {
        FlaggedRequest r = new FlaggedRequest(null, "system:anonymous", "a-2", 7L, List.of("anonymous"), null, null);

        assertThat(FlaggedRequest.read(r.projection(), 7L)).isEqualTo(r);
        assertThat(new String(r.actorKey(), StandardCharsets.UTF_8)).isEqualTo("/system:anonymous");
    }

    @Test
    void shouldTakeFromANormalizedEventWhatItsJsonWouldGiveForEveryFlaggedCorpusEvent() throws Exception {
        io.auditkeeper.streams.topology.EventPipeline pipeline = io.auditkeeper.streams.StreamProcessorService.pipeline(
                io.auditkeeper.streams.config.StreamProcessorConfig.of(java.util.Map.of(
                        "kafka.bootstrap-servers", "unused:9092", "phi.namespaces", "openshift-*,kube-system,default")));
        io.auditkeeper.streams.normalize.NormalizedEventWriter writer = new io.auditkeeper.streams.normalize.NormalizedEventWriter();
        io.auditkeeper.streams.normalize.RawRecordContext raw = new io.auditkeeper.streams.normalize.RawRecordContext(
                "c1", null, null, null);
        int flagged = 0;
        for (io.auditkeeper.streams.CorpusFixtures.Item item : io.auditkeeper.streams.CorpusFixtures.all()) {
            if (pipeline.process(item.bytes(), raw) instanceof io.auditkeeper.streams.topology.EventPipeline.Processed p
                    && p.normalized().phi().flagged()) {
                assertThat(FlaggedRequest.of(p.normalized(), 9L)).as(item.source())
                        .isEqualTo(FlaggedRequest.read(writer.write(p.normalized()), 9L));
                flagged++;
            }
        }
        assertThat(flagged).isGreaterThan(50);
    }

    @Test
    void shouldGiveNothingWhenTheActorOrTheAuditIdIsMissing() {
        assertThat(FlaggedRequest.read(bytes("{\"cluster\":\"east\",\"auditID\":\"a-1\"}"), 1L)).isNull();
        assertThat(FlaggedRequest.read(bytes("{\"cluster\":\"east\",\"actor\":\"bob\",\"auditID\":null}"), 1L)).isNull();
    }

    @Test
    void shouldGiveNothingWhenTheValueIsNotAJsonObject() {
        assertThat(FlaggedRequest.read(null, 1L)).isNull();
        assertThat(FlaggedRequest.read(bytes("[1,2]"), 1L)).isNull();
        assertThat(FlaggedRequest.read(bytes("{\"actor\":\"bob\",\"auditID\":"), 1L)).isNull();
        assertThat(FlaggedRequest.read(bytes("not json"), 1L)).isNull();
    }
}
