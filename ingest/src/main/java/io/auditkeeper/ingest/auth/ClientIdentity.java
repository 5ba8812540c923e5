package io.auditkeeper.ingest.auth;

import java.util.List;

/**
 * Who posted a batch, as recorded in the {@code auditkeeper.client} header: {@code mtls:<subject DN>},
 * {@code token:<name>}, or both joined by {@code +}. Never the token itself.
 *
 * @param value the header's value
 * @param names what {@code auth.cluster-bindings} knows the client by: its certificate's CN (the whole subject when
 *              it has none) and its token's name, whichever it proved
 */
public record ClientIdentity(String value, List<String> names) {
    public ClientIdentity {
        names = List.copyOf(names);
    }

    @Override
    public String toString() {
        return value;
    }
}
