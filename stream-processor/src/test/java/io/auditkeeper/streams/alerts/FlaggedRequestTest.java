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
