package io.auditkeeper.cli.investigate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.auditkeeper.evidence.manifest.ManifestEntry;
import io.auditkeeper.evidence.manifest.ManifestFormatException;
import io.auditkeeper.evidence.manifest.ManifestKeyException;
import io.auditkeeper.evidence.store.ManifestReader;
import io.auditkeeper.evidence.store.S3ObjectStore;
import io.auditkeeper.model.AuditTopics;
import io.auditkeeper.model.ClusterNames;
import io.auditkeeper.opensearch.ConnectionErrors;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
import io.auditkeeper.opensearch.schema.EventDocumentIds;
import io.auditkeeper.opensearch.schema.EventIndexTemplate;
import io.auditkeeper.opensearch.schema.EventIndexNames;
import org.opensearch.client.opensearch.OpenSearchClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code auditkeeper rehydrate}: makes a period older than the hot retention searchable again. The archived events of
 * the period are read from S3 and each object is verified against its signed manifest entry exactly as
 * {@code replay archive} does ({@link ArchiveReplay}); only verified objects are indexed, into indices of their own
 * ({@code audit-rehydrated-events-yyyy.MM.dd}, the hot indices' mapping, the same document ids, so that a second run
 * overwrites), which {@code report} and the documented queries search next to the hot ones. An object that fails is
 * named and not indexed; the others are, and the exit code is 1. The indices are removed after
 * {@code --retention-days} ({@link RehydratedIndices}).
 */
@Command(name = "rehydrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Index the archived events of a period into OpenSearch again, for a period older than the hot"
                + " indices' retention: each archived object is verified against its signed manifest entry (as"
                + " 'replay archive' does) before its events are indexed into <index-prefix>-yyyy.MM.dd, with the hot"
                + " indices' mapping and document ids (running it twice overwrites). 'report' and the documented"
                + " queries search these indices next to the hot ones; they are deleted after --retention-days.",
                "Prints the events indexed per day. An object that fails verification is named on stderr and not"
                        + " indexed; the others are."},
        footer = {"%nExit codes: 0 every object of the period verified and every event indexed, 1 an object failed"
                + " verification or OpenSearch refused a document (named on stderr; the rest was indexed), 2 usage or"
                + " configuration error, 3 S3 or OpenSearch unreachable or refused the request."})
