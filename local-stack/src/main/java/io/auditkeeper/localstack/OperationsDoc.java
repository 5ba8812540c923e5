package io.auditkeeper.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric tables of the operator's guide, {@code docs/operations.md}, read so that tests can hold the guide to the
 * code: each service's integration test checks that every metric its table lists (name and labels) is on the real
 * {@code /metrics} of a started service, and {@code deploy-tests} checks that the Prometheus alert rules use only
 * metrics the tables list.
 *
 * <p>A table belongs to a service when it follows a heading {@code ### <service> metrics} (up to the next heading).
 * Its first column holds the metric name in backquotes ({@code `auditkeeper_ingest_requests_total`}) or a family
 * ({@code `kafka_producer_*`}: at least one metric with that prefix), its second the type, its third the label
 * names in backquotes (or nothing).
 */
public final class OperationsDoc {
    /** The file, relative to the repository root. */
    public static final String PATH = "docs/operations.md";
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*$");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

    /** One row of a metric table. */
    public record Metric(String name, String type, List<String> labels) {
        /** {@code kafka_producer_*}: any metric with the prefix. */
        public boolean family() {
            return name.endsWith("*");
        }

        public String prefix() {
            return family() ? name.substring(0, name.length() - 1) : name;
        }
    }

    private OperationsDoc() {
    }

    /** docs/operations.md, found from the working directory upwards (a module's directory, or the root). */
    public static Path file() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path f = d.resolve(PATH);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new IllegalStateException(PATH + " not found from " + dir + " upwards");
    }

    /** The metric tables, by service ({@code ingest}, {@code stream-processor}, ...), in the order of the file. */
    public static Map<String, List<Metric>> tables() {
        try {
            return tables(Files.readString(file()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The metric tables of a text in the format of {@code docs/operations.md}. */
    public static Map<String, List<Metric>> tables(String markdown) {
        Map<String, List<Metric>> out = new LinkedHashMap<>();
        String service = null;
        for (String line : markdown.split("\n")) {
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String title = h.group(1);
                service = line.startsWith("### ") && title.endsWith(" metrics")
                        ? title.substring(0, title.length() - " metrics".length()).strip() : null;
                continue;
            }
            if (service == null || !line.startsWith("|")) {
                continue;
            }
            String[] cells = line.replace("\\|", "\u0000").split("\\|", -1);
            if (cells.length < 4) {
                continue;
            }
            Matcher name = CODE.matcher(cells[1]);
            if (!name.find()) {
                continue; // the header or the separator row
            }
            List<String> labels = new ArrayList<>();
            Matcher l = CODE.matcher(cells[3]);
            while (l.find()) {
                labels.add(l.group(1));
            }
            out.computeIfAbsent(service, s -> new ArrayList<>())
                    .add(new Metric(name.group(1).strip(), cells[2].strip(), List.copyOf(labels)));
        }
        return out;
    }

    /**
     * What the table of {@code service} lists that the Prometheus text {@code scrape} does not have: a metric with no
     * sample (for a histogram, no {@code _bucket}, {@code _count} or {@code _sum} sample either), a family with no
     * metric, or a label that none of the metric's samples carries. Empty when everything listed is there.
     */
    public static List<String> missingFrom(String service, String scrape) {
        List<Metric> table = tables().get(service);
        if (table == null || table.isEmpty()) {
            return List.of(PATH + " has no table under '### " + service + " metrics'");
        }
        return missing(table, scrape);
    }

    static List<String> missing(List<Metric> table, String scrape) {
        Map<String, Set<String>> labelsByName = new LinkedHashMap<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int end = brace >= 0 && (space < 0 || brace < space) ? brace : space;
            if (end <= 0) {
                continue;
            }
            Set<String> labels = labelsByName.computeIfAbsent(line.substring(0, end), n -> new LinkedHashSet<>());
            if (end == brace) {
                Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
                while (m.find()) {
                    labels.add(m.group(1));
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (Metric metric : table) {
            Set<String> labels = new LinkedHashSet<>();
            boolean present = false;
            for (Map.Entry<String, Set<String>> e : labelsByName.entrySet()) {
                String n = e.getKey();
                boolean match = metric.family() ? n.startsWith(metric.prefix())
                        : n.equals(metric.name()) || n.equals(metric.name() + "_bucket")
                        || n.equals(metric.name() + "_count") || n.equals(metric.name() + "_sum");
                if (match) {
                    present = true;
                    labels.addAll(e.getValue());
                }
            }
            if (!present) {
                problems.add(metric.name() + ": not on /metrics");
                continue;
            }
            for (String label : metric.labels()) {
                if (!labels.contains(label)) {
                    problems.add(metric.name() + ": no sample has the label " + label + " (has " + labels + ")");
                }
            }
        }
        return problems;
    }
}
