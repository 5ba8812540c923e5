package io.auditkeeper.notifier.deliver;

import io.auditkeeper.notifier.Severity;
import io.auditkeeper.notifier.config.AlertSource;

import java.util.Map;
import java.util.Optional;

/**
 * What a receiver is told, read from one record: an alert of {@code audit.alerts} or a flagged request of
 * {@code audit.phi-access}. {@code id} is the dedupe key every receiver gets (PagerDuty's {@code dedup_key}, the
 * webhook's {@code Idempotency-Key}, in Slack's text): the alert's {@code alertId}, which the stream-processor derives
 * from what it saw, so a replay or a resend carries the same one; for a flagged request
 * {@code phi-access/<cluster>/<auditID>}. {@code json} is the record's value as read, which the webhook sends unchanged.
 */
public record Notification(AlertSource source, String id, String type, Optional<Severity> severity, String cluster,
                           String actor, String timestamp, String summary, Map<String, Object> details, byte[] json) {
}
