package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.evidence.manifest.ManifestSigner;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.opensearch.client.opensearch.OpenSearchClient;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.auditkeeper.cli.investigate.ReportFixture.MAPPER;
import static io.auditkeeper.cli.investigate.ReportFixture.csv;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A period older than the hot retention, on the local stack: the report's events indexed and archived (the fixture of
 * {@code ReportCommandIT}); then the day's hot index is deleted, as retention does. The report then says the day is
 * not in OpenSearch instead of showing empty tables; {@code rehydrate} refuses to index objects that fail
 * verification, indexes the verified ones into rehydrated indices, idempotently; and the report of the day has the
 * rows it had before.
 */
@ExtendWith(LocalStackExtension.class)
class RehydrateCommandIT {
    private static final List<String> EVENT_SECTIONS = List.of("phi-access-by-actor", "phi-access", "denied", "changes",
            "alerts");

    @TempDir
    Path dir;

    @Test
    void shouldReportTheSameRowsAfterTheDaysIndexIsDeletedAndTheDayIsRehydratedFromTheVerifiedArchive(LocalStack stack)
            throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(2);
        String d = day.toString();
        String dayIndex = day.toString().replace('-', '.');
        List<ObjectNode> events = ReportFixture.events(id, day);
        String hot = "akreh-" + id;
        String rehydrated = "akrehr-" + id;
        String alerts = "akreha-" + id;
        ReportFixture.index(stack, events, hot, alerts, id);
        TestArchive archived = TestArchive.write(stack, dir, "rehydrate", 1, ReportFixture.records(events), 100, true);
        List<String> report = List.of(archived.args(List.of("report", "--from", d, "--to", d,
                "--events-index", hot, "--alerts-index", alerts, "--rehydrated-prefix", rehydrated, "--opensearch",
                stack.openSearchUrl()), "--public-key", archived.publicKey().toString(), "--dead-letter-topic",
                archived.deadLetterTopic()));
        String[] rehydrate = archived.args(List.of("rehydrate", "--from", d, "--to", d,
                "--opensearch", stack.openSearchUrl(), "--index-prefix", rehydrated, "--replicas", "0",
                "--retention-days", "7"));
        OpenSearchRest rest = new OpenSearchRest(OpenSearchClientFactory.create(
                OpenSearchConnection.of(URI.create(stack.openSearchUrl()))));

        CliRun before = CliRun.of(with(report, "--out", dir.resolve("before").toString()));
        assertThat(before.code()).as(before.out() + before.err()).isZero();
        assertThat(before.out()).doesNotContain("NOT IN OPENSEARCH");
        assertThat(csv(dir.resolve("before"), "phi-access")).hasSize(5);

        assertThat(rest.json("DELETE", "/" + hot + "-" + dayIndex, Map.of(), null).ok()).isTrue();
        CliRun gone = CliRun.of(with(report, "--out", dir.resolve("gone").toString()));
        assertThat(gone.code()).as(gone.out() + gone.err()).isZero();
        String notIndexed = "events of " + d + " are not in OpenSearch (older than the hot retention)";
        assertThat(gone.out()).contains("NOT IN OPENSEARCH: " + notIndexed)
                .contains("'auditkeeper rehydrate --from " + d + " --to " + d + "'")
                .contains("archive verification: OK");
        String html = Files.readString(dir.resolve("gone").resolve("report.html"));
        assertThat(html).contains(notIndexed).contains("No rows from the days OpenSearch holds")
                .doesNotContain("No flagged requests in the period.");
        assertThat(html.substring(html.indexOf("<h2 id=\"phi-access\">"), html.indexOf("<h2 id=\"alerts\">")))
                .as("no empty table that reads as nothing happened").doesNotContain("None in the period.");
        JsonNode json = MAPPER.readTree(dir.resolve("gone").resolve("report.json").toFile());
        assertThat(json.path("about").path("Days in OpenSearch").asText()).startsWith("NOT ALL: " + notIndexed);
        for (JsonNode section : json.path("sections")) {
            if (List.of("phi-access-by-actor.csv", "phi-access.csv", "denied.csv", "changes.csv")
                    .contains(section.path("file").asText())) {
                assertThat(section.path("rows")).as(section.path("file").asText()).isEmpty();
                assertThat(section.path("warning").asText()).startsWith(notIndexed);
            }
        }

        // an archive whose objects do not verify with the key given: nothing of them is indexed
        Path otherKey = dir.resolve("other.pub.pem");
        ManifestSigner.generate(dir.resolve("other.pem"), otherKey);
        CliRun refused = CliRun.of(with(List.of(rehydrate), "--public-key", otherKey.toString()));
        assertThat(refused.code()).as(refused.out() + refused.err()).isEqualTo(1);
        assertThat(refused.err()).contains("SKIPPED ").contains("BAD_SIGNATURE")
                .contains("FAILED: 1 of 1 objects failed verification and were not indexed");
        assertThat(refused.out()).contains("objects: 1 verified and read: 0, failed: 1");
        assertThat(rest.json("GET", "/" + rehydrated + "-*/_count", Map.of(), null).body()).contains("\"count\":0");

        String[] verified = with(List.of(rehydrate), "--public-key", archived.publicKey().toString());
        CliRun first = CliRun.of(verified);
        CliRun again = CliRun.of(verified);
        for (CliRun run : List.of(first, again)) {
            assertThat(run.code()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains("  " + d + " " + rehydrated + "-" + dayIndex + ": 6 events indexed")
                    .contains("objects: 1 verified and read: 1, failed: 0")
                    .contains("retention: ");
        }
        assertThat(count(rest, rehydrated + "-" + dayIndex)).as("the same ids: a second run overwrites").isEqualTo(6);
        JsonNode meta = MAPPER.readTree(rest.json("GET", "/" + rehydrated + "-" + dayIndex + "/_mapping", Map.of(), null)
                .body()).path(rehydrated + "-" + dayIndex).path("mappings").path("_meta").path("auditkeeper");
        assertThat(meta.path("retentionDays").asInt()).isEqualTo(7);
        assertThat(meta.path("rehydratedAt").asText()).isNotEmpty();

        Path proof = dir.resolve("proof.json");
        CliRun prove = CliRun.of(archived.args(List.of("prove"), "--audit-id", id + "-s1", "--stage", "ResponseComplete",
                "--opensearch", stack.openSearchUrl(), "--events-index", hot, "--rehydrated-prefix", rehydrated,
                "--public-key", archived.publicKey().toString(), "--out", proof.toString()));
        assertThat(prove.code()).as("found through its rehydrated record: " + prove.out() + prove.err()).isZero();
        assertThat(prove.err()).doesNotContain("OpenSearch");
        assertThat(CliRun.of("verify-proof", proof.toString(), "--public-key", archived.publicKey().toString()).code())
                .isZero();

        CliRun after = CliRun.of(with(report, "--out", dir.resolve("after").toString()));
        assertThat(after.code()).as(after.out() + after.err()).isZero();
        assertThat(after.out()).doesNotContain("NOT IN OPENSEARCH");
        for (String section : EVENT_SECTIONS) {
            assertThat(csv(dir.resolve("after"), section)).as(section).isEqualTo(csv(dir.resolve("before"), section));
        }
    }

    private static long count(OpenSearchRest rest, String index) throws Exception {
        return MAPPER.readTree(rest.json("GET", "/" + index + "/_count", Map.of(), null).body()).path("count").asLong();
    }

    private static String[] with(List<String> args, String... more) {
        List<String> a = new ArrayList<>(args);
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }
}
