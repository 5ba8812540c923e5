package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.evidence.manifest.Leftover;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.Problem;
import io.auditkeeper.model.AuditJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes the evidence report: one CSV per section (RFC 4180, UTF-8) and {@code report.html}, a single file with its
 * CSS and an SVG chart inline, no scripts and no external assets, every value HTML-escaped. It is what an auditor is
 * handed, so it says what each table holds and what the verification found, in words.
 */
public final class EvidenceReportWriter {
    /** Rows of a section shown in report.html; the CSV has every row (a browser chokes on a table of millions). */
    public static final int HTML_ROWS = 2000;

    /** Actors drawn in the per-actor chart: the most active ones. */
    static final int CHART_ACTORS = 40;

    /** Columns of times and ids: kept on one line, since a value broken at its hyphens misreads. */
    private static final java.util.regex.Pattern NOWRAP = java.util.regex.Pattern.compile(
            "(?i)(timestamp|time|windowstart|windowend|until|auditid|alertid)$");

    private EvidenceReportWriter() {
    }

    /**
     * The archive verification as a table: one row per partition, plus one for the digests when they have problems.
     * The last column lists the partition's leftovers, which do not make its status FAILED.
     */
    public static ReportTable archiveTable(ArchiveVerificationResult r) {
        List<List<String>> rows = new ArrayList<>();
        for (PartitionVerification p : r.partitions()) {
            TreeSet<String> modes = new TreeSet<>();
            String earliest = null;
            for (ManifestEntry e : p.entries()) {
                modes.add(e.retentionMode() == null ? "" : e.retentionMode());
                if (e.retainUntil() != null && (earliest == null || Instant.parse(e.retainUntil())
                        .isBefore(Instant.parse(earliest)))) {
                    earliest = e.retainUntil();
                }
            }
            rows.add(List.of(p.topic(), Integer.toString(p.partition()), Integer.toString(p.entries().size()),
                    Long.toString(p.events()), p.entries().isEmpty() ? "" : p.firstOffset() + "-" + p.lastOffset(),
                    nz(p.firstEventTime()), nz(p.lastEventTime()), String.join(" ", modes), nz(earliest),
                    p.ok() ? "OK" : "FAILED", problems(p.problems()), leftovers(p.leftovers())));
        }
        if (!r.digestProblems().isEmpty()) {
            rows.add(List.of(r.topic(), "digests", "", "", "", "", "", "", "", "FAILED", problems(r.digestProblems()),
                    ""));
        }
        if (r.unexplained() != null && !r.unexplained().isEmpty()) {
            rows.add(List.of(r.topic(), "objects", "", "", "", "", "", "", "", "FAILED", problems(r.unexplained()),
                    ""));
        }
        return new ReportTable("archive", "Archive verification and retention",
                "Each partition of the S3 archive in the period: manifest signatures and hash chains, offset"
                        + " continuity, object hashes, and the Object Lock mode and earliest retain-until date."
                        + (r.leftovers().isEmpty() ? "" : " Leftovers: " + r.leftovers().size() + " ("
                        + VerifyReportPrinter.counts(r.leftoverCounts()) + "). "
                        + VerifyReportPrinter.LEFTOVERS_EXPLAINED),
                List.of("topic", "partition", "objects", "events", "offsets", "firstEventTime", "lastEventTime",
                        "retentionMode", "earliestRetainUntil", "status", "problems", "leftovers"), rows, false);
    }

