package io.auditkeeper.model;

import java.util.regex.Pattern;

/**
 * The rule for cluster names. The name comes from the URL a client posts to and ends up in Kafka headers, index
 * names and S3 keys downstream, so it is restricted to what is safe in all of them.
 */
public final class ClusterNames {
    public static final String RULE = "a cluster name is 1 to 63 characters of a-z, 0-9, '-', '.' or '_', starting and ending with a letter or digit";
    private static final Pattern VALID = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?");

    private ClusterNames() {
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }
}
