package io.auditkeeper.archiver;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.model.AuditJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a compliance officer finds in OpenSearch besides the events: the alerts in their own index, and for every
 * archived S3 object its manifest entry, so that a search hit on an event leads to the object that holds it.
 */
@ExtendWith(LocalStackExtension.class)
class SearchIndicesIT {
    @TempDir
    Path dir;

    @Test
    void shouldLeadFromAnIndexedEventToTheArchiveObjectThatHoldsItWhenSearchingTheArchiveIndex(LocalStack stack) throws Exception {
        ArchiverTestRun run = new ArchiverTestRun(dir, stack, stack.openSearchUrl(), stack.s3().endpoint().toString());
        try (ArchiverService archiver = run.start()) {
            run.send(0, 120);
            awaitAtLeast(() -> run.indexed(stack), 120);
            awaitAtLeast(() -> archiver.archivedRecords(), 120);

            JsonNode hit = first(run.search(run.prefix, "{\"query\":{\"term\":{\"auditID\":\"" + run.id + "-77\"}}}"));
            JsonNode event = hit.path("_source");
            assertThat(event.path("actor").asText()).isEqualTo("n77");
            assertThat(event.at("/record/topic").asText()).isEqualTo(run.topic);
            int partition = event.at("/record/partition").asInt();
            long offset = event.at("/record/offset").asLong();
            assertThat(partition).isEqualTo(77 % ArchiverTestRun.PARTITIONS);
            assertThat(offset).isEqualTo(77 / ArchiverTestRun.PARTITIONS);

            awaitAtLeast(() -> run.count(run.archiveIndex), 1);
            String query = "{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"topic\":\"" + run.topic + "\"}},"
                    + "{\"term\":{\"partition\":" + partition + "}},{\"range\":{\"firstOffset\":{\"lte\":" + offset + "}}},"
                    + "{\"range\":{\"lastOffset\":{\"gte\":" + offset + "}}}]}}}";
            awaitAtLeast(() -> total(run, query), 1);
            JsonNode entry = first(run.search(run.archiveIndex, query)).path("_source");
            assertThat(entry.path("retentionMode").asText()).isEqualTo("COMPLIANCE");

            S3Client s3 = stack.s3().client();
            byte[] gz = s3.getObjectAsBytes(b -> b.bucket(run.bucket).key(entry.path("key").asText())
                    .versionId(entry.path("versionId").asText())).asByteArray();
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("\"auditID\":\"" + run.id + "-77\"");
            }
        }
    }

    @Test
    void shouldIndexAnAlertOnceByItsIdWhenTheAlertIsReadTwice(LocalStack stack) throws Exception {
        ArchiverTestRun run = new ArchiverTestRun(dir, stack, stack.openSearchUrl(), stack.s3().endpoint().toString());
        try (ArchiverService archiver = run.start()) {
            run.sendAlert("alert-" + run.id, "mallory", List.of("a1", "a2", "a3", "a4"));
            run.sendAlert("alert-" + run.id, "mallory", List.of("a1", "a2", "a3", "a4"));
            run.sendAlert("other-" + run.id, "trudy", List.of("b1"));
            awaitAtLeast(() -> archiver.indexedDocuments(run.topic + ".alerts"), 3);

            assertThat(run.count(run.alertsIndex)).isEqualTo(2);
            JsonNode alert = first(run.search(run.alertsIndex, "{\"query\":{\"bool\":{\"filter\":["
                    + "{\"term\":{\"actor\":\"mallory\"}},{\"term\":{\"auditIDs\":\"a3\"}},"
                    + "{\"range\":{\"windowStart\":{\"gte\":\"2026-11-27T00:00:00Z\"}}}]}}}")).path("_source");
            assertThat(alert.path("alertId").asText()).isEqualTo("alert-" + run.id);
            assertThat(alert.path("count").asInt()).isEqualTo(4);
        }
    }

    private static long total(ArchiverTestRun run, String query) {
        try {
            return AuditJson.mapper().readTree(run.search(run.archiveIndex, query)).path("hits").path("total").path("value").asLong();
        } catch (Exception e) {
            return 0;
        }
    }

    private static JsonNode first(String searchResponse) throws Exception {
        JsonNode hits = AuditJson.mapper().readTree(searchResponse).path("hits").path("hits");
        assertThat(hits.size()).as(searchResponse).isGreaterThanOrEqualTo(1);
        return hits.get(0);
    }

    private static void awaitAtLeast(java.util.function.LongSupplier value, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (value.getAsLong() < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("got " + value.getAsLong() + " of " + expected);
            }
            Thread.sleep(200);
        }
    }
}
