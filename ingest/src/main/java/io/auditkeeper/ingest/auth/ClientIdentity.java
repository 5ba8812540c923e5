package io.auditkeeper.ingest.auth;

/**
 * Who posted a batch, as recorded in the {@code auditkeeper.client} header: {@code mtls:<subject DN>},
 * {@code token:<name>}, or both joined by {@code +}. Never the token itself.
 */
public record ClientIdentity(String value) {
    @Override
    public String toString() {
        return value;
    }
}
