package io.auditkeeper.ingest.auth;

/** A request that did not prove who sent it (401) or whose sender is not allowed (403). */
public final class AuthenticationException extends Exception {
    private final int status;

    public AuthenticationException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
