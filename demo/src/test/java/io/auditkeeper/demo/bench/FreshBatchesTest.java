package io.auditkeeper.demo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.demo.CorpusFiles;
import io.auditkeeper.model.AuditJson;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class FreshBatchesTest {
    private static final CorpusFiles CORPUS = new CorpusFiles(
            java.nio.file.Path.of(System.getProperty("auditkeeper.corpus", "../testdata/corpus")));

    @Test
    void shouldMakeAnEventListOfCorpusEventsWithFreshAuditIdsStampedNow() throws Exception {
        FreshBatches batches = new FreshBatches(CORPUS);
        Instant before = Instant.now();

        JsonNode list = AuditJson.mapper().readTree(batches.next(400));

        assertThat(list.path("kind").asText()).isEqualTo("EventList");
        assertThat(list.path("items")).hasSize(400);
        Set<String> verbs = new HashSet<>();
        for (JsonNode e : list.path("items")) {
            assertThat(UUID.fromString(e.path("auditID").asText()).version()).as("a random UUID").isEqualTo(4);
            assertThat(e.path("stageTimestamp").asText()).isEqualTo(e.path("requestReceivedTimestamp").asText())
                    .as("the apiserver's MicroTime: UTC, six digits of fraction")
                    .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
            assertThat(Instant.parse(e.path("stageTimestamp").asText())).isBetween(before.minusSeconds(1),
                    Instant.now().plus(Duration.ofSeconds(1)));
            assertThat(e.path("stage").asText()).as("the corpus's own fields kept").isNotEmpty();
            verbs.add(e.path("verb").asText());
        }
        assertThat(verbs).as("events picked across the corpus").hasSizeGreaterThan(2);
    }

    @Test
    void shouldNeverRepeatAnAuditIdAcrossBatches() throws Exception {
        FreshBatches batches = new FreshBatches(CORPUS);
        Set<String> ids = new HashSet<>();

        for (int b = 0; b < 50; b++) {
            for (JsonNode e : AuditJson.mapper().readTree(batches.next(400)).path("items")) {
                assertThat(ids.add(e.path("auditID").asText())).as("auditID %s fresh", e.path("auditID").asText()).isTrue();
            }
        }
        assertThat(ids).hasSize(20_000);
    }
}
