package io.auditkeeper.config;

import org.apache.kafka.common.config.ConfigDef;

/**
 * Renders a service's {@link ConfigDef} as the Markdown table in its configuration reference, so that the documented
 * keys, defaults and environment variables are the ones the code reads (a test compares the two).
 */
public final class ConfigDocs {
    private ConfigDocs() {
    }

    public static String markdownTable(ConfigDef definition, ConfigLoader loader) {
        StringBuilder sb = new StringBuilder();
        sb.append("| key | environment variable | type | default | valid values | description |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (ConfigDef.ConfigKey k : definition.configKeys().values()) {
            String def;
            if (!k.hasDefault()) {
                def = "(required)";
            } else if (k.defaultValue == null) {
                def = "(none)";
            } else {
                def = "`" + escape(ConfigDef.convertToString(k.defaultValue, k.type)) + "`";
                if (def.equals("``")) {
                    def = "(empty)";
                }
            }
            String valid = k.validator == null ? "" : k.validator.toString();
            sb.append("| `").append(k.name).append("` | `").append(loader.envName(k.name)).append("` | ")
                    .append(k.type.name().toLowerCase()).append(" | ").append(def).append(" | ")
                    .append(escape(valid)).append(" | ").append(escape(k.documentation)).append(" |\n");
        }
        return sb.toString();
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
