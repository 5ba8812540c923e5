package io.auditkeeper.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.localstack.DevPki;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackExtension;
import io.auditkeeper.model.AuditHeaders;
import io.auditkeeper.model.AuditTopics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.auditkeeper.ingest.IngestHarness.header;
import static io.auditkeeper.ingest.IngestHarness.readCluster;
import static io.auditkeeper.ingest.IngestHarness.uniqueCluster;
import static io.auditkeeper.ingest.IngestHarness.uri;
import static io.auditkeeper.ingest.WebhookLimitsIT.paddedEvent;
import static io.auditkeeper.ingest.WebhookLimitsIT.sha256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook's answers against what the apiserver does with them: each kind of bad input is posted by a client that
 * resends exactly when the apiserver's {@code DefaultShouldRetry} does ({@link DefaultShouldRetryClient}), and every
 * event sent is then looked for. None may be lost without the dead-letter topic saying so: an event is in
 * {@code audit.raw}, or in a dead-letter record that keeps it, or (only for a body over the hard cap) in one that
 * identifies its batch by size and SHA-256 and says why it was not kept.
 */
@ExtendWith(LocalStackExtension.class)
class WebhookContractIT {
    private static final int MAX_BODY = 64 * 1024;
    private static final int MAX_EVENTS = 5;
    private static final int MAX_EVENT = 8 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static String bootstrap;
    private static IngestService service;
    private static DefaultShouldRetryClient apiserver;

    private static final String RAW = "audit.raw";
    private static final String KEPT = "audit.dlq, content kept";
    private static final String SUMMARY = "audit.dlq event-too-large: metadata, size, SHA-256";
    private static final String BATCH_RECORDED = "audit.dlq batch-too-large: the batch's size and SHA-256";
    private static final String LOST = "lost without a record";

    @BeforeAll
    static void start(LocalStack stack) throws Exception {
        bootstrap = stack.kafkaBootstrap();
        DevPki pki = DevPki.create(IngestHarness.target("pki-contract"));
        Map<String, Object> settings = IngestHarness.settings(pki, bootstrap);
        settings.put("limits.max-body-bytes", Integer.toString(MAX_BODY));
        settings.put("limits.max-events-per-batch", Integer.toString(MAX_EVENTS));
        settings.put("limits.max-event-bytes", Integer.toString(MAX_EVENT));
        service = IngestHarness.start(settings);
        apiserver = new DefaultShouldRetryClient(IngestHarness.client(pki.clientSslContext(pki.clientCert(), pki.clientKey())),
                Duration.ofMillis(50));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void shouldLoseNoEventOfABatchWithOneOversizeEventAmongGoodOnes() throws Exception {
        String cluster = uniqueCluster("contract-event");
        List<byte[]> events = new ArrayList<>(events("ev", 4, 300));
        events.add(2, paddedEvent("ev-big", MAX_EVENT + 1));
        byte[] body = Corpus.eventList(events);

        DefaultShouldRetryClient.Outcome outcome = apiserver.post(uri(service, cluster), body);

        assertThat(outcome.delivered()).as("answers %s", outcome.statuses()).isTrue();
        assertThat(outcome.statuses()).containsExactly(200);
        Map<String, String> fates = fates(cluster, events, body);
        Map<String, String> expected = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            expected.put("ev-" + i, RAW);
        }
        expected.put("ev-big", SUMMARY);
        assertThat(fates).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void shouldLoseNoEventOfABatchWithMoreItemsThanMaxEventsPerBatch() throws Exception {
        String cluster = uniqueCluster("contract-count");
        List<byte[]> events = events("many", 3 * MAX_EVENTS + 2, 200);
        byte[] body = Corpus.eventList(events);

        DefaultShouldRetryClient.Outcome outcome = apiserver.post(uri(service, cluster), body);

        assertThat(outcome.delivered()).as("answers %s", outcome.statuses()).isTrue();
        assertThat(outcome.statuses()).containsExactly(200);
        assertThat(fates(cluster, events, body)).hasSize(events.size()).allSatisfy((id, fate) -> assertThat(fate).isEqualTo(RAW));
    }

    @Test
    void shouldRecordTheLossOfABodyAboveTheHardCapInTheDeadLetterTopic() throws Exception {
        String cluster = uniqueCluster("contract-cap");
        List<byte[]> events = events("cap", 40, 2000);
        byte[] body = Corpus.eventList(events);
        assertThat(body.length).isGreaterThan(MAX_BODY);

        DefaultShouldRetryClient.Outcome outcome = apiserver.post(uri(service, cluster), body);

        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.statuses()).as("413 is not resent: the batch would never fit").containsExactly(413);
        assertThat(fates(cluster, events, body)).hasSize(events.size())
                .allSatisfy((id, fate) -> assertThat(fate).isEqualTo(BATCH_RECORDED));
        assertThat(readCluster(bootstrap, AuditTopics.DEAD_LETTER, cluster)).singleElement().satisfies(rec -> {
            assertThat(header(rec, AuditHeaders.DLQ_DETAIL)).contains("limits.max-body-bytes").contains("not kept");
            assertThat(header(rec, AuditHeaders.CLUSTER)).isEqualTo(cluster);
        });
    }

