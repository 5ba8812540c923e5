package io.auditkeeper.archiver.index.retention;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;

/**
 * Installs or updates the {@link IsmPolicy} when the cluster has the Index State Management plugin, so that
 * OpenSearch itself deletes old daily indices, also while the archiver is down. Whether the plugin is there is
 * read from the answer to GET {@code _plugins/_ism/policies/<id>}: the policy (200) or ISM's own "not found" (404)
 * mean yes; a cluster without the plugin answers that no handler exists for the URI.
 *
 * <p>The policy's {@code ism_template} covers indices created from now on; indices that already exist are attached
 * with {@code _plugins/_ism/add} (indices that already have a policy are left as they are), and after a change of the
 * retention, indices managed by an older version of the policy are moved to the new one with
 * {@code _plugins/_ism/change_policy}.
 */
final class IsmPolicyInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(IsmPolicyInstaller.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OpenSearchCalls calls;
    private final String prefix;
    private final int retentionDays;

    IsmPolicyInstaller(OpenSearchClient client, String prefix, int retentionDays) {
        this.calls = new OpenSearchCalls(client);
        this.prefix = prefix;
        this.retentionDays = retentionDays;
    }

    /** Makes the policy current; false (and nothing changed) when the cluster has no ISM plugin. */
    boolean install() throws IOException {
        String id = IsmPolicy.id(prefix);
        OpenSearchCalls.Reply current = calls.call("GET", "/_plugins/_ism/policies/" + id, Map.of(), null);
        if (current.status() == 200) {
            JsonNode found = MAPPER.readTree(current.body());
            if (IsmPolicy.matches(found.path("policy"), prefix, retentionDays)) {
                LOG.atInfo().addKeyValue("policy_id", id).addKeyValue("retention_days", retentionDays)
                        .log("ISM policy is current");
                return true;
            }
            put(id, Map.of("if_seq_no", found.path("_seq_no").asText(),
                    "if_primary_term", found.path("_primary_term").asText()));
            attach("/_plugins/_ism/change_policy/", id);
            attach("/_plugins/_ism/add/", id);
            return true;
        }
        if (current.status() == 404 && !noHandler(current.body())) {
            put(id, Map.of());
            attach("/_plugins/_ism/add/", id);
            return true;
        }
        LOG.atInfo().addKeyValue("status", current.status())
                .log("the cluster has no ISM plugin; the archiver deletes expired daily indices itself");
        return false;
    }

    /** The REST layer's answer to an unknown URI ("no handler found for uri [...] and method [...]"). */
    static boolean noHandler(String body) {
        return body.contains("no handler found");
    }

    private void put(String id, Map<String, String> query) throws IOException {
        OpenSearchCalls.Reply reply = calls.call("PUT", "/_plugins/_ism/policies/" + id, query,
                MAPPER.writeValueAsBytes(IsmPolicy.document(prefix, retentionDays)));
        if (!reply.ok()) {
            throw new IOException("PUT ISM policy " + id + " failed: " + reply.status() + " " + reply.body());
        }
        LOG.atInfo().addKeyValue("policy_id", id).addKeyValue("retention_days", retentionDays)
                .addKeyValue("index_pattern", IsmPolicy.indexPattern(prefix)).log("ISM policy installed");
    }

    private void attach(String api, String id) throws IOException {
        OpenSearchCalls.Reply reply = calls.call("POST", api + IsmPolicy.indexPattern(prefix), Map.of(),
                MAPPER.writeValueAsBytes(Map.of("policy_id", id)));
        if (!reply.ok()) {
            throw new IOException("POST " + api + " for " + id + " failed: " + reply.status() + " " + reply.body());
        }
        JsonNode result = MAPPER.readTree(reply.body());
        LOG.atInfo().addKeyValue("policy_id", id).addKeyValue("api", api)
                .addKeyValue("updated_indices", result.path("updated_indices").asInt())
                .addKeyValue("failed_indices", result.path("failed_indices").size())
                .log("existing daily indices put under the ISM policy");
    }
}
