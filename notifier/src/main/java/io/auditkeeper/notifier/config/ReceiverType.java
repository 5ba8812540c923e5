package io.auditkeeper.notifier.config;

import java.util.Locale;

/** The kinds of receiver: a generic HTTPS webhook, a Slack incoming webhook, PagerDuty Events API v2. */
public enum ReceiverType {
    WEBHOOK, SLACK, PAGERDUTY;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ReceiverType of(String code) {
        return valueOf(code.strip().toUpperCase(Locale.ROOT));
    }
}
