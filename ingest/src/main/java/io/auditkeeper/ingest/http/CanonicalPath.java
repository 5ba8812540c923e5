package io.auditkeeper.ingest.http;

/**
 * Whether a path as sent means what it says: an encoded, dot-segment, empty-segment or parameter path could name one
 * cluster or endpoint to a proxy in front and another here, so every endpoint refuses it rather than normalising it.
 */
public final class CanonicalPath {
    private CanonicalPath() {
    }

    public static boolean isCanonical(String raw) {
        if (!raw.startsWith("/") || raw.contains("%") || raw.contains(";") || raw.contains("\\")) {
            return false;
        }
        String[] segments = raw.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean trailingSlash = i == segments.length - 1 && s.isEmpty();
            if ((s.isEmpty() && !trailingSlash) || s.equals(".") || s.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