    @Test
    void shouldKeepAMalformedBodyInTheDeadLetterTopicWhenTheApiserverDropsIt() throws Exception {
        String cluster = uniqueCluster("contract-malformed");
        List<byte[]> events = events("bad", 3, 200);
        byte[] whole = Corpus.eventList(events);
        byte[] body = Arrays.copyOf(whole, whole.length - 2);

        DefaultShouldRetryClient.Outcome outcome = apiserver.post(uri(service, cluster), body);

        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.statuses()).as("400 is not resent").containsExactly(400);
        assertThat(fates(cluster, events, body)).hasSize(events.size()).allSatisfy((id, fate) -> assertThat(fate).isEqualTo(KEPT));
    }

    /**
     * Where each event of a body posted for the cluster ended up, by auditID: in {@code audit.raw} byte for byte, in a
     * dead-letter record that keeps its content or its summary, only in the record of a refused batch, or nowhere.
     */
    private static Map<String, String> fates(String cluster, List<byte[]> events, byte[] body) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> raw = readCluster(bootstrap, AuditTopics.RAW, cluster);
        List<ConsumerRecord<byte[], byte[]>> dlq = readCluster(bootstrap, AuditTopics.DEAD_LETTER, cluster);
        String bodySha = sha256(body);
        Map<String, String> fates = new LinkedHashMap<>();
        for (byte[] event : events) {
            String id = MAPPER.readTree(event).get("auditID").asText();
            String eventSha = sha256(event);
            String fate = LOST;
            if (raw.stream().anyMatch(r -> id.equals(key(r)) && Arrays.equals(r.value(), event))) {
                fate = RAW;
            } else if (dlq.stream().anyMatch(r -> Arrays.equals(r.value(), body) || Arrays.equals(r.value(), event))) {
                fate = KEPT;
            } else if (dlq.stream().anyMatch(r -> "event-too-large".equals(header(r, AuditHeaders.DLQ_REASON))
                    && id.equals(key(r)) && eventSha.equals(json(r).path("sha256").asText()))) {
                fate = SUMMARY;
            } else if (dlq.stream().anyMatch(r -> "batch-too-large".equals(header(r, AuditHeaders.DLQ_REASON))
                    && bodySha.equals(json(r).path("sha256").asText()))) {
                fate = BATCH_RECORDED;
            }
            fates.put(id, fate);
        }
        return fates;
    }

    /** {@code n} events of about {@code size} bytes each, auditIDs {@code prefix-0...}. */
    private static List<byte[]> events(String prefix, int n, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(paddedEvent(prefix + "-" + i, size));
        }
        return out;
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }

    private static JsonNode json(ConsumerRecord<byte[], byte[]> r) {
        try {
            return MAPPER.readTree(r.value());
        } catch (Exception notJson) {
            return MAPPER.createObjectNode();
        }
    }
}