public final class RehydrateCommand implements Callable<Integer> {
    private static final String NAME = "auditkeeper rehydrate: ";
    private static final int BULK_DOCS = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "<date|instant>",
            description = "Start of the period (event times): 2025-03-01 or 2025-03-01T08:00:00Z.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "<date|instant>",
            description = "End of the period, exclusive; a date includes that whole day (UTC).")
    String to;

    @Option(names = "--cluster", paramLabel = "<name>",
            description = "Only this cluster's events (repeatable). Default: all clusters.")
    List<String> clusters = new ArrayList<>();

    @Mixin
    S3Options s3Options;

    @Option(names = "--topic", defaultValue = AuditTopics.EVENTS, description = "Archived topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--public-key", paramLabel = "<pem>",
            description = "The manifest public key (PEM) held outside the bucket. Default: the bucket's own"
                    + " [<prefix>/]manifests/public-key.pem, which proves less.")
    Path publicKey;

    @Mixin
    OpenSearchOptions openSearchOptions;

    @Option(names = "--index-prefix", defaultValue = EventIndexNames.REHYDRATED_PREFIX, paramLabel = "<prefix>",
            description = "Prefix of the rehydrated daily indices (default ${DEFAULT-VALUE}); 'report"
                    + " --rehydrated-prefix' must name the same.")
    String indexPrefix;

    @Option(names = "--retention-days", defaultValue = "30", paramLabel = "<days>",
            description = "Delete each rehydrated index this many days after it was created (default"
                    + " ${DEFAULT-VALUE}): by an ISM policy, or, without the ISM plugin, by the next rehydrate run.")
    int retentionDays;

    @Option(names = "--replicas", defaultValue = "1", paramLabel = "<n>",
            description = "Replicas of each rehydrated index (default ${DEFAULT-VALUE}; 0 on a single node).")
    int replicas;

    @Option(names = "--doc-id-bloom-filter", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Give each rehydrated index a Bloom filter over _id, which speeds up loading (default"
                    + " ${DEFAULT-VALUE}); --no-doc-id-bloom-filter for OpenSearch before 2.13, which refuses it.")
    boolean docIdBloomFilter;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TimeWindow window;
        OpenSearchConnection connection;
        try {
            window = TimeWindow.parse(from, to);
            for (String c : clusters) {
                if (!ClusterNames.isValid(c)) {
                    throw new IllegalArgumentException("--cluster '" + c + "': " + ClusterNames.RULE);
                }
            }
            if (retentionDays < 1 || retentionDays > 3650) {
                throw new IllegalArgumentException("--retention-days must be 1 to 3650");
            }
            if (replicas < 0) {
                throw new IllegalArgumentException("--replicas must not be negative");
            }
            if (indexPrefix.isBlank() || !indexPrefix.equals(indexPrefix.toLowerCase(Locale.ROOT))
                    || indexPrefix.equals(EventIndexNames.HOT_PREFIX) || indexPrefix.contains("*")
                    || indexPrefix.contains(",")) {
                throw new IllegalArgumentException("--index-prefix must be a lowercase name other than the hot"
                        + " indices' (" + EventIndexNames.HOT_PREFIX + "): " + indexPrefix);
            }
            connection = openSearchOptions.connection();
        } catch (IllegalArgumentException e) {
            err.println(NAME + e.getMessage());
            return ExitCodes.USAGE;
        }
        OpenSearchClient client = null;
        try (S3Client s3 = s3Options.client()) {
            PublicKeySource key = PublicKeySource.load(publicKey, s3, s3Options.bucket(), s3Options.layout());
            if (key.fromBucket()) {
                err.println(key.warning("rehydrate", "verifying the archive"));
            }
            ArchiveReplay replay = new ArchiveReplay(new ManifestReader(s3, s3Options.bucket(), s3Options.layout()),
                    new ArchivedObjectCheck(key.verifier(), new S3ObjectStore(s3, s3Options.bucket())));
            List<Integer> partitions = replay.partitions(topic);
            if (partitions.isEmpty()) {
                err.println(NAME + "no archive of topic " + topic + " in s3://" + s3Options.bucket() + "/"
                        + s3Options.keyPrefix() + " (no manifests/" + topic + "/)");
                return ExitCodes.USAGE;
            }
            client = OpenSearchClientFactory.create(connection);
            return rehydrate(replay, partitions, window, new OpenSearchRest(client), out, err);
        } catch (ManifestFormatException e) {
            err.println(NAME + "a manifest of " + topic + " cannot be read: " + e.getMessage());
            return ExitCodes.PROBLEMS;
        } catch (IllegalArgumentException | ManifestKeyException e) {
            err.println(NAME + e.getMessage());
            return ExitCodes.USAGE;
        } catch (SdkException e) {
            return s3Options.failure(e, err, NAME);
        } catch (IOException e) {
            err.println(NAME + "OpenSearch at " + connection.url() + ": " + ConnectionErrors.describe(e));
            return ExitCodes.UNREACHABLE;
        } catch (Exception e) {
            err.println(NAME + e);
            return ExitCodes.UNREACHABLE;
        } finally {
            if (client != null) {
                try {
                    client._transport().close();
                } catch (Exception e) {
                    // done with it
                }
            }
        }
    }

    private int rehydrate(ArchiveReplay replay, List<Integer> partitions, TimeWindow window, OpenSearchRest rest,
                          PrintWriter out, PrintWriter err) throws Exception {
        Instant now = Instant.now();
        RehydratedIndices indices = new RehydratedIndices(rest, indexPrefix,
                new EventIndexTemplate.Options(replicas, docIdBloomFilter), retentionDays,
                "s3://" + s3Options.bucket() + "/" + s3Options.keyPrefix() + " topic " + topic);
        indices.putTemplate();
        String retention = indices.applyRetention(now);
        BulkLoader bulk = new BulkLoader(rest, 8, Duration.ofMillis(250));
        Map<String, Long> indexed = new TreeMap<>();
        List<BulkLoader.Item> batch = new ArrayList<>();
        List<BulkLoader.Refused> refused = new ArrayList<>();
        long[] notEvents = {0};
        EventFilter filter = new EventFilter(EventFilter.of(clusters), Set.of(), Set.of(), Set.of(), Set.of(), Set.of());
        ArchiveReplay.Result result = replay.run(topic, partitions, window, filter, true, e -> {
            BulkLoader.Item item = item(e);
            if (item == null) {
                notEvents[0]++;
                return;
            }
            indices.ensure(item.index(), now);
            batch.add(item);
            if (batch.size() >= BULK_DOCS) {
                flush(bulk, batch, refused, indexed);
            }
        }, new ReplayArchiveCommand.Reporter(err, NAME));
        flush(bulk, batch, refused, indexed);
        boolean whole = result.failed() == 0;
        if (whole) {
            // a day of the period without events is rehydrated too: report then knows it was looked at
            for (LocalDate day : IndexCoverage.days(window)) {
                indices.ensure(EventIndexNames.daily(indexPrefix, day), now);
            }
        }
        indices.refresh();
        out.println("rehydrated " + window + " from s3://" + s3Options.bucket() + "/" + s3Options.keyPrefix()
                + " topic " + topic + " into " + indexPrefix + "-*");
        for (LocalDate day : IndexCoverage.days(window)) {
            Long n = indexed.get(EventIndexNames.daily(indexPrefix, day));
            if (n != null || whole) {
                out.println("  " + day + " " + EventIndexNames.daily(indexPrefix, day) + ": "
                        + (n == null ? 0 : n) + " events indexed");
            }
        }
        out.println("objects: " + result.objects() + " verified and read: " + result.replayed() + ", failed: "
                + result.failed());
        out.println("retention: " + retention);
        if (notEvents[0] > 0) {
            err.println(NAME + notEvents[0] + " archived line(s) are not events (no cluster, auditID or stage); the"
                    + " archiver does not index them either");
        }
        for (BulkLoader.Refused r : refused) {
            err.println(NAME + "REFUSED " + r.item().index() + "/" + r.item().id() + ": " + r.status() + " "
                    + r.reason());
        }
        if (!whole) {
            err.println(NAME + "FAILED: " + result.failed() + " of " + result.objects() + " objects failed"
                    + " verification and were not indexed (above); the other " + result.replayed() + " were.");
        }
        out.flush();
        err.flush();
        return whole && refused.isEmpty() ? ExitCodes.OK : ExitCodes.PROBLEMS;
    }

    private static void flush(BulkLoader bulk, List<BulkLoader.Item> batch, List<BulkLoader.Refused> refused,
                              Map<String, Long> indexed) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        List<BulkLoader.Refused> now = bulk.send(batch);
        refused.addAll(now);
        for (BulkLoader.Item item : batch) {
            if (now.stream().noneMatch(r -> r.item() == item)) {
                indexed.merge(item.index(), 1L, Long::sum);
            }
        }
        batch.clear();
    }

    /**
     * The document of an archived event, as the archiver indexes it: its line with {@code record} (topic, partition,
     * offset) added, in the daily index of its {@code timestamp}, under the id of (cluster, auditID, stage). The offset
     * is exact when the object's offsets have no gap (no transaction markers among them), else the object's first
     * offset; either leads to its manifest entry. Null for a line that is not an event.
     */
    BulkLoader.Item item(ArchiveReplay.ArchivedEvent e) {
        JsonNode ev = e.event();
        if (ev == null || !ev.isObject() || !ev.path("cluster").isTextual() || !ev.path("auditID").isTextual()
                || !ev.path("stage").isTextual()) {
            return null;
        }
        ManifestEntry entry = e.entry();
        long offset = entry.count() == entry.lastOffset() - entry.firstOffset() + 1
                ? entry.firstOffset() + e.position() : entry.firstOffset();
        String line = e.line().strip();
        String record = ",\"record\":{\"topic\":" + quoted(entry.topic()) + ",\"partition\":" + entry.partition()
                + ",\"offset\":" + offset + "}}";
        String source = line.substring(0, line.length() - 1).stripTrailing();
        source = (source.endsWith("{") ? source + record.substring(1) : source + record);
        String index = EventIndexNames.indexName(indexPrefix, ev.path("timestamp").asText(null),
                ev.path("receivedAt").asText(null));
        return new BulkLoader.Item(index, EventDocumentIds.documentId(ev.path("cluster").asText(),
                ev.path("auditID").asText(), ev.path("stage").asText()), source.getBytes(StandardCharsets.UTF_8));
    }

    private static String quoted(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException x) {
            throw new IllegalStateException(x);
        }
    }
}
