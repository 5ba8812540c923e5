package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestKeyException;
import io.auditkeeper.model.AuditTopics;
import io.auditkeeper.model.ClusterNames;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import io.auditkeeper.opensearch.schema.EventIndexNames;
import org.opensearch.client.opensearch.OpenSearchClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code auditkeeper report}: the evidence an auditor is handed for a period: who accessed PHI and how, denied
 * attempts, RBAC and configuration changes, alerts (from OpenSearch), and the verification and retention status of
 * the S3 archive for the same period ({@link ArchiveVerification}, as {@code verify} does it). report.html and one CSV
 * per section are written to {@code --out}.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write an evidence report for a period: flagged requests (by actor, namespace and rule, and as a"
                + " timeline), denied attempts, RBAC and configuration changes and alerts from OpenSearch, the dead"
                + " letters of the period from the dead-letter archive, and the verification result and retention"
                + " status of the S3 archive (events and dead letters) for the same period.",
                "Writes report.html (self-contained), report.json and one CSV per section into --out, and prints their paths."},
        footer = {"%nExit codes: 0 report written and the archive verifies, 1 report written but the archive verification"
                + " found problems, 2 usage or configuration error, 3 OpenSearch or S3 unreachable or refused the request."})
public final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "<date|instant>",
            description = "Start of the period: 2026-03-01 or 2026-03-01T08:00:00Z.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "<date|instant>",
            description = "End of the period, exclusive; a date includes that whole day (UTC).")
    String to;

    @Option(names = "--namespace", paramLabel = "<ns>",
            description = "Only requests in this namespace (repeatable); cluster-wide requests, which reach every"
                    + " namespace, are kept. Default: all.")
    List<String> namespaces = new ArrayList<>();

    @Option(names = "--cluster", paramLabel = "<name>",
            description = "Only this cluster's requests, alerts and dead letters (repeatable); the archive is verified"
                    + " whole. Default: all clusters.")
    List<String> clusters = new ArrayList<>();

    @Mixin
    OpenSearchOptions openSearchOptions;

    @Option(names = "--events-index", defaultValue = "audit-events",
            description = "Index or alias of the events (default ${DEFAULT-VALUE}).")
    String eventsIndex;

    @Option(names = "--rehydrated-prefix", defaultValue = EventIndexNames.REHYDRATED_PREFIX, paramLabel = "<prefix>",
            description = "Prefix of the daily indices 'auditkeeper rehydrate' fills from the archive, searched next to"
                    + " --events-index (default ${DEFAULT-VALUE}).")
    String rehydratedPrefix;

    @Option(names = "--alerts-index", defaultValue = "audit-alerts",
            description = "Index of the alerts (default ${DEFAULT-VALUE}).")
    String alertsIndex;

    @Option(names = "--max-rows", defaultValue = "1000000",
            description = "At most this many rows per section in the CSV files (default ${DEFAULT-VALUE}); the report"
                    + " says when a section reached it. report.html shows the first " + EvidenceReportWriter.HTML_ROWS
                    + " of each.")
    int maxRows;

    @Mixin
    S3Options s3Options;

    @Mixin
    ArchiveCheckOptions check;

    @Option(names = "--dead-letter-topic", defaultValue = AuditTopics.DEAD_LETTER, paramLabel = "<topic>",
            description = "The archived dead-letter topic: its records of the period are listed, and its archive is"
                    + " verified with the events' (default ${DEFAULT-VALUE}).")
    String deadLetterTopic;

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "Directory to write the report into.")
    Path out;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TimeWindow window;
        OpenSearchConnection connection;
        try {
            window = TimeWindow.parse(from, to);
            check.validate();
            for (String c : clusters) {
                if (!ClusterNames.isValid(c)) {
                    throw new IllegalArgumentException("--cluster '" + c + "': " + ClusterNames.RULE);
                }
            }
            if (maxRows < 1 || maxRows > 10_000_000) {
                throw new IllegalArgumentException("--max-rows must be 1 to 10000000");
            }
            connection = openSearchOptions.connection();
        } catch (IllegalArgumentException e) {
            err.println("auditkeeper report: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        List<ReportTable> tables = new ArrayList<>();
        ReportTable timeline;
        Optional<IndexCoverage> coverage;
        OpenSearchClient client = null;
        try {
            client = OpenSearchClientFactory.create(connection);
            EvidenceSearch search = new EvidenceSearch(client, connection, eventsIndex, alertsIndex, window,
                    namespaces, maxRows).clusters(clusters).rehydrated(rehydratedPrefix);
            List<ReportTable> events = List.of(search.phiAccessByActor(), search.phiAccess(), search.denied(),
                    search.changes());
            coverage = coverage(search, window, err);
            tables.addAll(events);
            tables.add(alerts(search));
        } catch (EvidenceSearch.SearchException e) {
            err.println("auditkeeper report: " + e.getMessage());
            return e.indexMissing() ? ExitCodes.USAGE : ExitCodes.UNREACHABLE;
        } catch (IllegalArgumentException e) {
            err.println("auditkeeper report: " + e.getMessage());
            return ExitCodes.USAGE;
        } finally {
            close(client);
        }
        ArchiveVerificationResult verification;
        ReportTable deadLetters;
        try (S3Client s3 = s3Options.client()) {
            ArchiveVerificationResult events = check.verify(s3, s3Options, window, err, "report");
            ArchiveVerificationResult dead = check.verify(s3, s3Options, deadLetterTopic, window, err, "report", false);
            verification = both(events, dead);
            coverage = coverage.map(c -> c.archivedOnly(archivedDays(events, window)));
            deadLetters = DeadLetterTable.read(s3, s3Options.bucket(), s3Options.prefix(),
                    check.key(s3, s3Options).verifier(), deadLetterTopic, window, clusters, maxRows);
        } catch (IllegalArgumentException | ManifestKeyException e) {
            err.println("auditkeeper report: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (SdkException e) {
            return s3Options.failure(e, err, "auditkeeper report: ");
        } catch (Exception e) {
            err.println("auditkeeper report: the dead-letter archive cannot be read: " + e);
            return ExitCodes.UNREACHABLE;
        }
        String warning = coverage.flatMap(IndexCoverage::message).orElse(null);
        if (warning != null) {
            for (int i = 0; i < 4; i++) {
                tables.set(i, tables.get(i).withWarning(warning));
            }
        }
        timeline = tables.get(1);
        tables.add(deadLetters);
        tables.add(EvidenceReportWriter.archiveTable(verification));

        Map<String, String> about = new LinkedHashMap<>();
        about.put("Period", window.from() + " to " + window.to() + " (end exclusive)");
        about.put("Namespaces", namespaces.isEmpty() ? "all" : String.join(", ", namespaces)
                + " (and cluster-wide requests)");
        about.put("Clusters", clusters.isEmpty() ? "all" : String.join(", ", clusters));
        about.put("OpenSearch", connection.url() + " (events: " + eventsIndex + " and " + rehydratedPrefix
                + "-*, alerts: " + alertsIndex + ")");
        about.put("Days in OpenSearch", coverage.map(c -> c.complete() ? "all: no day of the period with archived events"
                + " is older than the hot indices without having been rehydrated" : "NOT ALL: " + c.message().orElseThrow())
                .orElse("unknown: no daily index " + eventsIndex + "-yyyy.MM.dd was found, or the indices could not be"
                        + " listed"));
        about.put("Archive", "s3://" + s3Options.bucket() + "/" + s3Options.keyPrefix() + " topic " + check.topic()
                + ", dead letters " + deadLetterTopic);
        about.put("Manifest public key", verification.publicKeySource()
                + (verification.keyFromBucket() ? " (read from the bucket itself: this proves less than a key held"
                + " outside it)" : ""));
        about.put("Digests checked", verification.digestsChecked() > 0 ? Integer.toString(verification.digestsChecked())
                : "0 (none written yet: until the archiver writes one, entries deleted from the end of a chain cannot be"
                + " detected)");
        List<Path> written;
        try {
            written = EvidenceReportWriter.write(out, "Audit Keeper evidence report", about, timeline, tables,
                    verification);
        } catch (IOException e) {
            err.println("auditkeeper report: cannot write to " + out + ": " + e.getMessage());
            return ExitCodes.USAGE;
        }
        written.forEach(p -> stdout.println(p.toAbsolutePath()));
        coverage.flatMap(IndexCoverage::message).ifPresent(m -> stdout.println("NOT IN OPENSEARCH: " + m));
        stdout.println("archive verification: " + (verification.ok() ? "OK"
                : "FAILED (" + verification.problemCount() + " problems, listed in the report)")
                + (verification.leftovers().isEmpty() ? "" : "; " + verification.leftovers().size()
                + " explained leftover(s), not tampering (" + VerifyReportPrinter.counts(verification.leftoverCounts())
                + "), listed in the report"));
        return verification.ok() ? ExitCodes.OK : ExitCodes.PROBLEMS;
    }

    /**
     * The events' archive and the dead letters' as one result: the partitions of both; the digests, which cover both
     * chains alike, once.
     */
    static ArchiveVerificationResult both(ArchiveVerificationResult events, ArchiveVerificationResult deadLetters) {
        List<PartitionVerification> partitions = new ArrayList<>(events.partitions());
        partitions.addAll(deadLetters.partitions());
        return new ArchiveVerificationResult(events.bucket(), events.prefix(), events.topic() + ", " + deadLetters.topic(),
                events.window(), events.publicKeySource(), events.keyFromBucket(), events.digestsChecked(), partitions,
                events.digestProblems(), events.trustedKeys(), events.keyProblems(), events.unexplained());
    }

    private static void close(OpenSearchClient client) {
        if (client != null) {
            try {
                client._transport().close();
            } catch (Exception e) {
                // the report no longer needs it; nothing to tell the user
            }
        }
    }

    /**
     * Which days of the period OpenSearch holds, from the names of the hot daily indices ({@code <events-index>-*})
     * and the rehydrated ones; empty (said on {@code err}) when they cannot be listed.
     */
    private Optional<IndexCoverage> coverage(EvidenceSearch search, TimeWindow window, PrintWriter err) {
        try {
            IndexCoverage c = IndexCoverage.of(window, eventsIndex, rehydratedPrefix,
                    search.indexNames(eventsIndex + "-*", rehydratedPrefix + "-*"));
            return c.known() ? Optional.of(c) : Optional.empty();
        } catch (EvidenceSearch.SearchException e) {
            err.println("auditkeeper report: cannot tell which days OpenSearch holds: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The UTC days of the period on which the archive's entries have events. */
    static Set<LocalDate> archivedDays(ArchiveVerificationResult archive, TimeWindow window) {
        Set<LocalDate> days = new TreeSet<>();
        for (PartitionVerification p : archive.partitions()) {
            for (ManifestEntry e : p.entries()) {
                days.addAll(IndexCoverage.daysOf(window, ArchiveVerification.instant(e.firstEventTime()),
                        ArchiveVerification.instant(e.lastEventTime())));
            }
        }
        return days;
    }

    /** The alerts index is created by the first alert: its absence is no error, and the report says so. */
    private ReportTable alerts(EvidenceSearch search) throws EvidenceSearch.SearchException {
        try {
            return search.alerts();
        } catch (EvidenceSearch.SearchException e) {
            if (!e.indexMissing()) {
                throw e;
            }
            return new ReportTable("alerts", "Alerts", "The index " + alertsIndex + " does not exist: no alert has"
                    + " ever been indexed there.", List.of("windowStart", "windowEnd", "type", "severity", "actor",
                    "namespaces", "count", "threshold", "description", "cluster", "alertId"), List.of(), false);
        }
    }
}
