package io.auditkeeper.evidence.manifest;

/**
 * A manifest or digest file that cannot be read. The message says where (line number for NDJSON manifests) and what,
 * so an auditor can open the file at the right place.
 */
public final class ManifestFormatException extends IllegalArgumentException {
    private final int line;

    ManifestFormatException(int line, String message, Throwable cause) {
        super(message, cause);
        this.line = line;
    }

    /** The 1-based line of a manifest file, or 0 for a digest file. */
    public int line() {
        return line;
    }
}
