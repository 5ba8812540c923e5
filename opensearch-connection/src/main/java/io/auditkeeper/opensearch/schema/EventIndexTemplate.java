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
 */
public final class EventIndexTemplate {
    /** The template resource, next to this class. */
    public static final String RESOURCE = "audit-events-template.json";

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
     * The template for the daily indices {@code <prefix>-*} with this many replicas, and the alias {@code alias}
     * (none when null).
     */
    public static byte[] json(String prefix, String alias, int replicas, String description) throws IOException {
        ObjectNode root = resource();
        root.putArray("index_patterns").add(prefix + "-*");
        if (description != null) {
            root.putObject("_meta").put("description", description);
        }
        ObjectNode body = (ObjectNode) root.get("template");
        ((ObjectNode) body.get("settings").get("index")).put("number_of_replicas", replicas);
        ObjectNode aliases = body.putObject("aliases");
        if (alias != null) {
            aliases.putObject(alias);
        }
        return MAPPER.writeValueAsBytes(root);
    }
}
