package io.auditkeeper.archiver.index.retention;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deletes daily indices ({@code <prefix>-yyyy.MM.dd}) whose date, read from the name, is more than the retention
 * before today (UTC), for clusters without the ISM plugin (such as the local stack's node). Only names of exactly
 * that form are candidates, so {@code <prefix>-undated}, other prefixes and indices someone else created beside
 * ours are never touched, and today's index (the one being written) is never old enough. Each index is deleted by
 * its full name, never by a wildcard, which also works where {@code action.destructive_requires_name} is set.
 */
public final class DailyIndexRetention {
    private static final Logger LOG = LoggerFactory.getLogger(DailyIndexRetention.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu.MM.dd")
            .withResolverStyle(ResolverStyle.STRICT);

    private final OpenSearchCalls calls;
    private final String prefix;
    private final int retentionDays;
    private final Clock clock;

    /**
     * @param retentionDays at least 1: an index dated {@code today - retentionDays} or later is kept
     */
    public DailyIndexRetention(OpenSearchClient client, String prefix, int retentionDays, Clock clock) {
        if (retentionDays < 1) {
            throw new IllegalArgumentException("retention days must be at least 1: " + retentionDays);
        }
        this.calls = new OpenSearchCalls(Objects.requireNonNull(client, "client"));
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.retentionDays = retentionDays;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Deletes the expired daily indices; returns their names (an index gone meanwhile counts as deleted). */
    public List<String> run() throws IOException {
        OpenSearchCalls.Reply list = calls.call("GET", "/_cat/indices/" + prefix + "-*",
                Map.of("format", "json", "h", "index", "expand_wildcards", "open,closed"), null);
        if (list.status() == 404) {
            return List.of();
        }
        if (!list.ok()) {
            throw new IOException("listing " + prefix + "-* failed: " + list.status() + " " + list.body());
        }
        List<String> names = new ArrayList<>();
        for (JsonNode row : MAPPER.readTree(list.body())) {
            names.add(row.path("index").asText());
        }
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        List<String> deleted = new ArrayList<>();
        for (String index : expired(names, prefix, today, retentionDays)) {
            OpenSearchCalls.Reply reply = calls.call("DELETE", "/" + index, Map.of(), null);
            if (!reply.ok() && reply.status() != 404) {
                throw new IOException("deleting index " + index + " failed: " + reply.status() + " " + reply.body());
            }
            deleted.add(index);
            LOG.atInfo().addKeyValue("index", index).addKeyValue("retention_days", retentionDays)
                    .log("deleted daily index past the retention");
        }
        return deleted;
    }

    /**
     * The names among {@code indices} that are {@code <prefix>-yyyy.MM.dd} with a real date before
     * {@code today - retentionDays}, sorted.
     */
    static List<String> expired(Collection<String> indices, String prefix, LocalDate today, int retentionDays) {
        Pattern daily = Pattern.compile(Pattern.quote(prefix + "-") + "(\\d{4}\\.\\d{2}\\.\\d{2})");
        LocalDate cutoff = today.minusDays(retentionDays);
        List<String> out = new ArrayList<>();
        for (String index : indices) {
            Matcher m = daily.matcher(index);
            if (!m.matches()) {
                continue;
            }
            LocalDate day;
            try {
                day = LocalDate.parse(m.group(1), DAY);
            } catch (DateTimeParseException e) {
                continue;
            }
            if (day.isBefore(cutoff) && day.isBefore(today)) {
                out.add(index);
            }
        }
        out.sort(null);
        return out;
    }
}
