package io.auditkeeper.ingest.auth;

import io.auditkeeper.model.ClusterNames;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which clusters each client may post audit events for ({@code auth.cluster-bindings}). The cluster of a batch comes
 * from the URL the client chose, and every event downstream carries it; without bindings, the credential of one
 * cluster's apiserver could write events in another cluster's name. Entries are {@code client=cluster[|cluster...]},
 * the client being a certificate's CN or a token's name and {@code *} standing for any cluster. No entries: no
 * restriction (one credential per Audit Keeper, or clusters that trust each other).
 */
public final class ClusterBindings {
    public static final ClusterBindings NONE = new ClusterBindings(Map.of());
    private static final String ANY = "*";

    private final Map<String, Set<String>> clustersByClient;

    private ClusterBindings(Map<String, Set<String>> clustersByClient) {
        this.clustersByClient = Map.copyOf(clustersByClient);
    }

    /** Parses the entries; an {@link IllegalArgumentException} says which entry is wrong and why. */
    public static ClusterBindings parse(List<String> entries) {
        Map<String, Set<String>> bindings = new HashMap<>();
        for (String raw : entries) {
            String entry = raw.strip();
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("'" + entry + "' is not client=cluster[|cluster...]");
            }
            String client = entry.substring(0, eq).strip();
            if (bindings.containsKey(client)) {
                throw new IllegalArgumentException("client '" + client + "' is bound twice; list its clusters in one entry");
            }
            Set<String> clusters = new LinkedHashSet<>();
            for (String c : entry.substring(eq + 1).split("\\|", -1)) {
                String cluster = c.strip();
                if (!cluster.equals(ANY) && !ClusterNames.isValid(cluster)) {
                    throw new IllegalArgumentException("'" + cluster + "' in '" + entry + "': " + ClusterNames.RULE + ", or *");
                }
                clusters.add(cluster);
            }
            bindings.put(client, clusters);
        }
        return new ClusterBindings(bindings);
    }

    /** True when there are bindings, so that a client without one is refused. */
    public boolean restricts() {
        return !clustersByClient.isEmpty();
    }

    /** Whether {@code client} may post for {@code cluster}: one of its names is bound to it (or to any cluster). */
    public boolean allows(ClientIdentity client, String cluster) {
        if (!restricts()) {
            return true;
        }
        for (String name : client.names()) {
            Set<String> clusters = clustersByClient.get(name);
            if (clusters != null && (clusters.contains(cluster) || clusters.contains(ANY))) {
                return true;
            }
        }
        return false;
    }
}
