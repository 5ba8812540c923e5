package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.opensearch.ConnectionErrors;
import io.auditkeeper.opensearch.OpenSearchConnection;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The OpenSearch half of {@code auditkeeper report}: the auditors' questions of docs/queries/ (secret reads and exec
 * in PHI, denied attempts, RBAC changes, alerts) asked for one period and optional namespaces, over plain HTTP JSON.
 * Event searches collapse the stages of a request by {@code auditID}, as the documented queries do, so each request is
 * one row. With namespaces, a request is in when it names one of them or no namespace at all (a cluster-wide request
 * reaches every namespace).
 */
public final class EvidenceSearch {
    /** Thrown when OpenSearch cannot be reached or answers with an error. */
    public static final class SearchException extends Exception {
        private final boolean indexMissing;

        public SearchException(String message) {
            this(message, false);
        }

        SearchException(String message, boolean indexMissing) {
            super(message);
            this.indexMissing = indexMissing;
        }

        /** The index or alias does not exist (a wrong name, or nothing was ever indexed there). */
        public boolean indexMissing() {
            return indexMissing;
        }
    }

    private static final List<String> WRITE_VERBS = List.of("create", "update", "patch", "delete", "deletecollection");

    private final ObjectMapper mapper = AuditJson.mapper();
    private final OpenSearchClient client;
    private final URI base;
    private final String eventsIndex;
    private String searchedEvents;
    private final String alertsIndex;
    private final TimeWindow window;
    private final List<String> namespaces;
    private List<String> clusters = List.of();
    private final int maxRows;
    private final int pageSize;

    /** {@code client} is the caller's to close; {@code connection} is what it was built from, for error messages. */
    public EvidenceSearch(OpenSearchClient client, OpenSearchConnection connection, String eventsIndex,
                          String alertsIndex, TimeWindow window, List<String> namespaces, int maxRows) {
        this(client, connection, eventsIndex, alertsIndex, window, namespaces, maxRows, 1000);
    }

    /** As above, reading {@code pageSize} rows per request. */
    EvidenceSearch(OpenSearchClient client, OpenSearchConnection connection, String eventsIndex, String alertsIndex,
                   TimeWindow window, List<String> namespaces, int maxRows, int pageSize) {
        this.pageSize = pageSize;
        this.client = client;
        this.base = connection.url();
        this.eventsIndex = eventsIndex;
        this.searchedEvents = eventsIndex;
        this.alertsIndex = alertsIndex;
        this.window = window;
        this.namespaces = List.copyOf(namespaces);
        this.maxRows = maxRows;
    }

    /** Where an event is in Kafka, as the archiver indexed it: the key to its manifest entry and object. */
    public record RecordLocation(String auditID, String stage, String cluster, String topic, int partition,
                                 long offset) {
    }

    /**
     * Where the events of {@code auditID} (of {@code stage} and {@code cluster} when not null) were in Kafka, from
     * the {@code record} field the archiver adds to each indexed event; at most 10, oldest first.
     */
    public List<RecordLocation> locate(String auditID, String stage, String cluster) throws SearchException {
        ObjectNode q = mapper.createObjectNode();
        q.put("size", 10);
        q.putArray("sort").addObject().putObject("record.offset").put("order", "asc");
        q.putArray("_source").add("auditID").add("stage").add("cluster").add("record");
        var filter = q.putObject("query").putObject("bool").putArray("filter");
        filter.addObject().putObject("term").put("auditID", auditID);
        if (stage != null) {
            filter.addObject().putObject("term").put("stage", stage);
        }
        if (cluster != null) {
            filter.addObject().putObject("term").put("cluster", cluster);
        }
        filter.addObject().putObject("exists").put("field", "record.offset");
        List<RecordLocation> out = new ArrayList<>();
        for (JsonNode hit : search(searchedEvents, q).path("hits").path("hits")) {
            JsonNode s = hit.path("_source");
            JsonNode r = s.path("record");
            out.add(new RecordLocation(text(s, "auditID"), text(s, "stage"), text(s, "cluster"), text(r, "topic"),
                    r.path("partition").asInt(), r.path("offset").asLong()));
        }
        return out;
    }

