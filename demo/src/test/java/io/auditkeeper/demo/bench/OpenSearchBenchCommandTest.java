package io.auditkeeper.demo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.opensearch.schema.EventDocumentIds;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class OpenSearchBenchCommandTest {
    @Test
    void shouldMeasureTheEventsTemplateAsShippedWhenNothingIsVaried() throws Exception {
        JsonNode template = OpenSearchBenchCommand.template("1s", false, false).get("template");

        assertThat(template.at("/settings/index/refresh_interval").asText()).isEqualTo("1s");
        assertThat(template.at("/settings/index/number_of_replicas").asInt()).isZero();
        assertThat(template.at("/settings/index/optimize_doc_id_lookup.fuzzy_set.enabled").asBoolean()).isTrue();
        assertThat(template.at("/mappings/_source").isMissingNode()).isTrue();
        assertThat(template.at("/mappings/properties/userAgent/fields/text/type").asText()).isEqualTo("text");
        assertThat(template.at("/mappings/properties/event/enabled").asBoolean(true)).isFalse();
    }

    @Test
    void shouldChangeOnlyWhatIsVaried() throws Exception {
        JsonNode template = OpenSearchBenchCommand.template("5s", true, true).get("template");

        assertThat(template.at("/settings/index/refresh_interval").asText()).isEqualTo("5s");
        assertThat(template.at("/mappings/_source/excludes")).extracting(JsonNode::asText).containsExactly("event");
        assertThat(template.at("/mappings/properties/userAgent/type").asText()).isEqualTo("keyword");
        assertThat(template.at("/mappings/properties/userAgent/fields").isMissingNode()).isTrue();
        assertThat(template.at("/mappings/properties/verb/type").asText()).isEqualTo("keyword");
    }

    @Test
    void shouldGiveEveryDocumentItsOwnAuditIdEverywhereTheTemplateNamesIt() throws Exception {
        String event = "{\"kind\":\"Event\",\"auditID\":\"bench-7\",\"stage\":\"ResponseComplete\"}";
        byte[] normalized = ("{\"cluster\":\"c1\",\"auditID\":\"bench-7\",\"stage\":\"ResponseComplete\",\"event\":" + event + "}")
                .getBytes(StandardCharsets.UTF_8);
        FloorDocuments docs = FloorDocuments.of(List.of(normalized), "audit-events-2026.12.07", false);

        String[] lines = new String(docs.bulk("r1", 10, 3), StandardCharsets.UTF_8).split("\n");

        assertThat(lines).hasSize(6);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            JsonNode action = AuditJson.mapper().readTree(lines[2 * i]).get("index");
            JsonNode doc = AuditJson.mapper().readTree(lines[2 * i + 1]);
            String auditId = "r1-" + (10 + i);
            assertThat(doc.get("auditID").asText()).isEqualTo(auditId);
            assertThat(doc.at("/event/auditID").asText()).isEqualTo(auditId);
            assertThat(doc.get("cluster").asText()).isEqualTo("c1");
            assertThat(action.get("_index").asText()).isEqualTo("audit-events-2026.12.07");
            assertThat(action.get("_id").asText())
                    .isEqualTo(EventDocumentIds.documentId("c1", auditId, "ResponseComplete"));
            ids.add(action.get("_id").asText());
        }
        assertThat(ids).hasSize(3);
    }

    @Test
    void shouldLeaveTheWholeEventOutWhenAskedAndKeepTheRest() throws Exception {
        byte[] normalized = ("{\"cluster\":\"c1\",\"auditID\":\"bench-7\",\"stage\":\"ResponseComplete\",\"verb\":\"get\","
                + "\"event\":{\"auditID\":\"bench-7\",\"verb\":\"get\"}}").getBytes(StandardCharsets.UTF_8);

        String[] lines = new String(FloorDocuments.of(List.of(normalized), "i", true).bulk("r", 0, 1),
                StandardCharsets.UTF_8).split("\n");

        JsonNode doc = AuditJson.mapper().readTree(lines[1]);
        assertThat(doc.has("event")).isFalse();
        assertThat(doc.get("auditID").asText()).isEqualTo("r-0");
        assertThat(doc.get("verb").asText()).isEqualTo("get");
    }

    @Test
    void shouldExitTwoNamingTheOptionsWhenCountsAreTooFew() {
        for (String[] args : new String[][] {{"--documents", "0"}, {"--rounds", "0"}, {"--senders", "0"},
                {"--bulk-docs", "0"}, {"--warm-up", "-1"}}) {
            CommandRun run = CommandRun.of(new OpenSearchBenchCommand(), args);

            assertThat(run.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err()).contains("--documents, --rounds, --senders and --bulk-docs must each be at least 1");
        }
    }

    @Test
    void shouldCountOpenSearchsThreadsApartFromTheClientAndTheJit() {
        assertThat(OpenSearchBenchCommand.group("opensearch[node")).isEqualTo(OpenSearchBenchCommand.OPENSEARCH);
        assertThat(OpenSearchBenchCommand.group("floor-sender-3")).isEqualTo(OpenSearchBenchCommand.CLIENT);
        assertThat(OpenSearchBenchCommand.group("HttpClient-1-Wo")).isEqualTo(OpenSearchBenchCommand.CLIENT);
        assertThat(OpenSearchBenchCommand.group("C2 CompilerThre")).isEqualTo(PipelineCpu.JIT);
    }
}
