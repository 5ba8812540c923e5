package io.auditkeeper.streams.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditEvent;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.NormalizedEvent;
import io.auditkeeper.model.RawJson;
import io.auditkeeper.streams.normalize.AuditEventReader;
import io.auditkeeper.streams.normalize.EventNormalizer;
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
 */
public final class EventPipeline {
    private final ObjectMapper mapper = AuditJson.mapper();
    private final PhiAccessClassifier classifier;
    private final SecretRedactor redactor;
    private final EventNormalizer normalizer = new EventNormalizer();

    public EventPipeline(PhiAccessClassifier classifier, SecretRedactor redactor) {
        this.classifier = classifier;
        this.redactor = redactor;
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
    public record Rejected(String reason, String detail, byte[] value) implements Outcome {
    }

    public Outcome process(byte[] value, RawRecordContext raw) {
        JsonNode tree;
        try {
            tree = value == null ? null : mapper.readTree(value);
        } catch (JsonProcessingException e) {
            return new Rejected("unparseable-event", "the value is not valid JSON"
                    + (e.getLocation() == null ? "" : " at byte " + e.getLocation().getByteOffset()), value);
        } catch (IOException e) {
            return new Rejected("unparseable-event", "the value could not be read", value);
        }
        if (!(tree instanceof ObjectNode event)) {
            return new Rejected("not-an-object", "the value is not a JSON object", value);
        }
        AuditEvent parsed;
        try {
            parsed = AuditEventReader.read(event);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return rejected("not-an-audit-event", "the object does not read as an audit.k8s.io Event: "
                    + e.getClass().getSimpleName(), event, value);
        }
        if (parsed.auditID() == null || parsed.auditID().isEmpty()) {
            return rejected("missing-audit-id", "the event has no auditID", event, value);
        }
        if (parsed.stage() == null || parsed.stage().isEmpty()) {
            return rejected("missing-stage", "the event has no stage", event, value);
        }
        Classification c = classifier.classify(parsed);
        List<String> redactions = redactor.redact(event);
        // Unredacted, the event goes out as the bytes it came in: same JSON, without serializing the tree again.
        JsonNode out = redactions.isEmpty() ? RawJson.node(value) : event;
        return new Processed(parsed, normalizer.normalize(raw, parsed, out, c.toPhi(), redactions));
    }

    private Rejected rejected(String reason, String detail, ObjectNode event, byte[] value) {
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