    /** Every flagged request in the period, oldest first: the timeline of PHI access. */
    public ReportTable phiAccess() throws SearchException {
        List<List<String>> rows = new ArrayList<>();
        boolean truncated = requests(f -> f.addObject().putObject("term").put("phi.flagged", true), s ->
                rows.add(List.of(text(s, "timestamp"), text(s, "actor"), namespace(s), text(s, "verb"), resource(s),
                        text(s.path("objectRef"), "name"), join(s.path("phi").path("rules")),
                        text(s.path("phi"), "severity"), text(s, "responseCode"), text(s, "decision"),
                        text(s, "cluster"), text(s, "auditID"))));
        return new ReportTable("phi-access", "Flagged requests (timeline)",
                "Every request a rule flagged, once per request (stages collapsed by auditID), oldest first. For any"
                        + " of them, 'auditkeeper prove --audit-id <auditID> --cluster <cluster> --public-key <pem>'"
                        + " writes a proof that it is in the archive, unaltered, and since when; 'auditkeeper"
                        + " verify-proof <file> --public-key <pem>' checks it offline (docs/investigate.md).",
                List.of("timestamp", "actor", "namespace", "verb", "resource", "name", "rules", "severity",
                        "responseCode", "decision", "cluster", "auditID"), rows, truncated);
    }

    /**
     * Searches the events in the rehydrated daily indices {@code <prefix>-*} too (none may exist), next to the events
     * index: a period older than the hot retention is there once {@code auditkeeper rehydrate} has run for it.
     */
    public EvidenceSearch rehydrated(String prefix) {
        this.searchedEvents = eventsIndex + "," + prefix + "-*";
        return this;
    }

    /**
     * The names of the open indices matching the patterns ({@code _resolve/index}, which the {@code read} action
     * group allows); a pattern that matches nothing adds nothing.
     */
    public List<String> indexNames(String... patterns) throws SearchException {
        String expression = URLEncoder.encode(String.join(",", patterns), StandardCharsets.UTF_8);
        try (Response response = client.generic().execute(Requests.builder().method("GET")
                .endpoint("/_resolve/index/" + expression).query(Map.of("expand_wildcards", "open")).build())) {
            int status = response.getStatus();
            byte[] bytes = response.getBody().map(Body::bodyAsBytes).orElse(new byte[0]);
            if (status / 100 != 2) {
                throw new SearchException("OpenSearch answered HTTP " + status + " to _resolve/index/"
                        + String.join(",", patterns));
            }
            List<String> names = new ArrayList<>();
            for (JsonNode index : parse(bytes, status, "_resolve/index").path("indices")) {
                names.add(index.path("name").asText());
            }
            return names;
        } catch (IOException | RuntimeException e) {
            throw new SearchException("OpenSearch at " + base + " cannot be used: " + ConnectionErrors.describe(e));
        }
    }

    /** Only events and alerts of these clusters (the {@code cluster} field); none: every cluster. */
    public EvidenceSearch clusters(List<String> names) {
        this.clusters = List.copyOf(names);
        return this;
    }

    /** Flagged requests counted by actor, namespace and rule (a request with two rules counts under each). */
    public ReportTable phiAccessByActor() throws SearchException {
        ObjectNode composite = mapper.createObjectNode();
        ArrayNode sources = composite.putArray("sources");
        sources.addObject().putObject("actor").putObject("terms").put("field", "actor");
        sources.addObject().putObject("namespace").putObject("terms").put("field", "objectRef.namespace")
                .put("missing_bucket", true);
        sources.addObject().putObject("rule").putObject("terms").put("field", "phi.rules");
        ObjectNode sub = mapper.createObjectNode();
        cardinality(sub);
        List<List<String>> rows = new ArrayList<>();
        boolean truncated = composite(searchedEvents,
                eventFilter(f -> f.addObject().putObject("term").put("phi.flagged", true)), composite, sub, b -> {
                    JsonNode key = b.path("key");
                    String ns = key.path("namespace").isNull() ? "(all namespaces)" : key.path("namespace").asText();
                    rows.add(List.of(key.path("actor").asText(), ns, key.path("rule").asText(),
                            b.path("requests").path("value").asText()));
                });
        return new ReportTable("phi-access-by-actor", "Who accessed PHI, and how",
                "Flagged requests by actor, namespace and rule; a request matched by two rules counts under each.",
                List.of("actor", "namespace", "rule", "requests"), rows, truncated);
    }

