package io.auditkeeper.archiver.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenSearch Dashboards saved objects of {@code docs/dashboards/audit-keeper.ndjson} are well formed and agree
 * with the index templates: every object has id, type and attributes, every reference (index pattern of a search or
 * visualization, panel of the dashboard) names an object in the file, the index patterns cover the events and alerts
 * indices with a date field of the template as time field, and every field a search, visualization or query uses is
 * mapped. (Not imported into a running Dashboards here: the local stack has none.)
 */
class DashboardsSavedObjectsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path FILE = Path.of("..", "docs", "dashboards", "audit-keeper.ndjson");
    private static final Pattern DQL_FIELD = Pattern.compile("([A-Za-z][A-Za-z0-9_.]*)\\s*:");

    private static List<JsonNode> objects;
    private static Map<String, JsonNode> byId;

    @BeforeAll
    static void read() throws IOException {
        objects = new ArrayList<>();
        byId = new LinkedHashMap<>();
        for (String line : Files.readAllLines(FILE, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                JsonNode o = MAPPER.readTree(line);
                objects.add(o);
                byId.put(o.path("id").asText(), o);
            }
        }
    }

    @Test
    void shouldHaveIdTypeAndAttributesOnEveryObjectWhenTheFileIsParsed() {
        assertThat(objects).hasSize(12);
        assertThat(byId).as("ids are unique").hasSameSizeAs(objects);
        for (JsonNode o : objects) {
            assertThat(o.path("id").asText()).as(o.toString()).isNotBlank();
            assertThat(o.path("type").asText()).as(o.toString()).isIn("index-pattern", "search", "visualization", "dashboard");
            assertThat(o.path("attributes").isObject()).as(o.toString()).isTrue();
            assertThat(o.path("attributes").path("title").asText()).as(o.toString()).isNotBlank();
            assertThat(o.path("references").isArray()).as(o.toString()).isTrue();
        }
        assertThat(objects.stream().map(o -> o.path("type").asText()).toList()).containsExactly(
                "index-pattern", "index-pattern", "search", "search", "search", "search", "search", "search",
                "visualization", "visualization", "visualization", "dashboard");
    }

    @Test
    void shouldResolveEveryReferenceToAnObjectOfItsTypeInTheFileWhenObjectsReferToOthers() throws IOException {
        for (JsonNode o : objects) {
            Set<String> names = new HashSet<>();
            for (JsonNode ref : o.path("references")) {
                JsonNode target = byId.get(ref.path("id").asText());
                assertThat(target).as(o.path("id") + " -> " + ref).isNotNull();
                assertThat(target.path("type").asText()).as(o.path("id") + " -> " + ref).isEqualTo(ref.path("type").asText());
                names.add(ref.path("name").asText());
            }
            // the names used inside the JSON strings are among the references
            JsonNode meta = o.path("attributes").path("kibanaSavedObjectMeta");
            if (meta.has("searchSourceJSON")) {
                JsonNode source = MAPPER.readTree(meta.path("searchSourceJSON").asText());
                if (source.has("indexRefName")) {
                    assertThat(names).as(o.path("id").asText()).contains(source.path("indexRefName").asText());
                }
            }
            if (o.path("type").asText().equals("dashboard")) {
                JsonNode panels = MAPPER.readTree(o.path("attributes").path("panelsJSON").asText());
                assertThat(panels).hasSize(4);
                for (JsonNode panel : panels) {
                    assertThat(names).contains(panel.path("panelRefName").asText());
                }
                assertThat(o.path("references").findValuesAsText("id")).containsExactly("audit-keeper-flagged-per-rule",
                        "audit-keeper-top-actors-phi", "audit-keeper-denied-by-actor", "audit-keeper-denied-attempts");
            }
            if (o.path("type").asText().matches("search|visualization")) {
                assertThat(o.path("references")).as(o.path("id").asText()).hasSize(1);
                assertThat(o.path("references").get(0).path("type").asText()).isEqualTo("index-pattern");
            }
        }
    }

    @Test
    void shouldUseTheTemplatesDateFieldsAsTimeFieldsWhenIndexPatternsAreDefined() throws IOException {
        JsonNode events = byId.get("audit-keeper-events").path("attributes");
        JsonNode alerts = byId.get("audit-keeper-alerts").path("attributes");
        assertThat(events.path("title").asText()).isEqualTo("audit-events*");
        assertThat(alerts.path("title").asText()).isEqualTo("audit-alerts*");
        assertThat(events.path("timeFieldName").asText()).isEqualTo("timestamp");
        assertThat(alerts.path("timeFieldName").asText()).isEqualTo("windowStart");

        // each title covers the indices of its template, and the time field is a date there
        JsonNode eventsTemplate = template("audit-events-template.json");
        JsonNode alertsTemplate = template("audit-alerts-template.json");
        assertThat(eventsTemplate.path("index_patterns").get(0).asText()).isEqualTo("audit-events-*");
        assertThat(alertsTemplate.path("index_patterns").get(0).asText()).isEqualTo("audit-alerts");
        assertThat(field(eventsTemplate, "timestamp").path("type").asText()).isEqualTo("date");
        assertThat(field(alertsTemplate, "windowStart").path("type").asText()).isEqualTo("date");
    }

    @Test
    void shouldUseOnlyMappedFieldsWhenSearchesAndVisualizationsNameFields() throws IOException {
        Map<String, JsonNode> templates = Map.of(
                "audit-keeper-events", template("audit-events-template.json"),
                "audit-keeper-alerts", template("audit-alerts-template.json"));
        int checked = 0;
        for (JsonNode o : objects) {
            String type = o.path("type").asText();
            if (!type.equals("search") && !type.equals("visualization")) {
                continue;
            }
            JsonNode mapping = templates.get(o.path("references").get(0).path("id").asText());
            List<String> fields = new ArrayList<>();
            o.path("attributes").path("columns").forEach(c -> fields.add(c.asText()));
            o.path("attributes").path("sort").forEach(s -> fields.add(s.get(0).asText()));
            if (type.equals("visualization")) {
                JsonNode vis = MAPPER.readTree(o.path("attributes").path("visState").asText());
                assertThat(vis.path("title").asText()).isEqualTo(o.path("attributes").path("title").asText());
                MAPPER.readTree(o.path("attributes").path("uiStateJSON").asText());
                for (JsonNode agg : vis.path("aggs")) {
                    if (agg.path("params").has("field")) {
                        fields.add(agg.path("params").path("field").asText());
                    }
                }
            }
            String query = MAPPER.readTree(o.path("attributes").path("kibanaSavedObjectMeta").path("searchSourceJSON")
                    .asText()).path("query").path("query").asText();
            Matcher m = DQL_FIELD.matcher(query);
            while (m.find()) {
                fields.add(m.group(1));
            }
            for (String f : fields) {
                JsonNode mapped = field(mapping, f);
                assertThat(mapped.isMissingNode()).as(o.path("id") + ": field " + f + " is not in the template").isFalse();
                assertThat(mapped.path("index").asBoolean(true)).as(o.path("id") + ": field " + f + " is not indexed").isTrue();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(40);
    }

    private static JsonNode template(String name) throws IOException {
        Class<?> next = name.equals(io.auditkeeper.opensearch.schema.EventIndexTemplate.RESOURCE)
                ? io.auditkeeper.opensearch.schema.EventIndexTemplate.class
                : io.auditkeeper.archiver.index.OpenSearchIndexer.class;
        try (InputStream in = next.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return MAPPER.readTree(in);
        }
    }

    /** The mapping of a dotted field ({@code objectRef.namespace}) in a template, or a missing node. */
    private static JsonNode field(JsonNode template, String dotted) {
        JsonNode at = template.path("template").path("mappings");
        for (String part : dotted.split("\\.")) {
            at = at.path("properties").path(part);
        }
        return at;
    }
}
