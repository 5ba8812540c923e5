package io.auditkeeper.archiver.index;

import io.auditkeeper.model.AuditJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SingleIndexDocumentsTest {
    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldGiveTheSameIdWhenTheSameAlertIsPlacedTwice() throws Exception {
        DocumentKind alerts = SingleIndexDocuments.alerts("audit-alerts");
        DocumentKind.Placement a = alerts.place(json("{\"alertId\":\"x1\",\"actor\":\"a\",\"auditIDs\":[\"1\"]}"));
        DocumentKind.Placement b = alerts.place(json("{\"actor\":\"b\",\"alertId\":\"x1\"}"));
        DocumentKind.Placement c = alerts.place(json("{\"alertId\":\"x2\"}"));

        assertThat(a).isEqualTo(b);
        assertThat(a.index()).isEqualTo("audit-alerts");
        assertThat(a.id()).matches("[0-9a-f]{64}").isNotEqualTo(c.id());
    }

    @Test
    void shouldPlaceAManifestEntryByTopicPartitionAndOffsetsWhenIndexingTheArchive() throws Exception {
        DocumentKind archive = SingleIndexDocuments.archiveEntries("audit-archive");
        String entry = "{\"version\":1,\"topic\":\"audit.events\",\"partition\":3,\"firstOffset\":100,\"lastOffset\":199,\"count\":100}";

        DocumentKind.Placement p = archive.place(json(entry));

        assertThat(p.index()).isEqualTo("audit-archive");
        assertThat(p).isNotEqualTo(archive.place(json(entry.replace("\"partition\":3", "\"partition\":4"))));
    }

    @Test
    void shouldRefuseADocumentWhenAnIdFieldIsMissingOrItIsNotAnObject() {
        DocumentKind archive = SingleIndexDocuments.archiveEntries("audit-archive");
        assertThatThrownBy(() -> archive.place(json("{\"topic\":\"t\",\"partition\":1,\"firstOffset\":0}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lastOffset");
        assertThatThrownBy(() -> archive.place(json("[1]"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> archive.place(json("{\"topic\":"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldMapTheIndexExactlyWhenTheTemplateIsBuilt() throws Exception {
        var template = AuditJson.mapper().readTree(SingleIndexDocuments.alerts("my-alerts").templateJson(2));

        assertThat(template.path("index_patterns").get(0).asText()).isEqualTo("my-alerts");
        assertThat(template.at("/template/settings/index/number_of_replicas").asInt()).isEqualTo(2);
        assertThat(template.at("/template/mappings/dynamic").asText()).isEqualTo("false");
        assertThat(template.at("/template/mappings/properties/windowStart/type").asText()).isEqualTo("date");
    }
}