    /** Requests denied by authorization (decision forbid) or answered 403. */
    public ReportTable denied() throws SearchException {
        List<List<String>> rows = new ArrayList<>();
        boolean truncated = requests(f -> {
            ObjectNode b = f.addObject().putObject("bool");
            ArrayNode should = b.putArray("should");
            should.addObject().putObject("term").put("decision", "forbid");
            should.addObject().putObject("term").put("responseCode", 403);
            b.put("minimum_should_match", 1);
        }, s -> rows.add(List.of(text(s, "timestamp"), text(s, "actor"), namespace(s), text(s, "verb"), resource(s),
                text(s.path("objectRef"), "name"), text(s, "requestURI"), text(s, "responseCode"),
                text(s, "decision"), join(s.path("sourceIPs")), text(s, "cluster"), text(s, "auditID"))));
        return new ReportTable("denied", "Denied attempts",
                "Requests forbidden by authorization or answered 403, once per request, oldest first.",
                List.of("timestamp", "actor", "namespace", "verb", "resource", "name", "requestURI", "responseCode",
                        "decision", "sourceIPs", "cluster", "auditID"), rows, truncated);
    }

    /** Writes to RBAC objects, ConfigMaps, Secrets and admission webhooks: who changed access or configuration. */
    public ReportTable changes() throws SearchException {
        List<List<String>> rows = new ArrayList<>();
        boolean truncated = requests(f -> {
            terms(f.addObject(), "verb", WRITE_VERBS);
            ObjectNode b = f.addObject().putObject("bool");
            ArrayNode should = b.putArray("should");
            ObjectNode rbac = should.addObject().putObject("bool");
            ArrayNode rf = rbac.putArray("filter");
            rf.addObject().putObject("term").put("objectRef.apiGroup", "rbac.authorization.k8s.io");
            terms(rf.addObject(), "objectRef.resource", List.of("roles", "rolebindings", "clusterroles",
                    "clusterrolebindings"));
            ObjectNode config = should.addObject().putObject("bool");
            ArrayNode cf = config.putArray("filter");
            terms(cf.addObject(), "objectRef.resource", List.of("configmaps", "secrets"));
            config.putArray("must_not").addObject().putObject("exists").put("field", "objectRef.subresource");
            should.addObject().putObject("term").put("objectRef.apiGroup", "admissionregistration.k8s.io");
            b.put("minimum_should_match", 1);
        }, s -> {
            String group = text(s.path("objectRef"), "apiGroup");
            rows.add(List.of(text(s, "timestamp"), text(s, "actor"), namespace(s), text(s, "verb"),
                    group.isEmpty() ? resource(s) : group + "/" + resource(s), text(s.path("objectRef"), "name"),
                    text(s, "responseCode"), text(s, "decision"), text(s, "cluster"), text(s, "auditID")));
        });
        return new ReportTable("changes", "RBAC and configuration changes",
                "Create, update, patch and delete of roles and bindings, ConfigMaps, Secrets and admission webhooks,"
                        + " whether allowed or not, oldest first.",
                List.of("timestamp", "actor", "namespace", "verb", "resource", "name", "responseCode", "decision",
                        "cluster", "auditID"), rows, truncated);
    }

