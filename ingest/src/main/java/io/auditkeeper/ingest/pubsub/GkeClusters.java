package io.auditkeeper.ingest.pubsub;

import io.auditkeeper.model.ClusterNames;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which cluster a GKE entry is recorded for ({@code pubsub.gke.clusters}). An entry names its cluster by
 * {@code resource.labels}: {@code project_id}, {@code location} and {@code cluster_name}, and only the last is taken
 * without entries, so that two projects' clusters of one name are one cluster here. With entries only the listed
 * clusters are accepted, each for its name, so that a sink in another project cannot write in a cluster's name.
 */
public final class GkeClusters {
    public static final GkeClusters BY_NAME = new GkeClusters(Map.of());

    private final Map<String, String> clusterByResource;

    private GkeClusters(Map<String, String> clusterByResource) {
        this.clusterByResource = Map.copyOf(clusterByResource);
    }

    /** Parses {@code <project>/<location>/<cluster_name>=<cluster>} entries; the exception says which one is wrong. */
    public static GkeClusters parse(List<String> entries) {
        Map<String, String> map = new HashMap<>();
        for (String raw : entries) {
            String entry = raw.strip();
            int eq = entry.lastIndexOf('=');
            String resource = eq <= 0 ? "" : entry.substring(0, eq).strip();
            if (eq <= 0 || eq == entry.length() - 1 || resource.split("/", -1).length != 3 || resource.contains("//")
                    || resource.startsWith("/") || resource.endsWith("/")) {
                throw new IllegalArgumentException("'" + entry + "' is not <project>/<location>/<cluster_name>=<cluster>");
            }
            String cluster = entry.substring(eq + 1).strip();
            if (!ClusterNames.isValid(cluster)) {
                throw new IllegalArgumentException("'" + cluster + "' in '" + entry + "': " + ClusterNames.RULE);
            }
            if (map.putIfAbsent(resource, cluster) != null) {
                throw new IllegalArgumentException("'" + resource + "' is listed twice");
            }
        }
        return new GkeClusters(map);
    }

    /** The cluster an entry of this GKE cluster is recorded for; the exception says why there is none. */
    public String clusterOf(String project, String location, String clusterName) throws UnknownClusterException {
        if (!clusterByResource.isEmpty()) {
            String cluster = clusterByResource.get(project + "/" + location + "/" + clusterName);
            if (cluster == null) {
                throw new UnknownClusterException("GKE cluster " + project + "/" + location + "/" + clusterName
                        + " is not listed in pubsub.gke.clusters");
            }
            return cluster;
        }
        if (clusterName == null || !ClusterNames.isValid(clusterName)) {
            throw new UnknownClusterException("resource.labels.cluster_name is missing or not a valid cluster name ("
                    + ClusterNames.RULE + "); map it in pubsub.gke.clusters");
        }
        return clusterName;
    }

    /** A GKE cluster that is not accepted; the message names it (a cluster's name is no secret) and says why. */
    public static final class UnknownClusterException extends Exception {
        public UnknownClusterException(String message) {
            super(message, null, false, false);
        }
    }
}
