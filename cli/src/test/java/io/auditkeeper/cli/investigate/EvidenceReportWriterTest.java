package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.Leftover;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EvidenceReportWriterTest {
    @TempDir
    Path dir;

    @Test
    void shouldQuoteCsvValuesAndDefuseFormulasWhenValuesHaveCommasQuotesOrStartLikeAFormula() {
        ReportTable t = new ReportTable("x", "X", "x", List.of("a", "b", "c", "d"),
                List.of(List.of("x,y", "say \"hi\"", "=HYPERLINK(\"http://e\")", "-5"),
                        List.of("@SUM(A1)", "line\nbreak", "-cmd", "")), false);

        assertThat(EvidenceReportWriter.csv(t)).isEqualTo("a,b,c,d\r\n"
                + "\"x,y\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"http://e\"\")\",-5\r\n"
                + "'@SUM(A1),\"line\nbreak\",'-cmd,\r\n");
    }

    @Test
    void shouldChartFlaggedRequestsPerHourWithEmptyHoursKeptWhenThePeriodIsShort() {
        ReportTable timeline = new ReportTable("phi-access", "Timeline", "n", List.of("timestamp", "actor"),
                List.of(List.of("2026-03-01T10:05:00.123456Z", "a"), List.of("2026-03-01T10:59:59Z", "b"),
                        List.of("2026-03-01T13:00:00Z", "a")), false);

        String svg = EvidenceReportWriter.timelineChart(timeline);

        assertThat(svg).contains("per hour");
        assertThat(svg).as("10h: 2, 11h and 12h: none, 13h: 1")
                .containsPattern("height=\"160\" fill=\"#3b6ea5\"><title>2026-03-01T10:00:00Z: 2</title>")
                .containsPattern("height=\"80\" fill=\"#3b6ea5\"><title>2026-03-01T13:00:00Z: 1</title>")
                .doesNotContain("T11:00:00Z").doesNotContain("T12:00:00Z");
        assertThat(svg.split("<rect", -1)).hasSize(3);
    }

    @Test
    void shouldChartPerMinuteWithNarrowBarsWhenTheRequestsSpanMinutes() {
        ReportTable burst = new ReportTable("phi-access", "Timeline", "n", List.of("timestamp", "actor"),
                List.of(List.of("2026-03-01T10:05:10Z", "a"), List.of("2026-03-01T10:06:59Z", "a")), false);

        String svg = EvidenceReportWriter.timelineChart(burst);

        assertThat(svg).contains("per minute").contains("<title>2026-03-01T10:06:00Z: 1</title>").contains(">10:05</text>")
                .containsPattern("width=\"38\\.4\" height=\"160\"");
    }

    @Test
    void shouldChartPerDayAndPerWeekWhenThePeriodIsLonger() {
        ReportTable month = new ReportTable("phi-access", "Timeline", "n", List.of("timestamp", "actor"),
                List.of(List.of("2026-03-01T10:00:00Z", "a"), List.of("2026-03-31T23:00:00Z", "a")), false);
        ReportTable year = new ReportTable("phi-access", "Timeline", "n", List.of("timestamp", "actor"),
                List.of(List.of("2026-01-01T10:00:00Z", "a"), List.of("2026-12-31T10:00:00Z", "a")), false);

        assertThat(EvidenceReportWriter.timelineChart(month)).contains("per day")
                .contains("<title>2026-03-31T00:00:00Z: 1</title>");
        // 2026-01-01 is a Thursday: its week starts on Monday 2025-12-29
        assertThat(EvidenceReportWriter.timelineChart(year)).contains("per week")
                .contains("<title>2025-12-29T00:00:00Z: 1</title>").contains("<title>2026-12-28T00:00:00Z: 1</title>");
    }

    @Test
    void shouldShowTheFirstRowsInTheHtmlAndEveryRowInTheCsvWhenASectionIsLong() throws Exception {
        List<List<String>> rows = new java.util.ArrayList<>();
        for (int i = 0; i < EvidenceReportWriter.HTML_ROWS + 5; i++) {
            rows.add(List.of("2026-03-01T10:00:00Z", "actor-" + i));
        }
        ReportTable long_ = new ReportTable("phi-access", "Timeline", "n", List.of("timestamp", "actor"), rows, false);
        ArchiveVerificationResult ok = new ArchiveVerificationResult("b", "", "t",
                new TimeWindow(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-02T00:00:00Z")), "k",
                false, 1, List.of(), List.of());

        EvidenceReportWriter.write(dir, "R", Map.of(), long_, List.of(long_), ok);

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("The first " + EvidenceReportWriter.HTML_ROWS + " of "
                + (EvidenceReportWriter.HTML_ROWS + 5) + " rows; phi-access.csv has them all.")
                .contains("<td>actor-" + (EvidenceReportWriter.HTML_ROWS - 1) + "</td>")
                .doesNotContain("<td>actor-" + EvidenceReportWriter.HTML_ROWS + "</td>")
                .contains("the 40 actors with the most, of " + (EvidenceReportWriter.HTML_ROWS + 5));
        assertThat(html.split("<rect", -1)).as("bars: one of the time chart, 40 of the actor chart").hasSize(42);
        assertThat(Files.readAllLines(dir.resolve("phi-access.csv"))).hasSize(EvidenceReportWriter.HTML_ROWS + 6);
    }

    @Test
    void shouldWriteEverySectionAsJsonRowsKeyedByTheHeadersWhenTheReportIsWritten() throws Exception {
        ReportTable table = new ReportTable("dead-letters", "Dead letters", "n", List.of("time", "reason"),
                List.of(List.of("2026-03-01T10:30:00Z", "malformed-json"), List.of("2026-03-01T11:00:00Z", "a \"quoted\"\n")),
                true);
        ArchiveVerificationResult ok = new ArchiveVerificationResult("b", "", "t",
                new TimeWindow(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-02T00:00:00Z")), "k",
                false, 1, List.of(), List.of());

        ReportTable timeline = new ReportTable("phi-access", "Timeline", "n", List.of("timestamp", "actor"),
                List.of(List.of("2026-03-01T10:00:00Z", "alice")), false);
        List<java.nio.file.Path> written = EvidenceReportWriter.write(dir, "R", Map.of("Period", "March"), timeline,
                List.of(table, timeline), ok);

        assertThat(written.get(1)).isEqualTo(dir.resolve("report.json"));
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("report.json").toFile());
        assertThat(json.path("about").path("Period").asText()).isEqualTo("March");
        assertThat(json.path("archiveVerification").path("ok").asBoolean()).isTrue();
        assertThat(json.path("archiveVerification").path("bucket").asText()).isEqualTo("b");
        com.fasterxml.jackson.databind.JsonNode section = json.path("sections").get(0);
        assertThat(section.path("file").asText()).isEqualTo("dead-letters.csv");
        assertThat(section.path("truncated").asBoolean()).isTrue();
        assertThat(section.path("rows")).hasSize(2);
        assertThat(section.path("rows").get(0).path("reason").asText()).isEqualTo("malformed-json");
        assertThat(section.path("rows").get(1).path("reason").asText()).isEqualTo("a \"quoted\"\n");
    }

    @Test
    void shouldEscapeEveryValueInTheHtmlWhenValuesHoldMarkup() throws Exception {
        String evil = "<img src=x onerror=\"alert('1')\">&";
        ReportTable timeline = new ReportTable("phi-access", "Timeline", "n", List.of("timestamp", "actor"),
                List.of(List.of("2026-03-01T10:00:00Z", evil), List.of("2026-03-01T10:01:00Z", "bob"),
                        List.of("2026-03-01T10:02:00Z", evil)), false);
        ReportTable empty = new ReportTable("denied", "Denied", "n", List.of("actor"), List.of(), true);
        ArchiveVerificationResult ok = new ArchiveVerificationResult("b", "", "t",
                new TimeWindow(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-02T00:00:00Z")), "file k.pem",
                false, 1, List.of(), List.of());

        List<Path> files = EvidenceReportWriter.write(dir, "Report <1>", Map.of("Namespaces", evil), timeline,
                List.of(timeline, empty), ok);

        assertThat(files).containsExactly(dir.resolve("report.html"), dir.resolve("report.json"),
                dir.resolve("phi-access.csv"), dir.resolve("denied.csv"));
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).doesNotContain("<img").contains("&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;")
                .contains("Report &lt;1&gt;").contains("<svg").contains("limit reached").contains("None in the period")
                .contains("<span class=\"ok\">OK</span>")
                .containsPattern("<text [^>]*>bob</text><rect [^>]*width=\"210\"[^>]*/><text [^>]*>1</text>")
                .containsPattern("&amp;</text><rect [^>]*width=\"420\"[^>]*/><text [^>]*>2</text>");
    }

    @Test
    void shouldListLeftoversInTheArchiveSectionAndJsonWithoutFailingTheVerification() throws Exception {
        Leftover duplicate = new Leftover(Leftover.Kind.DUPLICATE_VERSION, "events/2026/03/01/10/t_0000_a-b.ndjson.gz",
                "v2", 0, 9, "version v2 has the recorded SHA-256");
        Leftover unreferenced = new Leftover(Leftover.Kind.UNREFERENCED_OBJECT,
                "events/2026/03/01/10/t_0000_c-d.ndjson.gz", "z1", 5, 9, "no manifest entry names this object");
        ArchiveVerificationResult ok = new ArchiveVerificationResult("b", "", "t",
                new TimeWindow(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-02T00:00:00Z")), "k",
                false, 1, List.of(new PartitionVerification("t", 0, List.of(), List.of(),
                List.of(duplicate, unreferenced))), List.of());
        ReportTable timeline = new ReportTable("phi-access", "Timeline", "n", List.of("timestamp", "actor"),
                List.of(), false);

        EvidenceReportWriter.write(dir, "R", Map.of(), timeline, List.of(EvidenceReportWriter.archiveTable(ok)), ok);

        assertThat(ok.ok()).isTrue();
        List<String> csv = Files.readAllLines(dir.resolve("archive.csv"));
        assertThat(csv.get(0)).endsWith(",status,problems,leftovers");
        assertThat(csv.get(1)).contains(",OK,,DUPLICATE_VERSION " + duplicate.key() + " version v2 offsets 0-9: ")
                .contains("; UNREFERENCED_OBJECT " + unreferenced.key() + " version z1 offsets 5-9: ");
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("2 explained leftover(s) (1 DUPLICATE_VERSION, 1 UNREFERENCED_OBJECT), not tampering")
                .contains("docs/archiver.md");
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("report.json").toFile()).path("archiveVerification");
        assertThat(json.path("ok").asBoolean()).isTrue();
        assertThat(json.path("problemCount").asInt()).isZero();
        assertThat(json.path("leftoverCount").asInt()).isEqualTo(2);
        assertThat(json.path("leftoversByKind").path("UNREFERENCED_OBJECT").asInt()).isEqualTo(1);
        assertThat(json.path("partitions").get(0).path("leftovers").get(0).path("versionId").asText()).isEqualTo("v2");
    }
}
