package io.auditkeeper.notifier.deliver;

import java.util.Map;

/**
 * The generic webhook: the record's JSON exactly as the stream-processor wrote it, so a receiver parses the documented
 * alert schema (docs/schema.md), with {@code Idempotency-Key: <id>} to fold a resend into the first delivery and
 * {@code X-Auditkeeper-Source} saying which topic it came from.
 */
public final class WebhookPayloadFormatter implements PayloadFormatter {
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String SOURCE = "X-Auditkeeper-Source";

    @Override
    public Payload format(Notification n) {
        return new Payload(n.json(), Map.of("Content-Type", Payload.JSON, IDEMPOTENCY_KEY, n.id(), SOURCE, n.source().code()));
    }
}
