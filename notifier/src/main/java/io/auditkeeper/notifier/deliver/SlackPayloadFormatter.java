package io.auditkeeper.notifier.deliver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.model.AuditJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * A Slack incoming-webhook message: {@code text} (what notifications and clients without blocks show: severity,
 * summary and the alert id, so that a person can search for the id, which is also the dedupe key elsewhere) and
 * {@code blocks} (a header, the summary, the fields an on-call person looks at first, the id in a context line). Text
 * is escaped for Slack's mrkdwn ({@code & < >}), so an actor's name cannot form a link or a mention.
 */
public final class SlackPayloadFormatter implements PayloadFormatter {
    private static final ObjectMapper JSON = AuditJson.mapper();
    private static final int MAX_SECTION = 2900;

    @Override
    public Payload format(Notification n) {
        String severity = n.severity().map(s -> s.code()).orElse("unknown");
        ObjectNode root = JSON.createObjectNode();
        root.put("text", "[" + severity + "] " + escape(n.summary()) + " (alert id " + n.id() + ")");
        ArrayNode blocks = root.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", limit("Audit Keeper " + n.type() + " (" + severity + ")", 150));
        blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text", limit(escape(n.summary()), MAX_SECTION));
        ArrayNode fields = blocks.addObject().put("type", "section").putArray("fields");
        for (Map.Entry<String, String> f : List.of(
                Map.entry("Cluster", String.valueOf(n.cluster())), Map.entry("Actor", String.valueOf(n.actor())),
                Map.entry("Severity", severity), Map.entry("When", String.valueOf(n.timestamp())))) {
            fields.addObject().put("type", "mrkdwn").put("text", "*" + f.getKey() + "*\n" + limit(escape(f.getValue()), 1900));
        }
        blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
                .put("text", "alert id `" + escape(n.id()) + "` · " + n.source().code());
        try {
            return new Payload(JSON.writeValueAsBytes(root), Map.of("Content-Type", Payload.JSON));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String limit(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
