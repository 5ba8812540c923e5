package io.auditkeeper.ingest.firehose;

import java.util.List;

/**
 * One Firehose request, read: its id and time, and the audit log events of its DATA_MESSAGE records grouped by the
 * cluster their log group names, in the order they came.
 *
 * @param requestId       Firehose's id of the request (the same on every retry of it)
 * @param timestamp       when Firehose made the request, milliseconds since the epoch; 0 if it gave none
 * @param records         the records the request held
 * @param controlMessages those of them that were CloudWatch Logs CONTROL_MESSAGEs, acknowledged and skipped
 * @param clusters        the log events of the other records, by cluster
 */
public record FirehoseDelivery(String requestId, long timestamp, int records, int controlMessages,
                               List<ClusterLogEvents> clusters) {
    public FirehoseDelivery {
        clusters = List.copyOf(clusters);
    }

    public int logEvents() {
        return clusters.stream().mapToInt(c -> c.messages().size()).sum();
    }

    /**
     * The log events of one cluster: each one's {@code message}, the text of one {@code audit.k8s.io/v1} Event as the
     * apiserver wrote it, and where it came from, for a dead letter's detail.
     */
    public record ClusterLogEvents(String cluster, List<LogEvent> messages) {
        public ClusterLogEvents {
            messages = List.copyOf(messages);
        }
    }

    /** One log event's message as UTF-8, and its CloudWatch Logs id and log stream (metadata, never content). */
    public record LogEvent(byte[] message, String id, String logStream) {
    }
}
