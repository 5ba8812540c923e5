package io.auditkeeper.deploy;

import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.config.ConfigLoader;
import io.auditkeeper.ingest.config.IngestConfig;
import io.auditkeeper.notifier.config.NotifierConfig;
import io.auditkeeper.source.aks.config.AksSourceConfig;
import io.auditkeeper.streams.config.StreamProcessorConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the {@code AUDITKEEPER_*} variables a deployment file sets against the services' own definitions: the name
 * must be one the service's {@link ConfigLoader} accepts (a key or a Kafka pass-through), a literal value must parse
 * and pass the key's validator, and every required key must be set.
 */
final class ServiceSettings {
    record Service(String name, String prefix, ConfigDef definition, ConfigLoader loader) {
    }

    static final List<Service> SERVICES = List.of(
            new Service("ingest", IngestConfig.ENV_PREFIX, IngestConfig.DEFINITION, IngestConfig.LOADER),
            new Service("stream-processor", StreamProcessorConfig.ENV_PREFIX, StreamProcessorConfig.DEFINITION, StreamProcessorConfig.LOADER),
            new Service("archiver", ArchiverConfig.ENV_PREFIX, ArchiverConfig.DEFINITION, ArchiverConfig.LOADER),
            new Service("source-aks", AksSourceConfig.ENV_PREFIX, AksSourceConfig.DEFINITION, AksSourceConfig.LOADER),
            new Service("notifier", NotifierConfig.ENV_PREFIX, NotifierConfig.DEFINITION, NotifierConfig.LOADER));

    /** A value that comes from a Secret and is unknown here. */
    static final String FROM_SECRET = "\u0000from-secret";

    private ServiceSettings() {
    }

    static Service byPrefixOf(Map<String, String> env) {
        for (Service s : SERVICES) {
            if (env.keySet().stream().anyMatch(k -> k.startsWith(s.prefix()))) {
                return s;
            }
        }
        return null;
    }

    /** Problems of {@code env} for {@code service}, each naming {@code where} and the variable. */
    static List<String> problems(String where, Service service, Map<String, String> env) {
        List<String> out = new ArrayList<>();
        Map<String, String> mine = new LinkedHashMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("AUDITKEEPER_") && !k.startsWith(service.prefix()) && !k.equals("AUDITKEEPER_LOG_LEVEL")) {
                out.add(where + ": " + k + " is not a variable of " + service.name() + " (prefix " + service.prefix() + ")");
            } else if (k.startsWith(service.prefix())) {
                mine.put(k, v.equals(FROM_SECRET) ? "placeholder" : v);
            }
        });
        Map<String, Object> values;
        try {
            values = service.loader().load(null, mine);
        } catch (ConfigException e) {
            out.add(where + ": " + e.getMessage());
            return out;
        }
        for (Map.Entry<String, ConfigDef.ConfigKey> e : service.definition().configKeys().entrySet()) {
            ConfigDef.ConfigKey key = e.getValue();
            if (!key.hasDefault() && !values.containsKey(key.name)) {
                out.add(where + ": required setting " + key.name + " (" + service.loader().envName(key.name) + ") is not set");
            }
        }
        for (Map.Entry<String, Object> e : values.entrySet()) {
            ConfigDef.ConfigKey key = service.definition().configKeys().get(e.getKey());
            String raw = String.valueOf(e.getValue());
            if (key == null || raw.equals("placeholder") && FROM_SECRET.equals(env.get(service.loader().envName(e.getKey())))) {
                continue;
            }
            try {
                Object parsed = ConfigDef.parseType(key.name, raw, key.type);
                if (key.validator != null) {
                    key.validator.ensureValid(key.name, parsed);
                }
            } catch (ConfigException ex) {
                out.add(where + ": " + service.loader().envName(key.name) + ": " + ex.getMessage());
            }
        }
        return out;
    }
}
