package io.auditkeeper.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a service's settings from a YAML file and environment variables into the flat key/value map that a Kafka
 * {@link ConfigDef} validates. Every service uses the same rules, so a user learns them once:
 * <ul>
 *   <li>the file is YAML; nested maps become dotted keys ({@code tls: {cert-file: x}} is {@code tls.cert-file});</li>
 *   <li>an environment variable overrides the file: {@code <PREFIX>} + the key in upper case with {@code .} and
 *       {@code -} as {@code _} ({@code AUDITKEEPER_INGEST_TLS_CERT_FILE});</li>
 *   <li>keys under a pass-through prefix (Kafka client properties such as {@code kafka.producer.linger.ms}) are taken
 *       as they are; from the environment their underscores become dots;</li>
 *   <li>a key the service does not know, in the file or as a {@code <PREFIX>*} variable, stops startup with a
 *       message that names it, so a typo is never ignored; {@code <PREFIX>CONFIG_FILE} names the file.</li>
 * </ul>
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final ConfigDef definition;
    private final String envPrefix;
    private final List<String> passThroughPrefixes;

    public ConfigLoader(ConfigDef definition, String envPrefix, List<String> passThroughPrefixes) {
        this.definition = definition;
        this.envPrefix = envPrefix;
        this.passThroughPrefixes = List.copyOf(passThroughPrefixes);
    }

    /** The environment variable that names the configuration file ({@code <PREFIX>CONFIG_FILE}). */
    public String configFileEnvName() {
        return envPrefix + "CONFIG_FILE";
    }

    /** The environment variable that sets {@code key}. */
    public String envName(String key) {
        return envPrefix + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Merges the file (if given) and the environment. Values stay unparsed; the {@link ConfigDef} parses and
     * validates them and names the key of any bad value.
     */
    public Map<String, Object> load(Path file, Map<String, String> env) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (file != null) {
            values.putAll(readFile(file));
        }
        Set<String> known = definition.names();
        for (String key : known) {
            String v = env.get(envName(key));
            if (v != null) {
                values.put(key, v);
            }
        }
        Set<String> knownEnv = known.stream().map(this::envName).collect(Collectors.toSet());
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(envPrefix) || knownEnv.contains(name) || name.equals(configFileEnvName())) {
                continue;
            }
            boolean passed = false;
            for (String prefix : passThroughPrefixes) {
                String envPass = envName(prefix);
                if (name.startsWith(envPass) && name.length() > envPass.length()) {
                    String rest = name.substring(envPass.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                    values.put(prefix + rest, e.getValue());
                    passed = true;
                }
            }
            if (!passed) {
                throw new ConfigException("Unknown environment variable " + name
                        + "; see the configuration reference for the valid keys");
            }
        }
        for (String key : values.keySet()) {
            if (!isKnown(key)) {
                throw new ConfigException("Unknown configuration key '" + key + "'"
                        + (file == null ? "" : " in " + file) + "; see the configuration reference for the valid keys");
            }
        }
        return values;
    }

    /** Whether {@code key} is one of the definition's keys or under one of the pass-through prefixes. */
    public boolean isKnown(String key) {
        return definition.names().contains(key) || passThroughPrefixes.stream().anyMatch(key::startsWith);
    }

    /** The entries under {@code prefix}, with the prefix removed: the pass-through properties of one client. */
    public static Map<String, Object> withPrefix(Map<String, ?> values, String prefix) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private static Map<String, Object> readFile(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            // The parser's own message quotes the file, which may hold a secret: say only where.
            JsonLocation where = e.getLocation();
            throw new ConfigException("Configuration file " + file + " is not valid YAML"
                    + (where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr()));
        } catch (IOException e) {
            throw new ConfigException("Cannot read configuration file " + file + ": " + e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return out;
        }
        if (!root.isObject()) {
            throw new ConfigException("Configuration file " + file + " must hold a YAML mapping of keys to values");
        }
        flatten("", root, out, file);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Object> out, Path file) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = prefix + f.getKey();
            JsonNode v = f.getValue();
            if (v.isObject()) {
                flatten(key + ".", v, out, file);
            } else if (v.isArray()) {
                List<String> items = new ArrayList<>();
                for (JsonNode item : v) {
                    if (!item.isValueNode()) {
                        throw new ConfigException("Configuration key '" + key + "' in " + file + " must be a list of plain values");
                    }
                    items.add(item.asText());
                }
                out.put(key, items);
            } else if (!v.isNull()) {
                out.put(key, v.asText());
            }
        }
    }
}
