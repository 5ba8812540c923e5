package io.auditkeeper.streams.rules;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one rule file into entries, walking the YAML tree so that every problem names the rule and the field. All
 * problems of a file are collected and thrown together as one {@link RuleFileException}.
 */
final class RuleFileParser {

    /** Audit verbs: the API verbs of resource requests and the lowercase HTTP methods of non-resource requests. */
    static final Set<String> KNOWN_VERBS = Set.of("get", "list", "watch", "create", "update", "patch", "delete",
            "deletecollection", "proxy", "head", "options", "post", "put", "*");
    static final Set<String> KNOWN_DECISIONS = Set.of("allow", "forbid");
    static final List<String> RULE_FIELDS = List.of("id", "description", "severity", "safeguard", "scope", "match",
            "anyOf", "unless", "enabled");

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** resource, resource/subresource, resource/*, * /subresource, *: lowercase API names. */
    private static final Pattern RESOURCE_NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?");
    private static final Pattern API_GROUP = Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?");

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    /**
     * One rule entry of a file. {@code rule} is null when the entry only disables a rule ({@code enabled: false}
     * without the other fields).
     */
    record Entry(int index, String id, Rule rule, boolean enabled) {
    }

    private final String source;
    private final List<String> problems = new ArrayList<>();

    private RuleFileParser(String source) {
        this.source = source;
    }

    /** Parses {@code content}; throws {@link RuleFileException} naming {@code source} on any problem. */
    static List<Entry> parse(String source, byte[] content) {
        return new RuleFileParser(source).run(content);
    }

