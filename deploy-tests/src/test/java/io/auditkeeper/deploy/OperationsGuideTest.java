package io.auditkeeper.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.auditkeeper.localstack.OperationsDoc;
import io.auditkeeper.localstack.RequiredTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the operator's guide and the Prometheus alert rules honest: the rules file is a complete PrometheusRule, every
 * metric and label its expressions use is one docs/operations.md lists (and each service's integration test checks
 * that list against the real /metrics), every alert is in the guide's table and links to a runbook that exists. Where
 * promtool is installed it also parses the rules and runs their unit tests (auditkeeper-alerts.test.yaml).
 */
class OperationsGuideTest {
    private static final Path RULES = Repo.DEPLOY.resolve("prometheus/auditkeeper-alerts.yaml");
    private static final Path RULE_TESTS = Repo.DEPLOY.resolve("prometheus/auditkeeper-alerts.test.yaml");
    private static final Path GUIDE = Repo.ROOT.resolve(OperationsDoc.PATH);
    private static final Pattern DURATION = Pattern.compile("^(\\d+y)?(\\d+w)?(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?(\\d+ms)?$");
    private static final Set<String> SEVERITIES = Set.of("critical", "warning");
    /** Labels Prometheus adds to every target's series, whatever the service exports. */
    private static final Set<String> TARGET_LABELS = Set.of("namespace", "pod", "instance", "job");
    private static final Set<String> SERVICES = Set.of("ingest", "stream-processor", "archiver");

    private static List<JsonNode> rules() {
        List<Yaml.Document> docs = Yaml.documents(RULES);
        assertThat(docs).as("one PrometheusRule in %s", RULES).hasSize(1);
        JsonNode root = docs.get(0).node();
        assertThat(root.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(root.path("kind").asText()).isEqualTo("PrometheusRule");
        List<JsonNode> out = new ArrayList<>();
        assertThat(root.path("spec").path("groups").size()).as("rule groups").isPositive();
        root.path("spec").path("groups").forEach(g -> {
            assertThat(g.path("name").asText()).as("group name").isNotBlank();
            assertThat(g.path("rules").size()).as("rules of group %s", g.path("name").asText()).isPositive();
            g.path("rules").forEach(out::add);
        });
        return out;
    }

    private static String guide() throws IOException {
        return Files.readString(GUIDE);
    }

    @Test
    void shouldGiveEveryAlertAnExpressionADurationASeverityAndARunbookThatExists() throws IOException {
        Set<String> anchors = anchors(guide());
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode rule : rules()) {
            String name = rule.path("alert").asText();
            assertThat(name).as("every rule is an alert named AuditKeeper...: %s", rule).matches("AuditKeeper[A-Za-z0-9]+");
            assertThat(names.add(name)).as("alert %s defined once", name).isTrue();
            assertThat(rule.path("expr").asText()).as("%s expr", name).isNotBlank();
            assertThat(rule.path("for").asText()).as("%s for", name).isNotEmpty().matches(DURATION);
            assertThat(rule.path("labels").path("severity").asText()).as("%s labels.severity", name).isIn(SEVERITIES);
            JsonNode a = rule.path("annotations");
            assertThat(a.path("summary").asText()).as("%s annotations.summary", name).isNotBlank();
            assertThat(a.path("description").asText()).as("%s annotations.description", name).isNotBlank();
            String runbook = a.path("runbook_url").asText();
            assertThat(runbook).as("%s annotations.runbook_url", name).startsWith(OperationsDoc.PATH + "#");
            assertThat(anchors).as("%s: the runbook %s is a heading of %s", name, runbook, OperationsDoc.PATH)
                    .contains(runbook.substring(runbook.indexOf('#') + 1));
        }
        assertThat(names).hasSizeGreaterThanOrEqualTo(20);
    }

    @Test
    void shouldUseOnlyMetricsAndLabelsTheGuideLists() {
        Map<String, List<OperationsDoc.Metric>> tables = OperationsDoc.tables();
        List<String> problems = new ArrayList<>();
        for (JsonNode rule : rules()) {
            problems.addAll(check(rule.path("alert").asText(), rule.path("expr").asText(), tables));
        }
        assertThat(problems).as("metrics or labels in %s that %s does not list", RULES, OperationsDoc.PATH).isEmpty();
    }

