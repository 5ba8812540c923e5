package io.auditkeeper.streams.alerts;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.NormalizedEvent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The few fields of a flagged request (from {@code audit.phi-access}) that the detections look at. Read with the
 * streaming parser, skipping the rest of the normalized event (most of it is the original event), and passed on to
 * the detections as a {@link #projection()} of the normalized event: the same field names, a tenth of the bytes.
 */
public record FlaggedRequest(String cluster, String actor, String auditId, long timestamp, List<String> rules,
                             String namespace, String resourceName) {

    /**
     * The flagged request in a normalized event, as {@link #read} would read it from the event's JSON; null if the
     * event lacks what a detection needs (an actor and an auditID).
     */
    public static FlaggedRequest of(NormalizedEvent e, long timestamp) {
        if (e.actor() == null || e.auditID() == null) {
            return null;
        }
        List<String> rules = new ArrayList<>(2);
        if (e.phi() != null && e.phi().rules() != null) {
            for (String r : e.phi().rules()) {
                if (r != null) {
                    rules.add(r);
                }
            }
        }
        NormalizedEvent.ObjectRef ref = e.objectRef();
        return new FlaggedRequest(e.cluster(), e.actor(), e.auditID(), timestamp, rules,
                ref == null ? null : ref.namespace(), ref == null ? null : ref.name());
    }

    /**
     * Reads a normalized event, or its {@link #projection()}; null if it lacks what a detection needs (an actor and
     * an auditID) or is not a JSON object.
     */
    public static FlaggedRequest read(byte[] json, long timestamp) {
        if (json == null) {
            return null;
        }
        try (JsonParser p = AuditJson.factory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String cluster = null;
            String actor = null;
            String auditId = null;
            String namespace = null;
            String name = null;
            List<String> rules = new ArrayList<>(2);
            String field;
            while ((field = p.nextFieldName()) != null) {
                JsonToken value = p.nextToken();
                switch (field) {
                    case "cluster" -> cluster = text(p, value);
                    case "actor" -> actor = text(p, value);
                    case "auditID" -> auditId = text(p, value);
                    case "phi" -> readRules(p, value, rules);
                    case "objectRef" -> {
                        if (value == JsonToken.START_OBJECT) {
                            String f;
                            while ((f = p.nextFieldName()) != null) {
                                JsonToken v = p.nextToken();
                                if (f.equals("namespace")) {
                                    namespace = text(p, v);
                                } else if (f.equals("name")) {
                                    name = text(p, v);
                                } else {
                                    p.skipChildren();
                                }
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (actor == null || auditId == null) {
                return null;
            }
            return new FlaggedRequest(cluster, actor, auditId, timestamp, rules, namespace, name);
        } catch (IOException e) {
            return null;
        }
    }

    private static void readRules(JsonParser p, JsonToken value, List<String> rules) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        String f;
        while ((f = p.nextFieldName()) != null) {
            JsonToken v = p.nextToken();
            if (f.equals("rules") && v == JsonToken.START_ARRAY) {
                JsonToken item;
                while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (item.isScalarValue() && item != JsonToken.VALUE_NULL) {
                        rules.add(p.getText());
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
    }

    private static String text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value.isScalarValue()) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    /** The repartition key: cluster and actor, so that one task sees all of an actor's requests. */
    public byte[] actorKey() {
        return ((cluster == null ? "" : cluster) + "/" + actor).getBytes(StandardCharsets.UTF_8);
    }

    /** The fields {@link #read} needs, under the normalized event's names; the timestamp travels as the record's. */
    public byte[] projection() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + 32 * rules.size());
        try (JsonGenerator g = AuditJson.factory().createGenerator(out)) {
            g.writeStartObject();
            if (cluster != null) {
                g.writeStringField("cluster", cluster);
            }
            g.writeStringField("auditID", auditId);
            g.writeStringField("actor", actor);
            g.writeObjectFieldStart("objectRef");
            if (namespace != null) {
                g.writeStringField("namespace", namespace);
            }
            if (resourceName != null) {
                g.writeStringField("name", resourceName);
            }
            g.writeEndObject();
            g.writeObjectFieldStart("phi");
            g.writeArrayFieldStart("rules");
            for (String r : rules) {
                g.writeString(r);
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
