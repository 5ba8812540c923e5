package io.auditkeeper.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.localstack.OperationsDoc;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/grafana/auditkeeper-dashboard.json against what the services really export: every query of every panel and
 * variable uses only metrics and labels that docs/operations.md lists, and each service's integration test checks
 * that list against its real {@code /metrics} (verify's against the file it writes). So a renamed metric fails a
 * test here instead of leaving an empty panel in production. The chart's copy is the same file.
 */
class GrafanaDashboardTest {
    static final Path DASHBOARD = Repo.DEPLOY.resolve("grafana/auditkeeper-dashboard.json");
    /** Grafana's variables, given a value of the right kind so that the expression reads as PromQL. */
    private static final Map<String, String> VARIABLES = Map.of("$__rate_interval", "5m", "$namespace", "auditkeeper");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,)]+)\\s*(?:,\\s*([a-zA-Z_][a-zA-Z0-9_]*))?\\s*\\)");

    private static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    /** (panel title, expression) of every target, the panels inside collapsed rows included. */
    static List<String[]> queries(JsonNode dashboard) {
        List<String[]> out = new ArrayList<>();
        collect(dashboard.path("panels"), out);
        return out;
    }

    private static void collect(JsonNode panels, List<String[]> out) {
        for (JsonNode p : panels) {
            p.path("targets").forEach(t -> out.add(new String[]{p.path("title").asText(), t.path("expr").asText()}));
            collect(p.path("panels"), out);
        }
    }

    private static String substitute(String expr) {
        String s = expr;
        for (Map.Entry<String, String> v : VARIABLES.entrySet()) {
            s = s.replace(v.getKey(), v.getValue());
        }
        return s;
    }

    @Test
    void shouldQueryOnlyMetricsAndLabelsTheServicesExport() throws IOException {
        Map<String, List<OperationsDoc.Metric>> tables = OperationsDoc.tables();
        List<String[]> queries = queries(dashboard());
        List<String> problems = new ArrayList<>();
        for (String[] q : queries) {
            assertThat(q[1]).as("the query of panel '%s'", q[0]).isNotBlank();
            assertThat(substitute(q[1])).as("panel '%s' uses a variable the dashboard does not define", q[0])
                    .doesNotContain("$");
            problems.addAll(OperationsGuideTest.check("panel '" + q[0] + "'", substitute(q[1]), tables));
        }
        for (JsonNode v : dashboard().path("templating").path("list")) {
            Matcher m = LABEL_VALUES.matcher(v.path("definition").asText());
            if (m.find()) {
                String asPromql = "sum by (" + (m.group(2) == null ? "" : m.group(2)) + ") (" + m.group(1).strip() + ")";
                problems.addAll(OperationsGuideTest.check("variable " + v.path("name").asText(), asPromql, tables));
            }
        }
        assertThat(queries).as("queries found in %s", DASHBOARD).hasSizeGreaterThanOrEqualTo(30);
        assertThat(problems).as("metrics or labels of %s that %s does not list", DASHBOARD, OperationsDoc.PATH).isEmpty();
    }

    @Test
    void shouldCatchAQueryOfAMetricNobodyExports() {
        Map<String, List<OperationsDoc.Metric>> tables = OperationsDoc.tables();

        assertThat(OperationsGuideTest.check("p", substitute(
                "sum(rate(auditkeeper_ingest_request_total{namespace=~\"$namespace\"}[$__rate_interval]))"), tables))
                .singleElement().asString().contains("auditkeeper_ingest_request_total");
        assertThat(OperationsGuideTest.check("p", substitute(
                "sum by (cluster) (rate(auditkeeper_ingest_requests_total{namespace=~\"$namespace\"}[$__rate_interval]))"), tables))
                .singleElement().asString().contains("cluster");
    }

    @Test
    void shouldShowWhatTheOperatorsGuidePromises() throws IOException {
        JsonNode d = dashboard();
        Set<String> queried = new LinkedHashSet<>();
        queries(d).forEach(q -> queried.add(q[1]));
        String all = String.join("\n", queried);

        assertThat(d.path("uid").asText()).isEqualTo("auditkeeper");
        assertThat(all).as("ingest answers and latency").contains("auditkeeper_ingest_requests_total", "auditkeeper_ingest_ack_latency_seconds_bucket")
                .as("lag per stage").contains("auditkeeper_archiver_consumer_group_lag", "kafka_consumer_fetch_manager_records_lag_max")
                .as("archive and index rates").contains("auditkeeper_archiver_records_archived_total", "auditkeeper_archiver_documents_indexed_total")
                .as("dead letters").contains("auditkeeper_ingest_events_rejected_total", "auditkeeper_streams_events_rejected_total")
                .as("the last verify result").contains("auditkeeper_verify_ok", "auditkeeper_verify_last_run_timestamp_seconds");
        List<String> noDatasource = new ArrayList<>();
        d.path("panels").forEach(p -> {
            if (!p.path("type").asText().equals("row") && !p.path("datasource").path("uid").asText().equals("${datasource}")) {
                noDatasource.add(p.path("title").asText());
            }
        });
        assertThat(noDatasource).as("panels not on the dashboard's data source variable").isEmpty();
        List<String> undescribed = new ArrayList<>();
        d.path("panels").forEach(p -> {
            if (!p.path("type").asText().equals("row") && p.path("description").asText().isBlank()) {
                undescribed.add(p.path("title").asText());
            }
        });
        assertThat(undescribed).as("panels that do not say what their figures mean").isEmpty();
        assertThat(Files.readString(Repo.ROOT.resolve(OperationsDoc.PATH))).contains("deploy/grafana/auditkeeper-dashboard.json");
    }

    @Test
    void shouldShipTheSameDashboardInTheChart() throws IOException {
        Path copy = Repo.DEPLOY.resolve("helm/auditkeeper/files/auditkeeper-dashboard.json");

        assertThat(Files.mismatch(copy, DASHBOARD))
                .as("the chart's %s is a copy of %s; copy it again after changing the dashboard", copy, DASHBOARD)
                .isEqualTo(-1L);
    }
}
