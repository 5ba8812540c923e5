package io.auditkeeper.opensearch;

import java.io.IOException;

/**
 * OpenSearch answered a request with an error status. Carries the status so that callers can tell a refusal of the
 * credentials (401) or of the permissions (403) from an outage without parsing messages, whichever transport (HttpClient
 * 5 or AWS SigV4) reported it.
 */
public final class HttpStatusException extends IOException {
    private final int status;

    public HttpStatusException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