    /** The stream-processor's alerts whose window starts in the period. */
    public ReportTable alerts() throws SearchException {
        List<List<String>> rows = new ArrayList<>();
        JsonNode after = null;
        boolean truncated = false;
        while (true) {
            ObjectNode q = mapper.createObjectNode();
            q.put("size", Math.min(pageSize, maxRows - rows.size() + 1));
            ArrayNode filter = q.putObject("query").putObject("bool").putArray("filter");
            range(filter, "windowStart");
            namespaceFilter(filter, "namespaces");
            clusterFilter(filter);
            ArrayNode sort = q.putArray("sort");
            sort.addObject().put("windowStart", "asc");
            sort.addObject().put("alertId", "asc");
            if (after != null) {
                q.set("search_after", after);
            }
            JsonNode hits = search(alertsIndex, q).path("hits").path("hits");
            for (JsonNode h : hits) {
                if (rows.size() == maxRows) {
                    truncated = true;
                    break;
                }
                JsonNode s = h.path("_source");
                rows.add(List.of(text(s, "windowStart"), text(s, "windowEnd"), text(s, "type"), text(s, "severity"),
                        text(s, "actor"), join(s.path("namespaces")), text(s, "count"), text(s, "threshold"),
                        text(s, "description"), text(s, "cluster"), text(s, "alertId")));
                after = h.path("sort");
            }
            if (truncated || hits.isEmpty() || hits.size() < q.path("size").asInt()) {
                break;
            }
        }
        return new ReportTable("alerts", "Alerts",
                "Alerts of the stream-processor whose window starts in the period, oldest first.",
                List.of("windowStart", "windowEnd", "type", "severity", "actor", "namespaces", "count", "threshold",
                        "description", "cluster", "alertId"), rows, truncated);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** The events of the period (and namespaces) that {@code more} also selects. */
    private ObjectNode eventFilter(Consumer<ArrayNode> more) {
        ObjectNode q = mapper.createObjectNode();
        ArrayNode filter = q.putObject("query").putObject("bool").putArray("filter");
        range(filter, "timestamp");
        namespaceFilter(filter, "objectRef.namespace");
        clusterFilter(filter);
        more.accept(filter);
        return q;
    }

    /**
     * Every request that {@code more} selects, once, as its latest stage (it has the response code; when two stages
     * share a stageTimestamp, the one with a response code), oldest first: a composite aggregation by (timestamp,
     * auditID), read page by page, since OpenSearch 2 cannot page a collapsed search. At most {@code maxRows}; true
     * when there were more.
     */
    private boolean requests(Consumer<ArrayNode> more, Consumer<JsonNode> request) throws SearchException {
        ObjectNode composite = mapper.createObjectNode();
        ArrayNode sources = composite.putArray("sources");
        sources.addObject().putObject("time").putObject("terms").put("field", "timestamp");
        sources.addObject().putObject("request").putObject("terms").put("field", "auditID");
        ObjectNode sub = mapper.createObjectNode();
        ObjectNode top = sub.putObject("latest").putObject("top_hits").put("size", 1);
        ArrayNode sort = top.putArray("sort");
        sort.addObject().put("stageTimestamp", "desc");
        sort.addObject().putObject("responseCode").put("order", "desc").put("missing", "_last");
        return composite(searchedEvents, eventFilter(more), composite, sub,
                b -> request.accept(b.path("latest").path("hits").path("hits").path(0).path("_source")));
    }

    /**
     * Reads the buckets of a composite aggregation page by page ({@code pageSize} each, after the last key), handing
     * each to {@code bucket}, at most {@code maxRows}; true when there were more.
     */
    private boolean composite(String index, ObjectNode query, ObjectNode composite, ObjectNode subAggs,
                              Consumer<JsonNode> bucket) throws SearchException {
        int taken = 0;
        JsonNode after = null;
        while (true) {
            ObjectNode q = query.deepCopy();
            q.put("size", 0);
            ObjectNode agg = q.putObject("aggs").putObject("page");
            ObjectNode c = composite.deepCopy();
            c.put("size", Math.min(pageSize, maxRows - taken + 1));
            if (after != null) {
                c.set("after", after);
            }
            agg.set("composite", c);
            agg.set("aggs", subAggs);
            JsonNode page = search(index, q).path("aggregations").path("page");
            JsonNode buckets = page.path("buckets");
            for (JsonNode b : buckets) {
                if (taken == maxRows) {
                    return true;
                }
                bucket.accept(b);
                taken++;
            }
            after = page.path("after_key");
            if (buckets.isEmpty() || after.isMissingNode() || buckets.size() < c.path("size").asInt()) {
                return false;
            }
        }
    }

    private void range(ArrayNode filter, String field) {
        filter.addObject().putObject("range").putObject(field).put("gte", window.from().toString())
                .put("lt", window.to().toString());
    }

    private void clusterFilter(ArrayNode filter) {
        if (!clusters.isEmpty()) {
            terms(filter.addObject(), "cluster", clusters);
        }
    }

    private void namespaceFilter(ArrayNode filter, String field) {
        if (namespaces.isEmpty()) {
            return;
        }
        ObjectNode b = filter.addObject().putObject("bool");
        ArrayNode should = b.putArray("should");
        terms(should.addObject(), field, namespaces);
        should.addObject().putObject("bool").putArray("must_not").addObject().putObject("exists").put("field", field);
        b.put("minimum_should_match", 1);
    }

    private static void terms(ObjectNode parent, String field, List<String> values) {
        ArrayNode a = parent.putObject("terms").putArray(field);
        values.forEach(a::add);
    }

    private static void cardinality(ObjectNode aggs) {
        // exact up to this many distinct requests per row (OpenSearch's maximum), within about 1% above it
        aggs.putObject("requests").putObject("cardinality").put("field", "auditID").put("precision_threshold", 40000);
    }

    private JsonNode search(String index, ObjectNode body) throws SearchException {
        String endpoint = "/" + URLEncoder.encode(index, StandardCharsets.UTF_8) + "/_search";
        try (Response response = client.generic().execute(Requests.builder().method("POST").endpoint(endpoint)
                .body(Body.from(mapper.writeValueAsBytes(body), "application/json")).build())) {
            int status = response.getStatus();
            byte[] bytes = response.getBody().map(Body::bodyAsBytes).orElse(new byte[0]);
            if (status == 401 || status == 403) {
                throw new SearchException("OpenSearch at " + base + " refused the search of " + index + ": HTTP "
                        + status + " (check --opensearch-user and its password, or the client certificate)");
            }
            JsonNode json = parse(bytes, status, index);
            if (status == 404 && "index_not_found_exception".equals(json.path("error").path("type").asText())) {
                // of several names searched at once, the one that is missing
                throw new SearchException("OpenSearch has no index or alias "
                        + json.path("error").path("index").asText(index), true);
            }
            if (status / 100 != 2 || json.has("error")) {
                String reason = json.path("error").path("root_cause").path(0).path("reason").asText(
                        json.path("error").path("reason").asText(""));
                throw new SearchException("OpenSearch answered HTTP " + status + " to a search of "
                        + index + (reason.isEmpty() ? "" : ": " + reason));
            }
            if (json.path("_shards").path("failed").asInt() > 0) {
                throw new SearchException("OpenSearch search of " + index + " failed on "
                        + json.path("_shards").path("failed").asInt() + " shard(s)");
            }
            return json;
        } catch (IOException | RuntimeException e) {
            // the archiver's key names in the description map one to one to the --opensearch-* options
            throw new SearchException("OpenSearch at " + base + " cannot be used: " + ConnectionErrors.describe(e));
        }
    }

    private JsonNode parse(byte[] bytes, int status, String index) throws SearchException {
        try {
            return bytes.length == 0 ? mapper.createObjectNode() : mapper.readTree(bytes);
        } catch (IOException e) {
            throw new SearchException("OpenSearch answered HTTP " + status + " to a search of " + index
                    + " with a body that is not JSON");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? "" : v.asText();
    }

    private static String join(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return String.join(" ", values);
    }

    private static String namespace(JsonNode s) {
        return s.path("objectRef").isMissingNode() ? "" : text(s.path("objectRef"), "namespace");
    }

    private static String resource(JsonNode s) {
        String r = text(s.path("objectRef"), "resource");
        String sub = text(s.path("objectRef"), "subresource");
        return sub.isEmpty() ? r : r + "/" + sub;
    }
}
