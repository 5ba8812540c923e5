package io.auditkeeper.evidence.manifest;

import java.nio.file.Path;

/**
 * A signing or verification key that cannot be used: missing, unreadable, not PEM, not Ed25519. The message names the
 * file (when there is one) and the reason, never any key material, so it is safe to log and to show an operator.
 */
public final class ManifestKeyException extends RuntimeException {
    private final transient Path file;

    ManifestKeyException(Path file, String reason, Throwable cause) {
        super((file == null ? "" : "key file " + file + ": ") + reason, cause);
        this.file = file;
    }

    /** The key file, or null when the key was not read from a file. */
    public Path file() {
        return file;
    }
}
