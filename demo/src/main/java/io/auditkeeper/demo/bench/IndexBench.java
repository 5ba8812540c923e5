package io.auditkeeper.demo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditkeeper.archiver.ArchiverService;
import io.auditkeeper.archiver.config.ArchiverConfig;
import io.auditkeeper.archiver.index.IndexListener;
import io.auditkeeper.archiver.index.IndexWriterLoop;
import io.auditkeeper.archiver.index.OpenSearchIndexer;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The index side of {@code bench archiver}: the real {@link IndexWriterLoop} (poll, bulk with per-item results,
 * dead-letter check, offset commit) over a pre-loaded topic, and then plain {@code _bulk} requests of the same
 * documents, in batches of the sizes the writer's polls had, through the same client, into indices with the same
 * template: the floor the writer is compared with.
 */
final class IndexBench {
    /** A measured run: documents, bulk requests and the seconds it took. */
    record Run(long documents, int requests, double seconds) {
        double rate() {
            return documents / seconds;
        }
    }

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy.MM.dd");

    private final ArchiverConfig config;
    private final OpenSearchClient client;

    IndexBench(ArchiverConfig config) {
        this.config = config;
        this.client = OpenSearchClientFactory.create(config.openSearchConnection(), config.openSearchTimeouts());
    }

    private OpenSearchIndexer indexer(String indexPrefix) throws Exception {
        OpenSearchIndexer indexer = new OpenSearchIndexer(client, OpenSearchIndexer.Settings.defaults()
                .withIndexPrefix(indexPrefix).withReplicas(config.replicas()));
        indexer.ensureTemplate();
        return indexer;
    }

    /**
     * Indexes {@code expected} records of {@code topic} into {@code indexPrefix} with a fresh consumer group, timed
     * from the first poll that sees the partitions' ends; {@code batchSizes} receives the documents of each poll.
     */
    Run index(String topic, String indexPrefix, long expected, List<Integer> batchSizes) throws Exception {
        OpenSearchIndexer indexer = indexer(indexPrefix);
        boolean[] started = {false};
        IndexListener listener = new IndexListener() {
            @Override
            public void indexed(String topic, int documents) {
                batchSizes.add(documents);
            }

            @Override
            public void lag(Map<TopicPartition, Long> lagByPartition) {
                started[0] |= !lagByPartition.isEmpty();
            }
        };
        Map<String, Object> producer = Map.of("bootstrap.servers", config.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> deadLetters = new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer());
             IndexWriterLoop loop = new IndexWriterLoop(new KafkaConsumer<>(ArchiverService.consumerProperties(config, "bench-" + indexPrefix),
                     new ByteArrayDeserializer(), new ByteArrayDeserializer()), indexer, deadLetters, Map.of(topic, indexer.events()),
                     config.deadLetterTopic(), Duration.ofSeconds(1), listener)) {
            loop.subscribe();
            long t0 = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (loop.indexed() < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("indexed only " + loop.indexed() + " of " + expected);
                }
                long before = System.nanoTime();
                loop.runOnce();
                if (t0 == 0 && started[0]) {
                    t0 = before;
                }
            }
            return new Run(loop.indexed(), batchSizes.size(), (System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * The NDJSON bodies of plain bulk requests for {@code events}, cut into {@code batchSizes}, with the ids and daily
     * index names the indexer gives them (built before the timing).
     */
    List<byte[]> bulkBodies(List<byte[]> events, List<Integer> batchSizes, String indexPrefix) throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        int next = 0;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int size : batchSizes) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < size && next < events.size(); i++, next++) {
                byte[] source = events.get(next);
                JsonNode e = AuditJson.mapper().readTree(source);
                String id = HexFormat.of().formatHex(sha.digest((e.path("cluster").asText() + "\n" + e.path("auditID").asText()
                        + "\n" + e.path("stage").asText()).getBytes(StandardCharsets.UTF_8)));
                String time = e.hasNonNull("timestamp") ? e.path("timestamp").asText() : e.path("receivedAt").asText(null);
                String day = time == null ? "undated"
                        : OffsetDateTime.parse(time).withOffsetSameInstant(ZoneOffset.UTC).format(DAY);
                out.writeBytes(("{\"index\":{\"_index\":\"" + indexPrefix + "-" + day + "\",\"_id\":\"" + id + "\"}}\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.writeBytes(source);
                out.write('\n');
            }
            bodies.add(out.toByteArray());
        }
        return bodies;
    }

    /** Sends the bodies one after the other, as the writer does, with the same query the indexer sends. */
    Run plainBulk(List<byte[]> bodies, String indexPrefix, long documents) throws Exception {
        indexer(indexPrefix);
        Map<String, String> query = Map.of("filter_path", "errors,items.*._id,items.*._index,items.*.status,items.*.error");
        long t0 = System.nanoTime();
        for (byte[] body : bodies) {
            try (Response r = client.generic().execute(Requests.builder().method("POST").endpoint("/_bulk").query(query)
                    .body(Body.from(body, "application/x-ndjson")).build())) {
                String answer = r.getBody().map(Body::bodyAsString).orElse("");
                if (r.getStatus() != 200 || !answer.startsWith("{\"errors\":false")) {
                    throw new IllegalStateException("plain bulk failed: " + r.getStatus() + " "
                            + answer.substring(0, Math.min(300, answer.length())));
                }
            }
        }
        return new Run(documents, bodies.size(), (System.nanoTime() - t0) / 1e9);
    }
}
