package io.auditkeeper.ingest.http;

import io.auditkeeper.ingest.auth.AuthenticationException;
import io.auditkeeper.ingest.auth.ClientAuthenticator;
import io.auditkeeper.ingest.auth.ClientIdentity;

/**
 * {@code auth.cluster-bindings} as every door applies it: a client posts only for the clusters it is bound to, and is
 * refused ({@code cluster-not-allowed}) before anything it sent is written, whichever way its credential came.
 */
public final class ClusterAccess {
    private final ClientAuthenticator authenticator;

    public ClusterAccess(ClientAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    public void check(ClientIdentity client, String cluster) throws WebhookException {
        try {
            authenticator.authorize(client, cluster);
        } catch (AuthenticationException e) {
            throw new WebhookException(e.status(), "cluster-not-allowed", e.getMessage());
        }
    }
}
