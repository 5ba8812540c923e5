package io.auditkeeper.streams.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditEvent;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.DeadLetterReason;
import io.auditkeeper.model.NormalizedEvent;
import io.auditkeeper.model.RawJson;
import io.auditkeeper.streams.normalize.AuditEventReader;
import io.auditkeeper.streams.normalize.AuditEventScanner;
import io.auditkeeper.streams.normalize.EventNormalizer;
import io.auditkeeper.streams.normalize.GkeLogEntryTranslator;
import io.auditkeeper.streams.normalize.RawRecordContext;
import io.auditkeeper.streams.redact.SecretRedactor;
import io.auditkeeper.streams.rules.Classification;
import io.auditkeeper.streams.rules.PhiAccessClassifier;

import java.io.IOException;
import java.util.List;

/**
 * What happens to one raw event, without Kafka: parse, classify against the rules, remove secret values, normalize.
 * Classification reads the event before redaction (a privileged pod spec holds no secret); everything written out
 * is read after it.
 *
 * <p>Two ways through, one result. Most events have nothing to redact: they are scanned without a tree
 * ({@link AuditEventScanner}), their request body is parsed only if a rule may read it (a possibly privileged pod
 * spec; a Service, Ingress or RBAC object), and they are written out as the bytes that came in. An event that may hold a secret (by its resource, or a redacted kind named in
 * its bodies), or that the scan does not read, is built into a tree, redacted, and written from the tree.
 */
public final class EventPipeline {
    private final ObjectMapper mapper = AuditJson.mapper();
    private final PhiAccessClassifier classifier;
    private final SecretRedactor redactor;
    private final EventNormalizer normalizer;
    private static final int[] NO_BODIES = new int[0];

    public EventPipeline(PhiAccessClassifier classifier, SecretRedactor redactor) {
        this(classifier, redactor, EventNormalizer.DEFAULT_SKEW_THRESHOLD);
    }

    /** @param skewThreshold how far an event's time may be from ingest's receive time before it is marked */
    public EventPipeline(PhiAccessClassifier classifier, SecretRedactor redactor, java.time.Duration skewThreshold) {
        this.classifier = classifier;
        this.redactor = redactor;
        this.normalizer = new EventNormalizer(skewThreshold);
    }

    /** The result for one raw record: a normalized event, or the reason it cannot be processed. */
    public sealed interface Outcome permits Processed, Rejected {
    }

    public record Processed(AuditEvent event, NormalizedEvent normalized) implements Outcome {
    }

    /**
     * A record that cannot be processed. {@code value} is what goes to the dead-letter topic: the bytes as received,
     * or, when they parsed as a JSON object, that object with secret values redacted, so the dead-letter topic holds no
     * secret that redaction could have removed.
     */
    public record Rejected(DeadLetterReason reason, String detail, byte[] value) implements Outcome {
    }

    public Outcome process(byte[] value, RawRecordContext raw) {
        AuditEventScanner.Scanned scanned = AuditEventScanner.scan(value);
        if (scanned == null || !hasIdentity(scanned.event()) || mayRedact(scanned, value)) {
            return processTree(value, raw);
        }
        AuditEvent parsed = scanned.event();
        AuditEventScanner.Span request = scanned.requestObject();
        AuditEvent.ObjectReference ref = parsed.objectRef();
        if (request != null && PhiAccessClassifier.mayInspectRequestBody(ref == null ? null : ref.resource(), value,
                request.offset(), request.length())) {
            try {
                parsed = withRequestObject(parsed, mapper.readTree(value, request.offset(), request.length()));
            } catch (IOException e) {
                return processTree(value, raw);
            }
        }
        Classification c = classifier.classify(parsed);
        return new Processed(parsed, normalizer.normalize(raw, parsed, RawJson.node(value), c.toPhi(), List.of()));
    }

    private static boolean hasIdentity(AuditEvent e) {
        return e.auditID() != null && !e.auditID().isEmpty() && e.stage() != null && !e.stage().isEmpty();
    }

    private boolean mayRedact(AuditEventScanner.Scanned s, byte[] value) {
        AuditEvent.ObjectReference ref = s.event().objectRef();
        AuditEventScanner.Span req = s.requestObject();
        AuditEventScanner.Span resp = s.responseObject();
        int[] bodies = req == null && resp == null ? NO_BODIES
                : req == null ? new int[] {resp.offset(), resp.length()}
                : resp == null ? new int[] {req.offset(), req.length()}
                : new int[] {req.offset(), req.length(), resp.offset(), resp.length()};
        return redactor.mayRedact(ref == null ? null : ref.resource(), ref == null ? null : ref.subresource(),
                ref == null ? null : ref.namespace(), SecretRedactor.hasWebhookPatch(s.event().annotations()), value, bodies);
    }

    private static AuditEvent withRequestObject(AuditEvent e, JsonNode requestObject) {
        return new AuditEvent(e.kind(), e.apiVersion(), e.level(), e.auditID(), e.stage(), e.requestURI(), e.verb(),
                e.user(), e.impersonatedUser(), e.sourceIPs(), e.userAgent(), e.objectRef(), e.responseStatus(),
                requestObject, e.responseObject(), e.requestReceivedTimestamp(), e.stageTimestamp(), e.annotations());
    }

