package io.auditkeeper.ingest.firehose;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.auditkeeper.ingest.batch.RejectedItem;
import io.auditkeeper.ingest.batch.SplitBatch;
import io.auditkeeper.ingest.firehose.FirehoseDelivery.ClusterLogEvents;
import io.auditkeeper.ingest.firehose.FirehoseDelivery.LogEvent;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.DeadLetterReason;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One cluster's log events made into what the webhook's path takes: the messages that are JSON as an EventList body
 * ({@code {"items":[m1,m2,...]}}, each message's bytes as they are), which {@code EventListSplitter} then splits under
 * the same rules as an apiserver's batch (an item that is no object, has no auditID or stage, or is over
 * {@code limits.max-event-bytes} goes to the dead-letter topic alone), and the messages that are not JSON at all, which
 * no EventList can hold, as dead letters of their own ({@code unparseable-event}): a line CloudWatch Logs cut, or
 * something other than the apiserver writing to the log group.
 *
 * @param eventList   the EventList body of the messages that are JSON
 * @param unparseable the messages that are not, one after another
 * @param rejected    the dead letters of {@code unparseable}, each its range in it
 */
public record ClusterEventList(String cluster, byte[] eventList, byte[] unparseable, SplitBatch rejected) {
    private static final JsonFactory FACTORY = AuditJson.factory();
    private static final byte[] OPEN = "{\"items\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "]}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    public static ClusterEventList of(ClusterLogEvents events) {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        List<RejectedItem> rejected = new ArrayList<>();
        list.writeBytes(OPEN);
        boolean first = true;
        for (LogEvent e : events.messages()) {
            if (isJson(e.message())) {
                if (!first) {
                    list.write(',');
                }
                list.writeBytes(e.message());
                first = false;
            } else {
                rejected.add(new RejectedItem(bad.size(), e.message().length, DeadLetterReason.UNPARSEABLE_EVENT,
                        "log event " + e.id() + " of log stream " + e.logStream() + " is not valid JSON, not an audit event",
                        null));
                bad.writeBytes(e.message());
            }
        }
        list.writeBytes(CLOSE);
        return new ClusterEventList(events.cluster(), list.toByteArray(), bad.toByteArray(),
                new SplitBatch(List.of(), rejected));
    }

    /** Whether the bytes are exactly one JSON value (whitespace around it allowed). */
    static boolean isJson(byte[] bytes) {
        try (JsonParser p = FACTORY.createParser(bytes)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
