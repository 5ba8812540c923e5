package io.auditkeeper.source.aks.envelope;

import io.auditkeeper.model.ClusterNames;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the cluster of an AKS resource-log record. Audit Events carry no cluster name, and Azure upper-cases the
 * resource id ({@code .../MANAGEDCLUSTERS/PROD-EAST}), so the name is its last segment lower-cased, unless a configured
 * mapping names it otherwise (two subscriptions with a cluster of the same name, or a name Audit Keeper refuses).
 */
public final class ClusterResolver {
    private static final Pattern MANAGED_CLUSTER = Pattern.compile(
            "/PROVIDERS/MICROSOFT\\.CONTAINERSERVICE/MANAGEDCLUSTERS/([^/]+)/?$", Pattern.CASE_INSENSITIVE);

    private final Map<String, String> mapping;

    private ClusterResolver(Map<String, String> mapping) {
        this.mapping = Map.copyOf(mapping);
    }

    /**
     * Entries {@code <resource id or AKS cluster name>=<cluster>}, matched without regard to case; a full resource id
     * is looked up before the AKS name.
     *
     * @throws IllegalArgumentException naming the entry that is not {@code key=cluster} or whose cluster breaks
     *                                  {@link ClusterNames#RULE}
     */
    public static ClusterResolver of(List<String> entries) {
        Map<String, String> m = new HashMap<>();
        for (String entry : entries) {
            int eq = entry.lastIndexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("entry '" + entry + "' is not <resource id or AKS cluster name>=<cluster>");
            }
            String cluster = entry.substring(eq + 1).trim();
            if (!ClusterNames.isValid(cluster)) {
                throw new IllegalArgumentException("entry '" + entry + "': " + ClusterNames.RULE);
            }
            m.put(normalize(entry.substring(0, eq)), cluster);
        }
        return new ClusterResolver(m);
    }

    /** The cluster of {@code resourceId}, or empty when it names no managed cluster with a valid name and no mapping. */
    public Optional<String> clusterOf(String resourceId) {
        if (resourceId == null || resourceId.isBlank()) {
            return Optional.empty();
        }
        String mapped = mapping.get(normalize(resourceId));
        if (mapped != null) {
            return Optional.of(mapped);
        }
        Matcher m = MANAGED_CLUSTER.matcher(resourceId.trim());
        if (!m.find()) {
            return Optional.empty();
        }
        String aksName = m.group(1);
        mapped = mapping.get(normalize(aksName));
        if (mapped != null) {
            return Optional.of(mapped);
        }
        String name = aksName.toLowerCase(Locale.ROOT);
        return ClusterNames.isValid(name) ? Optional.of(name) : Optional.empty();
    }

    private static String normalize(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        return k.endsWith("/") ? k.substring(0, k.length() - 1) : k;
    }
}
