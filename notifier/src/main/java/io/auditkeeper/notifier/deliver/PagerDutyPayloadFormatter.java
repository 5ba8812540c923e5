package io.auditkeeper.notifier.deliver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.notifier.Severity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A PagerDuty Events API v2 {@code trigger}: {@code routing_key}, {@code dedup_key} (the alert id, so a resend or a
 * replay updates the same incident instead of opening another), and {@code payload} with {@code summary} (at most
 * 1024 characters), {@code source} (the cluster), {@code severity} (critical, error, warning, info: PagerDuty's four,
 * from critical, high, medium, low; an unknown severity pages as error), {@code timestamp}, {@code component},
 * {@code group}, {@code class} and the whole alert in {@code custom_details}.
 */
public final class PagerDutyPayloadFormatter implements PayloadFormatter {
    private static final ObjectMapper JSON = AuditJson.mapper();

    private final String routingKey;

    public PagerDutyPayloadFormatter(String routingKey) {
        this.routingKey = routingKey;
    }

    static String severity(Severity s) {
        return switch (s) {
            case CRITICAL -> "critical";
            case HIGH -> "error";
            case MEDIUM -> "warning";
            case LOW -> "info";
        };
    }

    @Override
    public Payload format(Notification n) {
        ObjectNode root = JSON.createObjectNode();
        root.put("routing_key", routingKey);
        root.put("event_action", "trigger");
        root.put("dedup_key", n.id());
        root.put("client", "Audit Keeper");
        ObjectNode p = root.putObject("payload");
        p.put("summary", n.summary().length() <= 1024 ? n.summary() : n.summary().substring(0, 1023) + "…");
        p.put("source", n.cluster() == null ? "auditkeeper" : n.cluster());
        p.put("severity", n.severity().map(PagerDutyPayloadFormatter::severity).orElse("error"));
        if (n.timestamp() != null) {
            p.put("timestamp", n.timestamp());
        }
        p.put("component", "auditkeeper-" + n.source().code());
        p.put("group", n.cluster() == null ? "auditkeeper" : n.cluster());
        p.put("class", n.type());
        p.set("custom_details", JSON.valueToTree(n.details()));
        try {
            return new Payload(JSON.writeValueAsBytes(root), Map.of("Content-Type", Payload.JSON));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