    @Test
    void shouldFindAMetricOrALabelTheGuideDoesNotList() {
        Map<String, List<OperationsDoc.Metric>> tables = OperationsDoc.tables();
        assertThat(check("x", "sum(rate(auditkeeper_ingest_requests_total{status=\"503\"}[5m])) > 0", tables)).isEmpty();
        assertThat(check("x", "rate(auditkeeper_ingest_requests_totl[5m]) > 0", tables))
                .singleElement().asString().contains("auditkeeper_ingest_requests_totl");
        assertThat(check("x", "sum by (cluster) (rate(auditkeeper_ingest_requests_total{code=\"503\"}[5m]))", tables))
                .hasSize(2).anySatisfy(p -> assertThat(p).contains("code")).anySatisfy(p -> assertThat(p).contains("cluster"));
        assertThat(check("x", "kafka_producer_record_send_total > 0", tables))
                .as("a metric only covered by a family (kafka_producer_*) is not listed by name").hasSize(1);
        assertThat(check("x", "histogram_quantile(0.99, sum by (le) (rate(auditkeeper_ingest_ack_latency_seconds_bucket[5m])))", tables))
                .isEmpty();
    }

    @Test
    void shouldListEveryAlertInTheGuideAndNoOther() throws IOException {
        Set<String> inRules = new TreeSet<>();
        rules().forEach(r -> inRules.add(r.path("alert").asText()));
        Set<String> inGuide = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `(AuditKeeper[A-Za-z0-9]+)` \\|").matcher(guide());
        while (m.find()) {
            inGuide.add(m.group(1));
        }
        assertThat(inGuide).isEqualTo(inRules);
    }

    @Test
    void shouldHaveAMetricTableForEachServiceAndTheRunbooksAsked() throws IOException {
        Map<String, List<OperationsDoc.Metric>> tables = OperationsDoc.tables();
        assertThat(tables).containsKeys("ingest", "stream-processor", "archiver", "external");
        tables.forEach((service, metrics) -> assertThat(metrics).as(service).isNotEmpty());
        for (String service : SERVICES) {
            String prefix = "auditkeeper_" + (service.equals("stream-processor") ? "streams" : service) + "_";
            assertThat(tables.get(service)).as("the %s table lists its own metrics", service)
                    .anySatisfy(x -> assertThat(x.name()).startsWith(prefix));
        }
        // the optional AKS source's table, by its own prefix
        assertThat(tables.get("source-aks")).as("the source-aks table lists its own metrics").isNotEmpty()
                .allSatisfy(x -> assertThat(x.name()).startsWith("auditkeeper_source_aks_"));
        String text = guide();
        assertThat(anchors(text)).contains("kafka-is-down-or-unreachable", "s3-is-down-or-refuses-writes",
                "opensearch-is-down-or-refuses-documents", "records-in-the-dead-letter-topic", "auditkeeper-verify-fails",
                "consumer-lag-grows", "the-webhook-certificate-expires", "rebalancing-restoring-and-the-state-volume",
                "logs");
        assertThat(text).contains("Never logged");
        assertThat(Files.readString(Repo.ROOT.resolve("README.md"))).contains("(docs/operations.md)");
        assertThat(Files.readString(Repo.ROOT.resolve("docs/deploy.md"))).contains("(operations.md)");
    }

    @Test
    void shouldLinkOnlyToHeadingsThatExist() throws IOException {
        List<String> broken = new ArrayList<>();
        Matcher m = Pattern.compile("\\]\\(([A-Za-z0-9_./-]*)#([^)]+)\\)").matcher(guide());
        Map<String, Set<String>> cache = new HashMap<>();
        while (m.find()) {
            String file = m.group(1).isEmpty() ? "operations.md" : m.group(1);
            if (!file.endsWith(".md")) {
                continue;
            }
            Path target = GUIDE.getParent().resolve(file).normalize();
            Set<String> headings = cache.computeIfAbsent(file, f -> {
                try {
                    return anchors(Files.readString(target));
                } catch (IOException e) {
                    return Set.of();
                }
            });
            if (!headings.contains(m.group(2))) {
                broken.add(file + "#" + m.group(2));
            }
        }
        assertThat(broken).as("links of %s to headings that do not exist", OperationsDoc.PATH).isEmpty();
    }

