package io.auditkeeper.ingest.firehose;

import io.auditkeeper.model.ClusterNames;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which cluster the events of a CloudWatch Logs log group are recorded for ({@code firehose.eks.log-groups}). EKS
 * writes a cluster's control plane logs to {@code /aws/eks/<cluster>/cluster}, and the log group, not anything in the
 * events, is all that names the cluster; without entries that name is taken, with entries only the listed log groups
 * are accepted, each for its cluster, so that a subscription filter added to another log group cannot write events in
 * a cluster's name, and an EKS name that is no valid cluster name here (upper case, over 63 characters) can be mapped.
 */
public final class LogGroupClusters {
    public static final LogGroupClusters DERIVED = new LogGroupClusters(Map.of());
    private static final Pattern EKS_LOG_GROUP = Pattern.compile("/aws/eks/([^/]+)/cluster");

    private final Map<String, String> clusterByLogGroup;

    private LogGroupClusters(Map<String, String> clusterByLogGroup) {
        this.clusterByLogGroup = Map.copyOf(clusterByLogGroup);
    }

    /** Parses {@code <log group>=<cluster>} entries; an {@link IllegalArgumentException} says which one is wrong. */
    public static LogGroupClusters parse(List<String> entries) {
        Map<String, String> map = new HashMap<>();
        for (String raw : entries) {
            String entry = raw.strip();
            int eq = entry.lastIndexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("'" + entry + "' is not <log group>=<cluster>");
            }
            String logGroup = entry.substring(0, eq).strip();
            String cluster = entry.substring(eq + 1).strip();
            if (!ClusterNames.isValid(cluster)) {
                throw new IllegalArgumentException("'" + cluster + "' in '" + entry + "': " + ClusterNames.RULE);
            }
            if (map.putIfAbsent(logGroup, cluster) != null) {
                throw new IllegalArgumentException("log group '" + logGroup + "' is listed twice");
            }
        }
        return new LogGroupClusters(map);
    }

    /** The cluster whose events {@code logGroup} holds; {@link UnknownLogGroupException} says why there is none. */
    public String clusterOf(String logGroup) throws UnknownLogGroupException {
        if (!clusterByLogGroup.isEmpty()) {
            String cluster = clusterByLogGroup.get(logGroup);
            if (cluster == null) {
                throw new UnknownLogGroupException("log group '" + logGroup + "' is not listed in firehose.eks.log-groups");
            }
            return cluster;
        }
        Matcher m = EKS_LOG_GROUP.matcher(logGroup);
        if (!m.matches()) {
            throw new UnknownLogGroupException("log group '" + logGroup + "' is not /aws/eks/<cluster>/cluster;"
                    + " list it in firehose.eks.log-groups to accept it");
        }
        String cluster = m.group(1);
        if (!ClusterNames.isValid(cluster)) {
            throw new UnknownLogGroupException("log group '" + logGroup + "' names EKS cluster '" + cluster + "', but "
                    + ClusterNames.RULE + "; map it in firehose.eks.log-groups");
        }
        return cluster;
    }

    /** A log group that is not accepted; the message names it (a log group name is no secret) and says why. */
    public static final class UnknownLogGroupException extends Exception {
        public UnknownLogGroupException(String message) {
            super(message, null, false, false);
        }
    }
}
