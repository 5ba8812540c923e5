package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestVerifier;
import io.auditkeeper.evidence.manifest.Problem;
import io.auditkeeper.evidence.store.ManifestReader;
import io.auditkeeper.evidence.store.S3ObjectStore;
import io.auditkeeper.model.AuditHeaders;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.ArrayList;
import java.util.List;

/**
 * The report's section of dead letters: what could not be used during the period (a refused body, an item that was
 * not an event, an event the stream-processor could not process, a document OpenSearch refused), read from the
 * dead-letter archive's verified objects. An auditor asks whether the record of the period is whole: these are the
 * records that reached Audit Keeper but are not among the events, with why and from whom.
 */
final class DeadLetterTable {
    static final List<String> HEADERS = List.of("time", "source", "reason", "detail", "cluster", "client",
            "partition", "offset", "valueBytes", "valueSha256", "valueKept");

    private DeadLetterTable() {
    }

    /**
     * The dead letters of {@code topic} whose Kafka time is in {@code window}, of these clusters (their
     * {@code auditkeeper.cluster} header; none: all); objects that fail verification are skipped (the archive table
     * names them).
     */
    static ReportTable read(S3Client s3, String bucket, String prefix, ManifestVerifier verifier, String topic,
                            TimeWindow window, List<String> clusters, int maxRows) throws Exception {
        ManifestReader manifests = new ManifestReader(s3, bucket, new ArchiveLayout(prefix));
        ArchiveReplay replay = new ArchiveReplay(manifests, new ArchivedObjectCheck(verifier, new S3ObjectStore(s3, bucket)));
        List<List<String>> rows = new ArrayList<>();
        boolean[] truncated = {false};
        replay.run(topic, replay.partitions(topic), window, EventFilter.none(), true, e -> {
            if (rows.size() >= maxRows) {
                truncated[0] = true;
            } else if (e.event() != null && (clusters.isEmpty()
                    || clusters.contains(header(e.event(), AuditHeaders.CLUSTER)))) {
                rows.add(row(e.event()));
            }
        }, SILENT);
        return new ReportTable("dead-letters", "Dead letters",
                "Records of the period that reached Audit Keeper but could not be used, from the dead-letter archive of "
                        + topic + " (verified objects): the reason and source, and the value's SHA-256; the value itself"
                        + " is kept only where its writer redacted it.", HEADERS, rows, truncated[0]);
    }

    static List<String> row(JsonNode envelope) {
        return List.of(envelope.path("timestamp").asText(""), header(envelope, AuditHeaders.DLQ_SOURCE),
                header(envelope, AuditHeaders.DLQ_REASON), header(envelope, AuditHeaders.DLQ_DETAIL),
                header(envelope, AuditHeaders.CLUSTER), header(envelope, AuditHeaders.CLIENT),
                envelope.path("partition").asText(""), envelope.path("offset").asText(""),
                envelope.path("valueBytes").asText(""), envelope.path("valueSha256").asText(""),
                envelope.has("value") ? "yes" : "no");
    }

    private static String header(JsonNode envelope, String key) {
        String found = "";
        for (JsonNode h : envelope.path("headers")) {
            if (key.equals(h.path("key").asText())) {
                found = h.path("value").asText("");
            }
        }
        return found;
    }

    private static final ArchiveReplay.Listener SILENT = new ArchiveReplay.Listener() {
        @Override
        public void failed(ManifestEntry entry, List<Problem> problems, boolean skipped) {
        }

        @Override
        public void noted(ManifestEntry entry, Problem notice) {
        }

        @Override
        public void unreadable(Problem problem, boolean skipped) {
        }

        @Override
        public void progress(int objectsDone, int objects, long read, long emitted) {
        }
    };
}
