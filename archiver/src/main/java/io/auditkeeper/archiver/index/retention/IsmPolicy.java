package io.auditkeeper.archiver.index.retention;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The Index State Management policy that deletes daily indices after the hot retention, from the resource
 * {@value #RESOURCE} with the retention and the index pattern filled in. Shipped as a file so an operator can read
 * (or apply by hand) exactly what the archiver installs.
 *
 * <p>The pattern is {@code <prefix>-2*}: the daily indices ({@code <prefix>-yyyy.MM.dd}) and not
 * {@code <prefix>-undated}, which the fallback deletion does not touch either. ISM counts a day from the index's
 * creation, not from the date in its name; for daily indices created as their first event arrives the two agree.
 */
public final class IsmPolicy {
    public static final String RESOURCE = "ism-policy.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private IsmPolicy() {
    }

    /** The policy id for an index prefix: {@code <prefix>-retention}. */
    public static String id(String indexPrefix) {
        return indexPrefix + "-retention";
    }

    /** The ISM template's index pattern for an index prefix. */
    public static String indexPattern(String indexPrefix) {
        return indexPrefix + "-2*";
    }

    /** The {@code min_index_age} of the transition to delete. */
    public static String minIndexAge(int retentionDays) {
        return retentionDays + "d";
    }

    /** The policy document ({@code {"policy": ...}}) for PUT {@code _plugins/_ism/policies/<id>}. */
    public static ObjectNode document(String indexPrefix, int retentionDays) {
        if (retentionDays < 1) {
            throw new IllegalArgumentException("retention days must be at least 1: " + retentionDays);
        }
        ObjectNode root;
        try (InputStream in = IsmPolicy.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("missing resource " + RESOURCE);
            }
            root = (ObjectNode) MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode policy = (ObjectNode) root.get("policy");
        for (JsonNode state : policy.get("states")) {
            for (JsonNode transition : state.path("transitions")) {
                if (transition.path("state_name").asText().equals("delete")) {
                    ((ObjectNode) transition.get("conditions")).put("min_index_age", minIndexAge(retentionDays));
                }
            }
        }
        ArrayNode patterns = ((ObjectNode) policy.get("ism_template").get(0)).putArray("index_patterns");
        patterns.add(indexPattern(indexPrefix));
        return root;
    }

    /** Whether a policy as GET {@code _plugins/_ism/policies/<id>} returns it deletes at that age for that pattern. */
    static boolean matches(JsonNode policy, String indexPrefix, int retentionDays) {
        boolean age = false;
        for (JsonNode state : policy.path("states")) {
            for (JsonNode transition : state.path("transitions")) {
                if (transition.path("state_name").asText().equals("delete")
                        && transition.path("conditions").path("min_index_age").asText()
                        .equals(minIndexAge(retentionDays))) {
                    age = true;
                }
            }
        }
        boolean pattern = false;
        for (JsonNode template : policy.path("ism_template")) {
            for (JsonNode p : template.path("index_patterns")) {
                pattern |= p.asText().equals(indexPattern(indexPrefix));
            }
        }
        return age && pattern;
    }
}