    /** The tree way: for events that may hold secrets, and for every shape the scan leaves alone. */
    Outcome processTree(byte[] value, RawRecordContext raw) {
        JsonNode tree;
        try {
            tree = value == null ? null : mapper.readTree(value);
        } catch (JsonProcessingException e) {
            return new Rejected(DeadLetterReason.UNPARSEABLE_EVENT, "the value is not valid JSON"
                    + (e.getLocation() == null ? "" : " at byte " + e.getLocation().getByteOffset()), value);
        } catch (IOException e) {
            return new Rejected(DeadLetterReason.UNPARSEABLE_EVENT, "the value could not be read", value);
        }
        if (!(tree instanceof ObjectNode event)) {
            return new Rejected(DeadLetterReason.NOT_AN_OBJECT, "the value is not a JSON object", value);
        }
        AuditEvent parsed;
        try {
            parsed = AuditEventReader.read(event);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return rejected(DeadLetterReason.NOT_AN_AUDIT_EVENT, "the object does not read as an audit.k8s.io Event: "
                    + e.getClass().getSimpleName(), event, value);
        }
        if (parsed.auditID() == null || parsed.auditID().isEmpty()) {
            return rejected(DeadLetterReason.MISSING_AUDIT_ID, "the event has no auditID", event, value);
        }
        if (parsed.stage() == null || parsed.stage().isEmpty()) {
            return rejected(DeadLetterReason.MISSING_STAGE, "the event has no stage", event, value);
        }
        Classification c = classifier.classify(parsed);
        List<String> redactions = redactor.redact(event);
        // Unredacted, the event goes out as the bytes it came in: same JSON, without serializing the tree again.
        JsonNode out = redactions.isEmpty() ? RawJson.node(value) : event;
        return new Processed(parsed, normalizer.normalize(raw, parsed, out, c.toPhi(), redactions));
    }

    /**
     * A GKE {@code LogEntry} (format {@code gke-log-entry}): read as the Event it records
     * ({@link GkeLogEntryTranslator}), then classified, redacted and normalized as any event. The normalized record
     * holds the entry itself (its request and response bodies redacted), not the Event read from it.
     */
    public Outcome processLogEntry(byte[] value, RawRecordContext raw) {
        JsonNode tree;
        try {
            tree = value == null ? null : mapper.readTree(value);
        } catch (IOException e) {
            return new Rejected(DeadLetterReason.UNPARSEABLE_EVENT, "the value is not valid JSON", value);
        }
        if (!(tree instanceof ObjectNode entry)) {
            return new Rejected(DeadLetterReason.NOT_AN_OBJECT, "the value is not a JSON object", value);
        }
        ObjectNode event;
        AuditEvent parsed;
        try {
            event = GkeLogEntryTranslator.toEvent(entry);
            parsed = AuditEventReader.read(event);
        } catch (GkeLogEntryTranslator.UnmappableLogEntryException e) {
            return unmappable("the GKE LogEntry is not a Kubernetes API call: " + e.getMessage(), entry, value);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return unmappable("the GKE LogEntry does not read as an Event: " + e.getClass().getSimpleName(), entry,
                    value);
        }
        Classification c = classifier.classify(parsed);
        List<String> redactions = redactor.redact(event);
        if (!redactions.isEmpty()) {
            GkeLogEntryTranslator.writeBack(event, entry);
        }
        JsonNode out = redactions.isEmpty() ? RawJson.node(value) : entry;
        return new Processed(parsed, normalizer.normalize(raw, parsed, out, c.toPhi(), redactions));
    }

    /**
     * A LogEntry that maps to no Event, as the dead-letter topic may hold it: the archive keeps the stream-processor's
     * dead letters whole for six years, on the promise that they hold no secret value, and a body that is not an Event
     * cannot be redacted by its kind; so {@code protoPayload.request} and {@code .response} are removed.
     */
    private Rejected unmappable(String detail, ObjectNode entry, byte[] value) {
        if (entry.get("protoPayload") instanceof ObjectNode payload
                && (payload.has("request") || payload.has("response"))) {
            payload.remove(List.of("request", "response"));
            try {
                return new Rejected(DeadLetterReason.UNMAPPABLE_LOG_ENTRY, detail + "; protoPayload.request and"
                        + " .response removed (they may hold secret values)", mapper.writeValueAsBytes(entry));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a JSON tree could not be written", e);
            }
        }
        return new Rejected(DeadLetterReason.UNMAPPABLE_LOG_ENTRY, detail, value);
    }

    /**
     * An event's value as the dead-letter topic may hold it when it fails after it was read (its normalized record
     * could not be written): with secret values redacted, as a rejected event's is.
     */
    public Rejected rejectedAfterReading(DeadLetterReason reason, String detail, byte[] value) {
        try {
            if (mapper.readTree(value) instanceof ObjectNode event) {
                return rejected(reason, detail, event, value);
            }
        } catch (IOException e) {
            // not JSON after all: kept as received, like any unparseable value
        }
        return new Rejected(reason, detail, value);
    }

    private Rejected rejected(DeadLetterReason reason, String detail, ObjectNode event, byte[] value) {
        if (redactor.redact(event).isEmpty()) {
            return new Rejected(reason, detail, value);
        }
        try {
            return new Rejected(reason, detail + "; secret values redacted", mapper.writeValueAsBytes(event));
        } catch (JsonProcessingException e) {
            return new Rejected(reason, detail, value);
        }
    }
}
