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

    public record Rejected(String reason, String detail) implements Outcome {
    }

    public Outcome process(byte[] value, RawRecordContext raw) {
        JsonNode tree;
        try {
            tree = value == null ? null : mapper.readTree(value);
        } catch (JsonProcessingException e) {
            return new Rejected("unparseable-event", "the value is not valid JSON"
                    + (e.getLocation() == null ? "" : " at byte " + e.getLocation().getByteOffset()));
        } catch (IOException e) {
            return new Rejected("unparseable-event", "the value could not be read");
        }
        if (!(tree instanceof ObjectNode event)) {
            return new Rejected("not-an-object", "the value is not a JSON object");
        }
        AuditEvent parsed;
        try {
            parsed = AuditEventReader.read(event);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return new Rejected("not-an-audit-event", "the object does not read as an audit.k8s.io Event: "
                    + e.getClass().getSimpleName());
        }
        if (parsed.auditID() == null || parsed.auditID().isEmpty()) {
            return new Rejected("missing-audit-id", "the event has no auditID");
        }
        if (parsed.stage() == null || parsed.stage().isEmpty()) {
            return new Rejected("missing-stage", "the event has no stage");
        }
        Classification c = classifier.classify(parsed);
        List<String> redactions = redactor.redact(event);
        // Unredacted, the event goes out as the bytes it came in: same JSON, without serializing the tree again.
        JsonNode out = redactions.isEmpty() ? RawJson.node(value) : event;
        return new Processed(parsed, normalizer.normalize(raw, parsed, out, c.toPhi(), redactions));
    }
}