    /**
     * promtool (Debian: the prometheus package, which ./auditkeeper installs): the rules parse, and their unit tests
     * pass. Skipped where promtool is missing, except in CI, where that fails.
     */
    @Test
    void shouldPassPromtoolWhereItIsInstalled(@TempDir Path tmp) throws IOException {
        Repo.Result version = Repo.run(tmp, "promtool", "--version");
        RequiredTool.assumeInstalled(version != null && version.exit() == 0, "promtool",
                "Debian: apt-get install --no-install-recommends prometheus; ./auditkeeper installs it");
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode spec = Yaml.documents(RULES).get(0).node().path("spec").deepCopy();
        Path full = tmp.resolve("auditkeeper-alerts.full.yaml");
        yaml.writeValue(full.toFile(), spec);
        Repo.Result check = Repo.run(tmp, "promtool", "check", "rules", full.toString());
        assertThat(check.exit()).as("promtool check rules: %s %s", check.out(), check.err()).isZero();

        // the unit tests compare labels only: the same rules without their annotations
        spec.path("groups").forEach(g -> g.path("rules").forEach(r -> ((ObjectNode) r).remove("annotations")));
        yaml.writeValue(tmp.resolve("auditkeeper-alerts.rules.yaml").toFile(), spec);
        Files.copy(RULE_TESTS, tmp.resolve("auditkeeper-alerts.test.yaml"));
        Repo.Result test = Repo.run(tmp, "promtool", "test", "rules", "auditkeeper-alerts.test.yaml");
        assertThat(test.exit()).as("promtool test rules: %s %s", test.out(), test.err()).isZero();
    }

    /** The problems of one expression: metrics the guide does not list by name, labels it does not list for them. */
    static List<String> check(String alert, String expr, Map<String, List<OperationsDoc.Metric>> tables) {
        Map<String, OperationsDoc.Metric> listed = new HashMap<>();
        tables.values().forEach(t -> t.stream().filter(x -> !x.family()).forEach(x -> listed.put(x.name(), x)));
        Promql q = Promql.parse(expr);
        List<String> problems = new ArrayList<>();
        Set<String> allowed = new TreeSet<>(TARGET_LABELS);
        for (String metric : q.metrics()) {
            OperationsDoc.Metric m = documented(metric, listed);
            if (m == null) {
                problems.add(alert + ": metric " + metric + " is not listed");
                continue;
            }
            allowed.addAll(m.labels());
            if (!metric.equals(m.name())) {
                allowed.add("le");
            }
        }
        for (String label : q.labels()) {
            if (!allowed.contains(label)) {
                problems.add(alert + ": label " + label + " is not listed for the metrics of the expression " + allowed);
            }
        }
        return problems;
    }

    private static OperationsDoc.Metric documented(String metric, Map<String, OperationsDoc.Metric> listed) {
        if (listed.containsKey(metric)) {
            return listed.get(metric);
        }
        for (String suffix : List.of("_bucket", "_count", "_sum")) {
            if (metric.endsWith(suffix)) {
                OperationsDoc.Metric base = listed.get(metric.substring(0, metric.length() - suffix.length()));
                if (base != null && (base.type().equals("histogram") || base.type().equals("summary"))) {
                    return base;
                }
            }
        }
        return null;
    }

    /** GitHub's anchors of a Markdown text's headings: lower case, punctuation removed, spaces as hyphens. */
    static Set<String> anchors(String markdown) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : markdown.split("\n")) {
            if (line.startsWith("#")) {
                String title = line.replaceFirst("^#+\\s*", "").strip();
                out.add(title.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return out;
    }

    /** The metric names and label names a PromQL expression uses; enough of PromQL for alert rules, not a parser. */
    record Promql(Set<String> metrics, Set<String> labels) {
        private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
        private static final Pattern SELECTOR = Pattern.compile("\\{([^}]*)\\}");
        private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)\\s*\"\"");
        private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
        private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
        private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
        private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "offset", "bool", "by", "without",
                "on", "ignoring", "group_left", "group_right", "atan2", "inf", "nan");

        static Promql parse(String expr) {
            Set<String> labels = new TreeSet<>();
            String s = STRING.matcher(expr).replaceAll("\"\"");
            Matcher sel = SELECTOR.matcher(s);
            while (sel.find()) {
                Matcher m = MATCHER.matcher(sel.group(1));
                while (m.find()) {
                    labels.add(m.group(1));
                }
            }
            s = SELECTOR.matcher(s).replaceAll(" ");
            Matcher g = GROUPING.matcher(s);
            while (g.find()) {
                for (String l : g.group(1).split(",")) {
                    if (!l.isBlank()) {
                        labels.add(l.strip());
                    }
                }
            }
            s = GROUPING.matcher(s).replaceAll(" ");
            s = RANGE.matcher(s).replaceAll(" ");
            Set<String> metrics = new TreeSet<>();
            Matcher id = IDENTIFIER.matcher(s);
            while (id.find()) {
                if (id.group(2) == null && !KEYWORDS.contains(id.group(1).toLowerCase(Locale.ROOT))) {
                    metrics.add(id.group(1));
                }
            }
            return new Promql(metrics, labels);
        }
    }
}
