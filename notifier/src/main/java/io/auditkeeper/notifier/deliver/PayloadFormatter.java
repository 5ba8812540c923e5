package io.auditkeeper.notifier.deliver;

import io.auditkeeper.notifier.config.ReceiverConfig;

/**
 * What a receiver of one type is sent for a notification: pure, so that the shape of each message is tested without
 * a network, and the same notification always gives the same bytes (a retry is the same request).
 */
public interface PayloadFormatter {
    Payload format(Notification n);

    static PayloadFormatter of(ReceiverConfig receiver) {
        return switch (receiver.type()) {
            case WEBHOOK -> new WebhookPayloadFormatter();
            case SLACK -> new SlackPayloadFormatter();
            case PAGERDUTY -> new PagerDutyPayloadFormatter(receiver.routingKey().orElseThrow());
        };
    }
}