    /** Writes every file and returns their paths: report.html, report.json, then the CSV files. */
    public static List<Path> write(Path dir, String heading, Map<String, String> about, ReportTable timeline,
                                   List<ReportTable> tables, ArchiveVerificationResult verification) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path html = dir.resolve("report.html");
        Files.writeString(html, html(heading, about, timeline, tables, verification), StandardCharsets.UTF_8);
        written.add(html);
        Path json = dir.resolve("report.json");
        Files.writeString(json, json(heading, about, tables, verification), StandardCharsets.UTF_8);
        written.add(json);
        for (ReportTable t : tables) {
            Path csv = dir.resolve(t.file() + ".csv");
            Files.writeString(csv, csv(t), StandardCharsets.UTF_8);
            written.add(csv);
        }
        return written;
    }

    /**
     * The whole report for a program (a GRC tool, a ticket): the period and sources, the archive verification as
     * {@code verify --json} gives it, and every section with its rows as objects keyed by the CSV's headers (all rows,
     * as in the CSV files).
     */
    static String json(String heading, Map<String, String> about, List<ReportTable> tables,
                       ArchiveVerificationResult verification) {
        ObjectNode root = AuditJson.mapper().createObjectNode();
        root.put("title", heading);
        root.put("generatedAt", Instant.now().toString());
        ObjectNode a = root.putObject("about");
        about.forEach(a::put);
        root.set("archiveVerification", VerifyReportPrinter.node(verification));
        ArrayNode sections = root.putArray("sections");
        for (ReportTable t : tables) {
            ObjectNode n = sections.addObject();
            n.put("file", t.file() + ".csv");
            n.put("title", t.title());
            n.put("note", t.note());
            n.put("truncated", t.truncated());
            if (t.warning() != null) {
                n.put("warning", t.warning());
            }
            ArrayNode rows = n.putArray("rows");
            for (List<String> row : t.rows()) {
                ObjectNode r = rows.addObject();
                for (int i = 0; i < t.headers().size(); i++) {
                    r.put(t.headers().get(i), i < row.size() ? row.get(i) : "");
                }
            }
        }
        return root.toPrettyString() + "\n";
    }

    static String csv(ReportTable t) {
        StringBuilder b = new StringBuilder();
        b.append(csvLine(t.headers()));
        t.rows().forEach(r -> b.append(csvLine(r)));
        return b.toString();
    }

    private static String csvLine(List<String> values) {
        List<String> cells = new ArrayList<>();
        for (String v : values) {
            String cell = v;
            // a spreadsheet would run a value starting like a formula (an actor name is chosen by whoever has a cluster)
            if (!cell.isEmpty() && "=+@\t\r".indexOf(cell.charAt(0)) >= 0
                    || cell.startsWith("-") && !cell.matches("-\\d.*")) {
                cell = "'" + cell;
            }
            if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
                cell = "\"" + cell.replace("\"", "\"\"") + "\"";
            }
            cells.add(cell);
        }
        return String.join(",", cells) + "\r\n";
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String html(String heading, Map<String, String> about, ReportTable timeline, List<ReportTable> tables,
                               ArchiveVerificationResult v) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(escape(heading)).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;margin:2em auto;")
                .append("max-width:75em;padding:0 1em;color:#222;line-height:1.4}\n")
                .append("h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:2em;")
                .append("border-bottom:1px solid #ccc;padding-bottom:.2em}\n")
                .append("table{border-collapse:collapse;font-size:.85em;margin:.5em 0;width:100%}\n")
                .append("div.wide{overflow-x:auto}div.wide table{width:auto;min-width:100%}td.nowrap{white-space:nowrap}\n")
                .append("th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}\n")
                .append("th{background:#f0f0f0}tr:nth-child(even) td{background:#fafafa}\n")
                .append("dl.about{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}")
                .append("dd{margin:0}\n.ok{color:#176f2c;font-weight:700}.failed{color:#b00020;font-weight:700}\n")
                .append(".note{color:#555;font-size:.9em}.warn{color:#8a5a00}\n")
                .append("@media print{h2{page-break-after:avoid}tr{page-break-inside:avoid}}\n</style></head><body>\n");
        h.append("<h1>").append(escape(heading)).append("</h1>\n<dl class=\"about\">\n");
        about.forEach((k, val) -> h.append("<dt>").append(escape(k)).append("</dt><dd>").append(escape(val))
                .append("</dd>\n"));
        h.append("<dt>Archive verification</dt><dd>").append(v.ok()
                ? "<span class=\"ok\">OK</span>: every signature, hash chain, offset range, object and retention lock"
                + " checks out"
                : "<span class=\"failed\">FAILED</span>: " + v.problemCount() + " problem(s), listed below")
                .append(v.leftovers().isEmpty() ? "" : "; " + v.leftovers().size() + " explained leftover(s) ("
                        + escape(VerifyReportPrinter.counts(v.leftoverCounts())) + "), not tampering, listed in the"
                        + " archive section")
                .append("</dd>\n</dl>\n");
        tables.stream().map(ReportTable::warning).filter(java.util.Objects::nonNull).findFirst()
                .ifPresent(w -> h.append("<p class=\"failed\">").append(escape(w)).append("</p>\n"));

        h.append("<h2>Summary</h2>\n<table><tr><th>section</th><th>rows</th><th>file</th></tr>\n");
        for (ReportTable t : tables) {
            h.append("<tr><td>").append(escape(t.title())).append("</td><td>").append(t.rows().size())
                    .append(t.truncated() ? " (limit reached: there may be more)" : "").append("</td><td>")
                    .append(escape(t.file())).append(".csv</td></tr>\n");
        }
        h.append("</table>\n");

        String notIndexed = timeline.warning() == null ? ""
                : "<p class=\"failed\">" + escape(timeline.warning()) + "</p>\n";
        boolean unseen = timeline.warning() != null && timeline.rows().isEmpty();
        h.append("<h2>Flagged requests over time</h2>\n").append(unseen ? notIndexed : timelineChart(timeline));
        h.append("<h2>Flagged requests by actor</h2>\n").append(unseen ? notIndexed : chart(timeline));
        for (ReportTable t : tables) {
            h.append("<h2 id=\"").append(escape(t.file())).append("\">").append(escape(t.title())).append("</h2>\n")
                    .append("<p class=\"note\">").append(escape(t.note())).append(" (").append(escape(t.file()))
                    .append(".csv)</p>\n");
            if (t.truncated()) {
                h.append("<p class=\"warn\">The search limit was reached: there may be more rows; narrow the period"
                        + " or raise --max-rows.</p>\n");
            }
            if (t.warning() != null) {
                h.append("<p class=\"failed\">").append(escape(t.warning())).append("</p>\n");
            }
            if (t.rows().isEmpty()) {
                h.append(t.warning() == null ? "<p>None in the period.</p>\n"
                        : "<p>No rows from the days OpenSearch holds; the days above were not searched.</p>\n");
                continue;
            }
            if (t.rows().size() > HTML_ROWS) {
                h.append("<p class=\"warn\">The first ").append(HTML_ROWS).append(" of ").append(t.rows().size())
                        .append(" rows; ").append(escape(t.file())).append(".csv has them all.</p>\n");
            }
            // a wide table scrolls inside its box instead of widening the page
            h.append("<div class=\"wide\"><table>\n<tr>");
            t.headers().forEach(c -> h.append("<th>").append(escape(c)).append("</th>"));
            h.append("</tr>\n");
            for (List<String> row : t.rows().subList(0, Math.min(HTML_ROWS, t.rows().size()))) {
                h.append("<tr>");
                for (int i = 0; i < row.size(); i++) {
                    String c = row.get(i);
                    String header = i < t.headers().size() ? t.headers().get(i) : "";
                    String cls = c.equals("OK") ? " class=\"ok\"" : c.equals("FAILED") ? " class=\"failed\""
                            : NOWRAP.matcher(header).find() ? " class=\"nowrap\"" : "";
                    h.append("<td").append(cls).append(">").append(escape(c)).append("</td>");
                }
                h.append("</tr>\n");
            }
            h.append("</table></div>\n");
        }
        h.append("<p class=\"note\">Generated by auditkeeper report at ").append(escape(Instant.now().toString()))
                .append(".</p>\n</body></html>\n");
        return h.toString();
    }

    /** A horizontal bar chart of flagged requests per actor: the timeline's rows (one per request) counted. */
    /**
     * Flagged requests per minute (when they span two hours or less), per hour (two days or less), per day (up to 120
     * days) or per week (from Monday),
     * from the first to the last one, empty buckets included, as an SVG column chart: a burst or a night-time pattern
     * shows at a glance where the table would need reading.
     */
    static String timelineChart(ReportTable timeline) {
        int ts = timeline.headers().indexOf("timestamp");
        List<Instant> times = new ArrayList<>();
        for (List<String> r : timeline.rows()) {
            try {
                times.add(Instant.parse(r.get(ts)));
            } catch (RuntimeException e) {
                // a row without a readable time is in the table; it cannot be placed on the chart
            }
        }
        if (times.isEmpty()) {
            return "<p>No flagged requests in the period.</p>\n";
        }
        Instant first = times.stream().min(Instant::compareTo).orElseThrow();
        Instant last = times.stream().max(Instant::compareTo).orElseThrow();
        long spanMinutes = java.time.Duration.between(first, last).toMinutes();
        String unit = spanMinutes <= 120 ? "minute" : spanMinutes <= 48 * 60 ? "hour"
                : spanMinutes <= 120 * 24 * 60 ? "day" : "week";
        java.util.function.Function<Instant, Instant> bucket = t -> switch (unit) {
            case "minute" -> t.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
            case "hour" -> t.truncatedTo(java.time.temporal.ChronoUnit.HOURS);
            case "day" -> t.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
            default -> t.atZone(java.time.ZoneOffset.UTC).toLocalDate()
                    .with(java.time.temporal.TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY))
                    .atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        };
        java.time.Duration step = switch (unit) {
            case "minute" -> java.time.Duration.ofMinutes(1);
            case "hour" -> java.time.Duration.ofHours(1);
            case "day" -> java.time.Duration.ofDays(1);
            default -> java.time.Duration.ofDays(7);
        };
        Map<Instant, Long> counts = new TreeMap<>();
        for (Instant t = bucket.apply(first); !t.isAfter(bucket.apply(last)); t = t.plus(step)) {
            counts.put(t, 0L);
        }
        times.forEach(t -> counts.merge(bucket.apply(t), 1L, Long::sum));
        long max = counts.values().stream().mapToLong(Long::longValue).max().orElse(1);
        // a few buckets get bars of at most 48 px rather than one bar across the page
        int plotWidth = Math.min(720, 48 * counts.size());
        int plotHeight = 160;
        int left = 40;
        int top = 10;
        double barWidth = (double) plotWidth / counts.size();
        StringBuilder s = new StringBuilder();
        s.append("<p class=\"note\">Flagged requests per ").append(unit).append(" (UTC), each request once.</p>\n");
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(left + plotWidth + 10)
                .append("\" height=\"").append(top + plotHeight + 40)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">\n")
                .append("<title>Flagged requests per ").append(unit).append("</title>\n");
        s.append("<text x=\"").append(left - 4).append("\" y=\"").append(top + 8).append("\" text-anchor=\"end\">")
                .append(max).append("</text><text x=\"").append(left - 4).append("\" y=\"").append(top + plotHeight)
                .append("\" text-anchor=\"end\">0</text>\n");
        s.append("<line x1=\"").append(left).append("\" y1=\"").append(top + plotHeight).append("\" x2=\"")
                .append(left + plotWidth).append("\" y2=\"").append(top + plotHeight).append("\" stroke=\"#999\"/>\n");
        int labelEvery = Math.max(1, (int) Math.ceil(counts.size() / 8.0));
        int i = 0;
        for (Map.Entry<Instant, Long> e : counts.entrySet()) {
            double x = left + i * barWidth;
            long h = e.getValue() * plotHeight / max;
            if (e.getValue() > 0) {
                s.append("<rect x=\"").append(String.format(java.util.Locale.ROOT, "%.1f", x + barWidth * 0.1))
                        .append("\" y=\"").append(top + plotHeight - h).append("\" width=\"")
                        .append(String.format(java.util.Locale.ROOT, "%.1f", Math.max(1, barWidth * 0.8)))
                        .append("\" height=\"").append(h).append("\" fill=\"#3b6ea5\"><title>")
                        .append(escape(e.getKey().toString())).append(": ").append(e.getValue())
                        .append("</title></rect>\n");
            }
            if (i % labelEvery == 0) {
                String label = switch (unit) {
                    case "minute" -> e.getKey().toString().substring(11, 16);
                    case "hour" -> e.getKey().toString().substring(5, 13).replace('T', ' ') + "h";
                    default -> e.getKey().toString().substring(0, 10);
                };
                s.append("<text x=\"").append(String.format(java.util.Locale.ROOT, "%.1f", x)).append("\" y=\"")
                        .append(top + plotHeight + 16).append("\">").append(escape(label)).append("</text>\n");
            }
            i++;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String chart(ReportTable timeline) {
        Map<String, Long> perActor = new TreeMap<>();
        int actor = timeline.headers().indexOf("actor");
        for (List<String> r : timeline.rows()) {
            perActor.merge(r.get(actor), 1L, Long::sum);
        }
        if (perActor.isEmpty()) {
            return "<p>No flagged requests in the period.</p>\n";
        }
        int actors = perActor.size();
        if (actors > CHART_ACTORS) {
            // the most active ones, in name order as the others are; the table below has everyone
            Map<String, Long> top = new TreeMap<>();
            perActor.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()
                    .thenComparing(Map.Entry.comparingByKey())).limit(CHART_ACTORS)
                    .forEach(e -> top.put(e.getKey(), e.getValue()));
            perActor = top;
        }
        long max = perActor.values().stream().mapToLong(Long::longValue).max().orElse(1);
        int barHeight = 22;
        int labelWidth = 260;
        int barWidth = 420;
        int height = perActor.size() * barHeight + 10;
        StringBuilder s = new StringBuilder();
        s.append("<p class=\"note\">Flagged requests per actor (each request once, whatever its rules)")
                .append(actors > CHART_ACTORS ? ": the " + CHART_ACTORS + " actors with the most, of " + actors : "")
                .append(".</p>\n");
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(labelWidth + barWidth + 60)
                .append("\" height=\"").append(height).append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
                .append("<title>Flagged requests by actor</title>\n");
        int y = 5;
        for (Map.Entry<String, Long> e : perActor.entrySet()) {
            long w = Math.max(1, e.getValue() * barWidth / max);
            s.append("<text x=\"").append(labelWidth - 6).append("\" y=\"").append(y + 15)
                    .append("\" text-anchor=\"end\">").append(escape(e.getKey())).append("</text>")
                    .append("<rect x=\"").append(labelWidth).append("\" y=\"").append(y + 3).append("\" width=\"")
                    .append(w).append("\" height=\"").append(barHeight - 6).append("\" fill=\"#3b6ea5\"/>")
                    .append("<text x=\"").append(labelWidth + w + 4).append("\" y=\"").append(y + 15).append("\">")
                    .append(e.getValue()).append("</text>\n");
            y += barHeight;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String problems(List<Problem> problems) {
        List<String> p = new ArrayList<>();
        for (Problem x : problems) {
            p.add(x.kind() + (x.key() == null ? "" : " " + x.key())
                    + (x.firstOffset() >= 0 ? " offsets " + x.firstOffset() + "-" + x.lastOffset() : "")
                    + (x.detail() == null || x.detail().isEmpty() ? "" : ": " + x.detail()));
        }
        return String.join("; ", p);
    }

    private static String leftovers(List<Leftover> leftovers) {
        List<String> l = new ArrayList<>();
        for (Leftover x : leftovers) {
            l.add(x.kind() + " " + x.key() + " version " + x.versionId()
                    + (x.firstOffset() >= 0 ? " offsets " + x.firstOffset() + "-" + x.lastOffset() : "")
                    + (x.detail() == null || x.detail().isEmpty() ? "" : ": " + x.detail()));
        }
        return String.join("; ", l);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
