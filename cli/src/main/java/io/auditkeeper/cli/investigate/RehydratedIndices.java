package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.opensearch.schema.EventIndexTemplate;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The indices {@code rehydrate} fills ({@code <prefix>-yyyy.MM.dd}): their template (the hot indices' mapping, no
 * alias, so that a search of {@code audit-events} never counts a rehydrated event twice), each index created with
 * {@code _meta.auditkeeper} saying when and from where it was rehydrated and for how long it is kept, and their
 * retention. A rehydrated index is a temporary copy for an investigation, not a second hot store: with the ISM plugin
 * a policy ({@link #policy}) deletes each one {@code retentionDays} after it was created; without it, every
 * {@code rehydrate} run deletes the ones past their time (by the index's own {@code creation_date}).
 */
final class RehydratedIndices {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OpenSearchRest rest;
    private final String prefix;
    private final EventIndexTemplate.Options options;
    private final int retentionDays;
    private final String source;
    private final Set<String> ensured = new HashSet<>();

    /**
     * @param options the template's replicas and Bloom filter over {@code _id}
     * @param source  where the events come from, as recorded in each index's {@code _meta} (bucket, prefix, topic)
     */
    RehydratedIndices(OpenSearchRest rest, String prefix, EventIndexTemplate.Options options, int retentionDays,
                      String source) {
        this.rest = rest;
        this.prefix = prefix;
        this.options = options;
        this.retentionDays = retentionDays;
        this.source = source;
    }

    /** The ISM policy id: {@code <prefix>-retention}. */
    static String policyId(String prefix) {
        return prefix + "-retention";
    }

    /** The ISM policy that deletes {@code <prefix>-*} indices {@code retentionDays} after their creation. */
    static ObjectNode policy(String prefix, int retentionDays) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode policy = root.putObject("policy");
        policy.put("description", "Audit Keeper: deletes the indices 'auditkeeper rehydrate' filled from the S3"
                + " archive, " + retentionDays + " days after each was created (rehydrate --retention-days). The"
                + " archive keeps every event; these indices are a temporary, searchable copy.");
        policy.put("default_state", "rehydrated");
        var states = policy.putArray("states");
        ObjectNode kept = states.addObject().put("name", "rehydrated");
        kept.putArray("actions");
        kept.putArray("transitions").addObject().put("state_name", "delete").putObject("conditions")
                .put("min_index_age", retentionDays + "d");
        ObjectNode delete = states.addObject().put("name", "delete");
        delete.putArray("actions").addObject().putObject("delete");
        delete.putArray("transitions");
        policy.putArray("ism_template").addObject().put("priority", 100).putArray("index_patterns").add(prefix + "-*");
        return root;
    }

    /** Whether a policy as GET returns it deletes {@code <prefix>-*} at that age. */
    static boolean current(JsonNode policy, String prefix, int retentionDays) {
        boolean age = policy.findValuesAsText("min_index_age").contains(retentionDays + "d");
        boolean pattern = false;
        for (JsonNode t : policy.path("ism_template")) {
            for (JsonNode p : t.path("index_patterns")) {
                pattern |= p.asText().equals(prefix + "-*");
            }
        }
        return age && pattern;
    }

    /** The indices of {@code created} (name to creation time) that are past the retention at {@code now}. */
    static List<String> expired(Map<String, Instant> created, Instant now, int retentionDays) {
        List<String> out = new ArrayList<>();
        new TreeMap<>(created).forEach((index, at) -> {
            if (!at.plus(Duration.ofDays(retentionDays)).isAfter(now)) {
                out.add(index);
            }
        });
        return out;
    }

    /** Creates or updates the composable template of {@code <prefix>-*} (idempotent). */
    void putTemplate() throws IOException {
        byte[] template = EventIndexTemplate.json(prefix, null, options, "Audit Keeper events rehydrated from the S3"
                + " archive by 'auditkeeper rehydrate' (docs/investigate.md); deleted after their retention");
        check(rest.json("PUT", "/_index_template/" + prefix, Map.of(), template), "PUT index template " + prefix);
    }

    /**
     * Makes sure the rehydrated indices are removed after the retention: installs or updates the ISM policy, or,
     * without the ISM plugin, deletes the indices already past it. Returns what was done, in words.
     */
    String applyRetention(Instant now) throws IOException {
        String id = policyId(prefix);
        OpenSearchRest.Reply found = rest.json("GET", "/_plugins/_ism/policies/" + id, Map.of(), null);
        if (found.status() == 200 || found.status() == 404 && !found.body().contains("no handler found")) {
            if (found.status() == 200) {
                JsonNode current = MAPPER.readTree(found.body());
                if (!current(current.path("policy"), prefix, retentionDays)) {
                    check(rest.json("PUT", "/_plugins/_ism/policies/" + id, Map.of("if_seq_no",
                            current.path("_seq_no").asText(), "if_primary_term", current.path("_primary_term").asText()),
                            MAPPER.writeValueAsBytes(policy(prefix, retentionDays))), "PUT ISM policy " + id);
                    attach("/_plugins/_ism/change_policy/", id);
                }
            } else {
                check(rest.json("PUT", "/_plugins/_ism/policies/" + id, Map.of(),
                        MAPPER.writeValueAsBytes(policy(prefix, retentionDays))), "PUT ISM policy " + id);
            }
            attach("/_plugins/_ism/add/", id);
            return "ISM policy " + id + " deletes each " + prefix + "-* index " + retentionDays + " days after it was"
                    + " created";
        }
        OpenSearchRest.Reply list = rest.json("GET", "/_cat/indices/" + prefix + "-*", Map.of("format", "json", "h",
                "index,creation.date", "expand_wildcards", "open,closed"), null);
        Map<String, Instant> created = new TreeMap<>();
        if (list.ok()) {
            for (JsonNode row : MAPPER.readTree(list.body())) {
                created.put(row.path("index").asText(), Instant.ofEpochMilli(row.path("creation.date").asLong()));
            }
        } else if (list.status() != 404) {
            throw new IOException("listing " + prefix + "-* failed: " + list.status() + " " + list.body());
        }
        List<String> gone = expired(created, now, retentionDays);
        for (String index : gone) {
            OpenSearchRest.Reply reply = rest.json("DELETE", "/" + index, Map.of(), null);
            if (!reply.ok() && reply.status() != 404) {
                throw new IOException("deleting " + index + " failed: " + reply.status() + " " + reply.body());
            }
        }
        return "no ISM plugin: rehydrated indices older than " + retentionDays + " days are deleted when rehydrate runs"
                + (gone.isEmpty() ? "" : "; deleted now: " + String.join(", ", gone));
    }

    /**
     * Creates the index, once per run, with {@code _meta.auditkeeper} (rehydratedAt, retentionDays, source); an index
     * that exists already (an earlier run) is kept as it is, with its first creation time.
     */
    void ensure(String index, Instant now) throws IOException {
        if (!ensured.add(index)) {
            return;
        }
        ObjectNode body = MAPPER.createObjectNode();
        body.putObject("mappings").putObject("_meta").putObject("auditkeeper").put("rehydratedAt", now.toString())
                .put("retentionDays", retentionDays).put("source", source);
        OpenSearchRest.Reply reply = rest.json("PUT", "/" + index, Map.of(), MAPPER.writeValueAsBytes(body));
        if (reply.status() == 400 && reply.body().contains("resource_already_exists_exception")) {
            return;
        }
        check(reply, "creating index " + index);
    }

    /** Makes what was indexed searchable now. */
    void refresh() throws IOException {
        check(rest.json("POST", "/" + prefix + "-*/_refresh", Map.of(), null), "refresh " + prefix + "-*");
    }

    /** Puts the existing indices under the policy; none yet (a first run) is no error: the ism_template takes them. */
    private void attach(String api, String id) throws IOException {
        OpenSearchRest.Reply reply = rest.json("POST", api + prefix + "-*", Map.of(),
                MAPPER.writeValueAsBytes(Map.of("policy_id", id)));
        if (reply.status() == 404 || reply.body().contains("index_not_found_exception")) {
            return;
        }
        check(reply, "POST " + api + " for " + id);
    }

    private static void check(OpenSearchRest.Reply reply, String what) throws IOException {
        if (!reply.ok()) {
            throw new IOException(what + " failed: " + reply.status() + " " + reply.body());
        }
    }
}
