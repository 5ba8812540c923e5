package io.auditkeeper.cli.investigate;

import java.util.List;

/**
 * One section of the evidence report: written as {@code <file>.csv} and as a table of {@code report.html}.
 *
 * @param file      the CSV file name without extension
 * @param title     the heading in the HTML
 * @param note      one sentence under the heading saying what the table holds
 * @param truncated true when the search returned as many rows as it was allowed: there may be more
 * @param warning   null, or why the rows are not the whole period (days that are not in OpenSearch), shown above
 *                  the table instead of "none in the period" when there are no rows
 */
public record ReportTable(String file, String title, String note, List<String> headers, List<List<String>> rows,
                          boolean truncated, String warning) {
    public ReportTable {
        headers = List.copyOf(headers);
        rows = rows.stream().map(r -> r.stream().map(v -> v == null ? "" : v).toList()).toList();
    }

    public ReportTable(String file, String title, String note, List<String> headers, List<List<String>> rows,
                       boolean truncated) {
        this(file, title, note, headers, rows, truncated, null);
    }

    /** The same table with a warning over it. */
    public ReportTable withWarning(String text) {
        return new ReportTable(file, title, note, headers, rows, truncated, text);
    }
}
