package io.auditkeeper.opensearch;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a request to OpenSearch may wait, so that an unreachable or stalled cluster ends a request with an error
 * instead of holding its caller: the indexer's consumer has to poll again within its {@code max.poll.interval.ms},
 * and an auditor's {@code report} should say that the cluster does not answer. Chosen here rather than left to the
 * transports, whose defaults differ (1 s and 30 s, or, once a TLS connection manager replaces the default one, 3
 * minutes to connect and no limit on an answer).
 *
 * @param connect the longest wait for a TCP connection
 * @param socket  the longest wait for the answer to a request, and for each packet of it
 */
public record OpenSearchTimeouts(Duration connect, Duration socket) {
    /**
     * 5 s to connect: longer than two lost SYNs (retransmitted after 1 s and 3 s), far shorter than an outage. 60 s
     * for an answer: a {@code _bulk} of 5 MiB on a cluster busy merging can take tens of seconds, and a request cut
     * short is sent again, doubling that cluster's work.
     */
    public static final OpenSearchTimeouts DEFAULTS = new OpenSearchTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(60));

    public OpenSearchTimeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(socket, "socket");
        if (connect.isNegative() || connect.isZero() || socket.isNegative() || socket.isZero()) {
            throw new IllegalArgumentException("OpenSearch timeouts must be positive: " + connect + ", " + socket);
        }
    }
}