    private List<Entry> run(byte[] content) {
        JsonNode root;
        try {
            root = YAML.readTree(content);
        } catch (JacksonException e) {
            throw new RuleFileException(source, List.of(source + ": malformed YAML" + where(e) + ": " + problem(e)));
        } catch (IOException e) {
            throw new RuleFileException(source, List.of(source + ": cannot be read: " + e.getClass().getSimpleName()));
        }
        List<Entry> entries = new ArrayList<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return entries; // an empty file changes nothing
        }
        if (!root.isObject()) {
            fail(source + ": the file must be a mapping with a 'rules' list, not " + kind(root));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("rules")) {
                fail(source + ": field '" + f + "': unknown field (allowed: rules)");
            }
        }
        JsonNode rules = root.get("rules");
        if (rules == null || rules.isNull()) {
            fail(source + ": field 'rules': missing (the file must be a mapping with a 'rules' list)");
        } else if (!rules.isArray()) {
            fail(source + ": field 'rules': must be a list of rules, not " + kind(rules));
        } else {
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < rules.size(); i++) {
                Entry e = rule(i, rules.get(i), seen);
                if (e != null) {
                    entries.add(e);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleFileException(source, problems);
        }
        return entries;
    }

    private Entry rule(int index, JsonNode node, Map<String, Integer> seen) {
        String position = "rule #" + (index + 1);
        if (!node.isObject()) {
            fail(source + ": " + position + ": must be a mapping (id, description, severity, ...), not " + kind(node));
            return null;
        }
        int before = problems.size();
        JsonNode idNode = node.get("id");
        String id = null;
        String label;
        if (idNode != null && idNode.isTextual() && !idNode.asText().isBlank()) {
            id = idNode.asText().strip();
            label = "rule '" + id + "'";
        } else {
            label = position + " (no id)";
        }
        Field ctx = new Field(label);

        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!RULE_FIELDS.contains(f)) {
                ctx.problem(f, "unknown field (allowed: " + String.join(", ", RULE_FIELDS) + ")");
            }
        }

        if (idNode == null || idNode.isNull() || (idNode.isTextual() && idNode.asText().isBlank())) {
            ctx.problem("id", "missing or blank");
        } else if (!idNode.isTextual()) {
            ctx.problem("id", "must be a string, not " + kind(idNode));
        } else if (!ID.matcher(id).matches()) {
            ctx.problem("id", "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        } else {
            Integer other = seen.putIfAbsent(id, index);
            if (other != null) {
                ctx.problem("id", "duplicate id: rule #" + (other + 1) + " in this file has the same id");
            }
        }

        boolean enabled = true;
        boolean required = true;
        JsonNode en = node.get("enabled");
        if (en != null) {
            if (!en.isBoolean()) {
                ctx.problem("enabled", "must be true or false, not " + kind(en));
                required = false; // whether the other fields are needed is unknown: report only this
            } else {
                enabled = en.asBoolean();
            }
        }
        // An entry that disables a rule needs only its id; whatever else it gives must still be valid.
        required &= enabled;

        String description = text(ctx, node, "description", required);

        Severity severity = null;
        String sev = text(ctx, node, "severity", required);
        if (sev != null) {
            severity = Severity.fromCode(sev).orElse(null);
            if (severity == null) {
                ctx.problem("severity", "unknown severity '" + sev + "' (expected one of low, medium, high, critical)");
            }
        }

        String safeguard = text(ctx, node, "safeguard", required);

        Scope scope = Scope.PHI;
        String sc = text(ctx, node, "scope", false);
        if (sc != null) {
            scope = Scope.fromCode(sc).orElse(null);
            if (scope == null) {
                ctx.problem("scope", "unknown scope '" + sc + "' (expected phi, phi-or-cluster or any)");
            }
        }

        List<Match> anyOf = null;
        JsonNode match = node.get("match");
        JsonNode anyOfNode = node.get("anyOf");
        if (match != null && anyOfNode != null) {
            ctx.problem("match", "give either 'match' (one block) or 'anyOf' (a list of blocks), not both");
        } else if (match != null) {
            Match m = block(ctx, "match", match);
            anyOf = m == null ? null : List.of(m);
        } else if (anyOfNode != null) {
            anyOf = blocks(ctx, "anyOf", anyOfNode);
        } else if (required) {
            ctx.problem("match", "missing: a rule needs 'match' (one block) or 'anyOf' (a list of blocks)");
        }

        List<Match> unless = List.of();
        JsonNode unlessNode = node.get("unless");
        if (unlessNode != null) {
            unless = blocks(ctx, "unless", unlessNode);
        }

        if (problems.size() > before) {
            return null;
        }
        if (!enabled && (description == null || safeguard == null || severity == null || anyOf == null)) {
            return new Entry(index, id, null, false);
        }
        return new Entry(index, id, new Rule(id, description, severity, safeguard, scope, anyOf, unless), enabled);
    }

    private List<Match> blocks(Field ctx, String field, JsonNode node) {
        if (!node.isArray()) {
            ctx.problem(field, "must be a list of match blocks, not " + kind(node));
            return null;
        }
        if (node.isEmpty()) {
            ctx.problem(field, "must not be empty");
            return null;
        }
        List<Match> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            Match m = block(ctx, field + "[" + i + "]", node.get(i));
            if (m != null) {
                out.add(m);
            }
        }
        return out.size() == node.size() ? out : null;
    }

    private Match block(Field ctx, String path, JsonNode node) {
        if (!node.isObject()) {
            ctx.problem(path, "must be a mapping of conditions (" + String.join(", ", Match.FIELDS) + "), not "
                    + kind(node));
            return null;
        }
        if (node.isEmpty()) {
            ctx.problem(path, "empty match: give at least one condition (" + String.join(", ", Match.FIELDS) + ")");
            return null;
        }
        int before = problems.size();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Match.FIELDS.contains(f)) {
                ctx.problem(path + "." + f, "unknown field (allowed: " + String.join(", ", Match.FIELDS) + ")");
            }
        }
        List<String> verbs = strings(ctx, path, node, "verbs", v -> {
            String l = v.toLowerCase(Locale.ROOT);
            return KNOWN_VERBS.contains(l) ? null : "unknown verb '" + v + "' (expected one of get, list, watch, "
                    + "create, update, patch, delete, deletecollection, proxy, head, options, post, put or *)";
        });
        if (verbs != null) {
            verbs = verbs.stream().map(v -> v.toLowerCase(Locale.ROOT)).toList();
        }
        List<String> resources = strings(ctx, path, node, "resources", RuleFileParser::checkResource);
        List<String> apiGroups = strings(ctx, path, node, "apiGroups", g -> g.isEmpty() || g.equals("*")
                || API_GROUP.matcher(g).matches() ? null
                : "invalid API group '" + g + "' (lowercase DNS name, \"\" for the core group, or *)");
        if (apiGroups != null) {
            apiGroups = apiGroups.stream().map(g -> g.equals("core") ? "" : g).toList();
        }
        List<Integer> codes = codes(ctx, path, node);
        List<String> decisions = strings(ctx, path, node, "decisions",
                d -> KNOWN_DECISIONS.contains(d) ? null : "unknown decision '" + d + "' (expected allow or forbid)");
        List<String> usernames = strings(ctx, path, node, "usernames", u -> null);
        List<String> groups = strings(ctx, path, node, "groups", g -> null);
        Boolean impersonated = bool(ctx, path, node, "impersonated");
        Boolean privilegedPod = bool(ctx, path, node, "privilegedPod");
        Boolean resourceRequest = bool(ctx, path, node, "resourceRequest");
        List<String> names = strings(ctx, path, node, "names", n -> null);
        List<String> requestObject = strings(ctx, path, node, "requestObject",
                t -> RequestTrait.fromCode(t).isPresent() ? null : "unknown request object trait '" + t
                        + "' (expected one of " + String.join(", ", RequestTrait.CODES) + ")");
        List<String> roleRefs = strings(ctx, path, node, "roleRefs", r -> null);
        if (problems.size() > before) {
            return null;
        }
        return new Match(verbs, resources, apiGroups, codes, decisions, usernames, groups, impersonated,
                privilegedPod, resourceRequest, names, requestObject, roleRefs);
    }

    private static String checkResource(String r) {
        if (r.equals("*")) {
            return null;
        }
        String[] parts = r.split("/", -1);
        boolean ok = parts.length <= 2;
        for (int i = 0; ok && i < parts.length; i++) {
            ok = RESOURCE_NAME.matcher(parts[i]).matches() || (parts.length == 2 && parts[i].equals("*"));
        }
        if (ok && parts.length == 2 && parts[0].equals("*") && parts[1].equals("*")) {
            ok = false;
        }
        return ok ? null : "invalid resource '" + r + "' (lowercase plural API name: resource, resource/subresource, "
                + "resource/*, */subresource or *)";
    }

    private interface Check {
        /** Null if {@code value} is valid, else what is wrong with it. */
        String problem(String value);
    }

    private List<String> strings(Field ctx, String path, JsonNode block, String field, Check check) {
        JsonNode node = block.get(field);
        if (node == null) {
            return null;
        }
        String where = path + "." + field;
        if (!node.isArray()) {
            ctx.problem(where, "must be a list of strings, not " + kind(node));
            return null;
        }
        if (node.isEmpty()) {
            ctx.problem(where, "must not be empty (leave the condition out to match any value)");
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode v = node.get(i);
            if (!v.isTextual()) {
                ctx.problem(where + "[" + i + "]", "must be a string, not " + kind(v));
                continue;
            }
            String s = v.asText().strip();
            if (s.isEmpty() && !field.equals("apiGroups")) {
                ctx.problem(where + "[" + i + "]", "must not be blank");
                continue;
            }
            String p = check.problem(s);
            if (p != null) {
                ctx.problem(where + "[" + i + "]", p);
                continue;
            }
            out.add(s);
        }
        return out.size() == node.size() ? out : null;
    }

    private List<Integer> codes(Field ctx, String path, JsonNode block) {
        JsonNode node = block.get("responseCodes");
        if (node == null) {
            return null;
        }
        String where = path + ".responseCodes";
        if (!node.isArray()) {
            ctx.problem(where, "must be a list of HTTP status codes, not " + kind(node));
            return null;
        }
        if (node.isEmpty()) {
            ctx.problem(where, "must not be empty (leave the condition out to match any value)");
            return null;
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 100 || v.asInt() > 599) {
                ctx.problem(where + "[" + i + "]", "must be an HTTP status code (an integer from 100 to 599), not "
                        + (v.isIntegralNumber() ? "'" + v.asText() + "'" : kind(v)));
                continue;
            }
            out.add(v.asInt());
        }
        return out.size() == node.size() ? out : null;
    }

    private Boolean bool(Field ctx, String path, JsonNode block, String field) {
        JsonNode node = block.get(field);
        if (node == null) {
            return null;
        }
        if (!node.isBoolean()) {
            ctx.problem(path + "." + field, "must be true or false, not " + kind(node));
            return null;
        }
        return node.asBoolean();
    }

    private String text(Field ctx, JsonNode rule, String field, boolean required) {
        JsonNode node = rule.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                ctx.problem(field, "missing");
            }
            return null;
        }
        if (!node.isTextual()) {
            ctx.problem(field, "must be a string, not " + kind(node));
            return null;
        }
        String s = node.asText().strip();
        if (s.isEmpty()) {
            ctx.problem(field, "must not be blank");
            return null;
        }
        return s;
    }

    private void fail(String problem) {
        problems.add(problem);
    }

    /** Names the rule in every problem it reports. */
    private final class Field {
        private final String label;

        Field(String label) {
            this.label = label;
        }

        void problem(String field, String text) {
            fail(source + ": " + label + ", field '" + field + "': " + text);
        }
    }

    /** The JSON type of a node, for messages; never its value (which could be anything a user pasted). */
    private static String kind(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "null";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isNumber()) {
            return "a number";
        }
        return "a string";
    }

    private static String where(JacksonException e) {
        JsonLocation loc = e.getLocation();
        if (loc == null || loc.getLineNr() < 1) {
            return "";
        }
        return " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    /** What the YAML parser objected to, without the snippet of the file it would quote. */
    private static String problem(JacksonException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException m && m.getProblem() != null) {
                return m.getProblem();
            }
        }
        String msg = e.getOriginalMessage();
        if (msg != null && msg.startsWith("Duplicate field ")) {
            return "d" + msg.substring(1) + " in one mapping";
        }
        return "not valid YAML";
    }
}
