package io.auditkeeper.archiver.index.retention;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against the local stack's OpenSearch, which has no ISM plugin: the retention notices that, and the archiver's own
 * deletion removes exactly the daily indices older than the retention.
 */
@ExtendWith(LocalStackExtension.class)
class HotIndexRetentionIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy.MM.dd");
    /**
     * The test's "now", fixed: the index names are computed from it and the retention runs on it, so a run that spans
     * midnight UTC cannot compute "today" twice differently. Half a second before midnight on purpose: with the
     * system clock the second run would already see tomorrow.
     */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-14T23:59:59.500Z"), ZoneOffset.UTC);

    @Test
    void shouldDeleteExactlyTheDailyIndicesOlderThanTheRetentionWhenRun(LocalStack stack) throws Exception {
        OpenSearchClient client = client(stack);
        OpenSearchCalls calls = new OpenSearchCalls(client);
        String prefix = "ak-ret-" + UUID.randomUUID().toString().substring(0, 8);
        LocalDate today = LocalDate.now(CLOCK);
        List<String> old = List.of(day(prefix, today.minusDays(31)), day(prefix, today.minusDays(400)));
        List<String> kept = List.of(day(prefix, today), day(prefix, today.minusDays(1)), day(prefix, today.minusDays(30)),
                prefix + "-undated", prefix + "-notes-" + today.minusDays(400).format(DAY));
        for (String index : concat(old, kept)) {
            assertThat(calls.call("PUT", "/" + index, Map.of(), "{\"settings\":{\"number_of_replicas\":0}}".getBytes())
                    .ok()).as(index).isTrue();
        }

        List<String> deleted = new DailyIndexRetention(client, prefix, 30, CLOCK).run();

        assertThat(deleted).containsExactlyInAnyOrderElementsOf(old);
        assertThat(indices(calls, prefix)).containsExactlyInAnyOrderElementsOf(kept);
        assertThat(new DailyIndexRetention(client, prefix, 30, CLOCK).run()).isEmpty();
    }

    @Test
    void shouldFallBackToTheArchiversDeletionWhenTheClusterHasNoIsmPlugin(LocalStack stack) throws Exception {
        OpenSearchClient client = client(stack);
        String prefix = "ak-ret-" + UUID.randomUUID().toString().substring(0, 8);

        try (HotIndexRetention retention = new HotIndexRetention(client, prefix, 30, Duration.ofHours(1), CLOCK)) {
            assertThat(retention.start()).isEqualTo(HotIndexRetention.Mode.ARCHIVER);
        }
        try (HotIndexRetention off = new HotIndexRetention(client, prefix, 0, Duration.ofHours(1), CLOCK)) {
            assertThat(off.start()).isEqualTo(HotIndexRetention.Mode.OFF);
        }
    }

    private static OpenSearchClient client(LocalStack stack) {
        return OpenSearchClientFactory.create(OpenSearchConnection.of(URI.create(stack.openSearchUrl())));
    }

    private static String day(String prefix, LocalDate date) {
        return prefix + "-" + date.format(DAY);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static TreeSet<String> indices(OpenSearchCalls calls, String prefix) throws Exception {
        OpenSearchCalls.Reply reply = calls.call("GET", "/_cat/indices/" + prefix + "-*",
                Map.of("format", "json", "h", "index"), null);
        TreeSet<String> names = new TreeSet<>();
        for (JsonNode row : MAPPER.readTree(reply.body())) {
            names.add(row.path("index").asText());
        }
        return names;
    }
}
