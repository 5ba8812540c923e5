package io.auditkeeper.opensearch.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;

/**
 * The composable index template of the events' daily indices, from the resource {@value #RESOURCE}: one mapping for
 * the hot indices the archiver writes and the rehydrated ones {@code auditkeeper rehydrate} writes, so that every
 * documented query and {@code report} search means the same on both.
 *
 * <p>The template maps {@code sourceIPs} with {@code ignore_malformed}: the apiserver fills it from the
 * client-controlled {@code X-Forwarded-For} header, and a bad value there must not keep the event out of the index.
 *
 * <p>It turns on a Bloom filter over {@code _id} ({@value #DOC_ID_BLOOM_FILTER}, OpenSearch 2.13 or later): every
 * document comes with its own id (so that a replay overwrites), and OpenSearch looks each one up in every segment
 * before writing it; the filter answers "not here" for most segments without reading their terms. Measured with
 * {@code bench e2e}, it takes about a fifth off OpenSearch's CPU per event (docs/benchmarks.md). {@link Options}
 * turns it off for an older cluster, which refuses settings it does not know.
 */
public final class EventIndexTemplate {
    /** The template resource, next to this class. */
    public static final String RESOURCE = "audit-events-template.json";

    /** The index setting of the Bloom filter over {@code _id}, under {@code settings.index} of the template. */
    public static final String DOC_ID_BLOOM_FILTER = "optimize_doc_id_lookup.fuzzy_set.enabled";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EventIndexTemplate() {
    }

    /** The template as shipped (patterns and alias of the default hot prefix). */
    public static ObjectNode resource() throws IOException {
        try (InputStream in = EventIndexTemplate.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("missing resource " + RESOURCE);
            }
            return (ObjectNode) MAPPER.readTree(in);
        }
    }

    /**
     * What a deployment chooses of the template's index settings.
     *
     * @param replicas         replicas of each daily index (0 on a single node)
     * @param docIdBloomFilter the Bloom filter over {@code _id}; false for OpenSearch before 2.13
     */
    public record Options(int replicas, boolean docIdBloomFilter) {
        public Options {
            if (replicas < 0) {
                throw new IllegalArgumentException("replicas must not be negative: " + replicas);
            }
        }
    }

    /**
     * The template for the daily indices {@code <prefix>-*} with these options, and the alias {@code alias} (none
     * when null).
     */
    public static byte[] json(String prefix, String alias, Options options, String description) throws IOException {
        ObjectNode root = resource();
        root.putArray("index_patterns").add(prefix + "-*");
        if (description != null) {
            root.putObject("_meta").put("description", description);
        }
        ObjectNode body = (ObjectNode) root.get("template");
        ObjectNode index = (ObjectNode) body.get("settings").get("index");
        index.put("number_of_replicas", options.replicas());
        if (!options.docIdBloomFilter()) {
            index.remove(DOC_ID_BLOOM_FILTER);
        }
        ObjectNode aliases = body.putObject("aliases");
        if (alias != null) {
            aliases.putObject(alias);
        }
        return MAPPER.writeValueAsBytes(root);
    }
}
