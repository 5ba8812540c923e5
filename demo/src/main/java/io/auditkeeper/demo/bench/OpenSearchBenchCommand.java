package io.auditkeeper.demo.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditkeeper.localstack.LocalStack;
import io.auditkeeper.localstack.LocalStackSettings;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.opensearch.schema.EventIndexNames;
import io.auditkeeper.opensearch.schema.EventIndexTemplate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code auditkeeper bench opensearch}: OpenSearch alone, indexing the documents the pipeline indexes, with the
 * events' template, into one daily index, from parallel plain {@code _bulk} requests, with nothing else running: the
 * floor under {@code bench e2e}'s "events/s searchable". It prints documents/s indexed and searchable and the CPU per
 * document of OpenSearch's threads; the template's options can be varied (refresh interval, the whole event kept in
 * {@code _source} or sent at all, {@code userAgent}'s text subfield) to measure what each costs before anyone chooses it.
 */
@Command(name = "opensearch", mixinStandardHelpOptions = true,
        description = "Measure OpenSearch alone indexing the pipeline's documents: the floor under bench e2e.")
public final class OpenSearchBenchCommand implements Callable<Integer> {
    private static final String PREFIX = EventIndexNames.HOT_PREFIX;
    private static final int TEMPLATES = 2_000;
    private static final String BULK_QUERY = "?filter_path=errors,items.*._id,items.*._index,items.*.status,items.*.error";

    @Option(names = "--documents", defaultValue = "200000", description = "Documents per measured round (default: ${DEFAULT-VALUE}).")
    long documents;

    @Option(names = "--warm-up", defaultValue = "200000", description = "Documents indexed first, not measured (default: ${DEFAULT-VALUE}).")
    long warmUp;

    @Option(names = "--rounds", defaultValue = "2", description = "Measured rounds, each with new documents (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--senders", defaultValue = "4", description = "Bulk requests in flight at once (default: ${DEFAULT-VALUE}).")
    int senders;

    @Option(names = "--bulk-docs", defaultValue = "500",
            description = "Documents per bulk request; the indexer's polls hold up to 500 (default: ${DEFAULT-VALUE}).")
    int bulkDocs;

    @Option(names = "--refresh-interval", defaultValue = "1s",
            description = "The index's refresh_interval; the template's is 1s (default: ${DEFAULT-VALUE}).")
    String refreshInterval;

    @Option(names = "--without-event-source",
            description = "Leave the whole event (field 'event') out of _source: measures what keeping it costs.")
    boolean withoutEventSource;

    @Option(names = "--without-event",
            description = "Send the documents without the whole event (field 'event'): measures what indexing it costs.")
    boolean withoutEvent;

    @Option(names = "--user-agent-keyword-only", description = "Index userAgent as a keyword only, without its text subfield.")
    boolean userAgentKeywordOnly;

    @Mixin
    BenchOptions options;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** The OpenSearch under measurement, how to reach it, and the documents sent to it; set once the stack is up. */
    private HttpClient http;
    private URI bulkUri;
    private FloorDocuments docs;
    private SearchableCount count;

    /** One measured round. */
    record Round(long documents, double indexedSeconds, double searchableSeconds, Map<String, Long> cpuNanos) {
        double searchableRate() {
            return documents / searchableSeconds;
        }

        double micros(String row) {
            return cpuNanos.getOrDefault(row, 0L) / 1e3 / documents;
        }

        double allMicros() {
            return cpuNanos.values().stream().mapToLong(Long::longValue).sum() / 1e3 / documents;
        }
    }

    static final String OPENSEARCH = "OpenSearch";
    static final String CLIENT = "client (builds and sends the bulks)";

    @Override
    public Integer call() throws Exception {
        if (documents < 1 || rounds < 1 || senders < 1 || bulkDocs < 1 || warmUp < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--documents, --rounds, --senders and --bulk-docs must each be at least 1, --warm-up at least 0");
        }
        PrintStream out = System.out;
        List<byte[]> normalized = NormalizedEvents.build(options.corpus().events(), TEMPLATES);
        String index = EventIndexNames.daily(PREFIX, LocalDate.now(ZoneOffset.UTC));
        docs = FloorDocuments.of(normalized, index, withoutEvent);
        int cores = Runtime.getRuntime().availableProcessors();
        try (LocalStack stack = new LocalStack(LocalStackSettings.fromEnvironment(System.getenv(),
                options.workDir().resolve("opensearch-stack")))) {
            URI base = URI.create(stack.openSearchUrl());
            bulkUri = URI.create(base.toString().replaceAll("/+$", "") + "/_bulk" + BULK_QUERY);
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            put(http, base.resolve("/_index_template/" + PREFIX), AuditJson.mapper().writeValueAsBytes(
                    template(refreshInterval, withoutEventSource, userAgentKeywordOnly)));
            out.printf("Audit Keeper OpenSearch floor: %d documents a round (%.1f KB each on average, %d templates with "
                            + "fresh auditIDs), bulks of %d from %d senders, one daily index (1 shard, 0 replicas, refresh %s%s%s), "
                            + "OpenSearch 2.19 in this JVM, %d cores, nothing else running%n", documents,
                    docs.averageBytes() / 1024, TEMPLATES, bulkDocs, senders, refreshInterval,
                    (withoutEventSource ? ", event left out of _source" : "") + (withoutEvent ? ", documents without the event" : ""),
                    userAgentKeywordOnly ? ", userAgent keyword only" : "",
                    cores);
            count = new SearchableCount(base, "bench");
            long total = 0;
            if (warmUp > 0) {
                total += warmUp;
                Round warm = round("warm", warmUp, total);
                out.printf("warm-up: %d documents searchable after %.1f s (%.0f/s), not measured%n", warmUp,
                        warm.searchableSeconds(), warm.searchableRate());
            }
            double[] rates = new double[rounds];
            double[] micros = new double[rounds];
            for (int r = 1; r <= rounds; r++) {
                total += documents;
                Round round = round("r" + r, documents, total);
                rates[r - 1] = round.searchableRate();
                micros[r - 1] = round.micros(OPENSEARCH);
                out.printf("%nround %d: %d documents indexed (bulks acknowledged) after %.1f s (%.0f/s), searchable after %.1f s "
                        + "(%.0f/s)%n  CPU per document:", r, documents, round.indexedSeconds(), documents / round.indexedSeconds(),
                        round.searchableSeconds(), round.searchableRate());
                round.cpuNanos().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                        .forEach(e -> out.printf(" %s %.1f µs;", e.getKey(), e.getValue() / 1e3 / documents));
                out.printf(" all %.1f µs (the machine: %d cores x %.1f s / documents = %.1f µs)%n", round.allMicros(), cores,
                        round.searchableSeconds(), cores * round.searchableSeconds() * 1e6 / documents);
            }
            double median = StreamsBenchCommand.median(rates);
            double openSearchMicros = StreamsBenchCommand.median(micros);
            out.printf("%nOpenSearch alone: %.0f documents/s searchable (median of %d rounds), %.1f µs of OpenSearch CPU per "
                            + "document: at 10,000 documents/s OpenSearch alone takes %.2f of the %d cores%n", median, rounds,
                    openSearchMicros, openSearchMicros * 10_000 / 1e6, cores);
        }
        return 0;
    }

    /** The events' template as the archiver installs it on one node, with the variations asked for. */
    static ObjectNode template(String refreshInterval, boolean withoutEventSource, boolean userAgentKeywordOnly) throws IOException {
        ObjectNode root = (ObjectNode) AuditJson.mapper().readTree(EventIndexTemplate.json(PREFIX, PREFIX,
                new EventIndexTemplate.Options(0, true), "bench opensearch"));
        ObjectNode template = (ObjectNode) root.get("template");
        ((ObjectNode) template.get("settings").get("index")).put("refresh_interval", refreshInterval);
        ObjectNode mappings = (ObjectNode) template.get("mappings");
        if (withoutEventSource) {
            ((ArrayNode) mappings.putObject("_source").putArray("excludes")).add("event");
        }
        if (userAgentKeywordOnly) {
            ((ObjectNode) mappings.get("properties").get("userAgent")).remove("fields");
        }
        return root;
    }

    /**
     * Sends {@code count} new documents from the senders at full speed, and waits until {@code searchable} documents
     * in all are; CPU is counted by thread from before the first request to then.
     */
    private Round round(String name, long n, long searchable) throws Exception {
        long bulks = (n + bulkDocs - 1) / bulkDocs;
        AtomicLong next = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Map<String, Long> before = cpu();
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            Thread t = new Thread(() -> {
                try {
                    for (long b; (b = next.getAndIncrement()) < bulks && failure.get() == null; ) {
                        long first = b * bulkDocs;
                        bulk(docs.bulk(name, first, (int) Math.min(bulkDocs, n - first)));
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }, "floor-sender-" + s);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a bulk request failed: " + failure.get().getMessage(), failure.get());
        }
        long indexed = System.nanoTime();
        List<SearchableCount.Sample> samples = count.until(searchable, Duration.ofMinutes(5));
        SearchableCount.Sample last = samples.get(samples.size() - 1);
        if (last.count() < searchable) {
            throw new IllegalStateException("only " + last.count() + " of " + searchable + " documents searchable after 5 minutes");
        }
        Map<String, Long> after = cpu();
        after.replaceAll((row, nanos) -> nanos - before.getOrDefault(row, 0L));
        return new Round(n, (indexed - t0) / 1e9, (last.nanos() - t0) / 1e9, after);
    }

    private void bulk(byte[] body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(bulkUri).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || !r.body().startsWith("{\"errors\":false")) {
            throw new IOException("bulk answered " + r.statusCode() + ": " + r.body().substring(0, Math.min(300, r.body().length())));
        }
    }

    private static void put(HttpClient http, URI uri, byte[] json) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofByteArray(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("PUT " + uri.getPath() + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    private static Map<String, Long> cpu() {
        return ProcessCpu.threadNanos(ProcessHandle.current().pid(), OpenSearchBenchCommand::group);
    }

    /** The row of a thread of this JVM, by its Linux name. */
    static String group(String thread) {
        String jvm = PipelineCpu.jvmGroup(thread);
        if (jvm != null) {
            return jvm;
        }
        if (thread.startsWith("opensearch[")) {
            return OPENSEARCH;
        }
        if (thread.startsWith("floor-sender") || thread.startsWith("HttpClient")) {
            return CLIENT;
        }
        return "other";
    }
}
