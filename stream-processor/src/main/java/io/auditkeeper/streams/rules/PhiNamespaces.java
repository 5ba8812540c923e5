package io.auditkeeper.streams.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which namespaces hold PHI: exact names and glob patterns ({@code *} any run of characters, {@code ?} one), from
 * configuration. A request without a namespace may still reach into them; {@link #reachesInto} says when.
 */
public final class PhiNamespaces {
    private final List<String> exact = new ArrayList<>();
    private final List<Pattern> globs = new ArrayList<>();
    private final List<String> configured;

    public PhiNamespaces(List<String> namesAndGlobs) {
        this.configured = List.copyOf(namesAndGlobs);
        for (String n : namesAndGlobs) {
            String s = n.strip();
            if (s.isEmpty()) {
                continue;
            }
            if (s.contains("*") || s.contains("?")) {
                globs.add(glob(s));
            } else {
                exact.add(s);
            }
        }
    }

    public static PhiNamespaces none() {
        return new PhiNamespaces(List.of());
    }

    /** Whether {@code namespace} is a PHI namespace; false for null (cluster-scoped or all-namespace requests). */
    public boolean contains(String namespace) {
        if (namespace == null || namespace.isEmpty()) {
            return false;
        }
        if (exact.contains(namespace)) {
            return true;
        }
        for (Pattern p : globs) {
            if (p.matcher(namespace).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Whether any namespace is configured as PHI at all (then a cluster-wide request reaches PHI namespaces). */
    public boolean isEmpty() {
        return exact.isEmpty() && globs.isEmpty();
    }

    /**
     * Whether a request with this namespace reaches PHI namespaces: a request in one of them, or a request without a
     * namespace on a namespaced resource (list or watch across all namespaces) while any PHI namespace is configured.
     */
    public boolean reachesInto(String namespace, boolean namespacedResourceAcrossAllNamespaces) {
        return contains(namespace) || (namespacedResourceAcrossAllNamespaces && !isEmpty()
                && (namespace == null || namespace.isEmpty()));
    }

    public List<String> configured() {
        return configured;
    }

    /** {@code glob} ({@code *} any run of characters, {@code ?} exactly one) as a pattern of the whole name. */
    static Pattern glob(String glob) {
        return Pattern.compile(toRegex(glob));
    }

    private static String toRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return sb.toString();
    }
}
