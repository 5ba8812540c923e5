package io.auditkeeper.cli.investigate;

import io.auditkeeper.evidence.ArchiveLayout;
import io.auditkeeper.evidence.manifest.ManifestKeyException;
import io.auditkeeper.evidence.proof.ArchivedEvents;
import io.auditkeeper.evidence.proof.EventProof;
import io.auditkeeper.evidence.proof.ProofVerifier;
import io.auditkeeper.evidence.store.ArchivedObjectReader;
import io.auditkeeper.evidence.store.EventProofReader;
import io.auditkeeper.evidence.store.EventProofReader.EventMatch;
import io.auditkeeper.evidence.store.EventProofReader.ProofUnavailableException;
import io.auditkeeper.evidence.store.ListedObject;
import io.auditkeeper.model.AuditJson;
import io.auditkeeper.model.AuditTopics;
import io.auditkeeper.opensearch.OpenSearchClientFactory;
import io.auditkeeper.opensearch.OpenSearchConnection;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code auditkeeper prove}: the answer to an auditor's question about one request ("is it in the archive, unaltered,
 * and since when?") as a file they can keep and check offline ({@code verify-proof}), instead of a verification of a
 * whole period. The event is found through the {@code audit-events} index (which records each event's Kafka offset)
 * or, without OpenSearch, by reading the archived objects of a period; the proof is checked before it is written.
 */
@Command(name = "prove", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a proof that one archived event is in the archive, unaltered: the event, its Merkle audit"
                + " path to its signed manifest entry, the chain from that entry to a signed digest, and the key"
                + " history. Check it offline with 'auditkeeper verify-proof'.",
                "The event is found through OpenSearch (--opensearch) or, without it, by reading the archived objects"
                        + " of --from/--to."},
        footer = {ExitCodes.HELP})
public final class ProveCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    S3Options s3Options;

    @Mixin
    OpenSearchOptions openSearchOptions;

    @Option(names = "--audit-id", required = true, paramLabel = "<id>", description = "The request's auditID.")
    String auditId;

    @Option(names = "--stage", paramLabel = "<stage>",
            description = "Its stage (ResponseComplete, RequestReceived, ...); default: the first found.")
    String stage;

    @Option(names = "--cluster", paramLabel = "<name>", description = "Its cluster; default: the first found.")
    String cluster;

    @Option(names = "--topic", defaultValue = AuditTopics.EVENTS, description = "Archived topic (default ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--events-index", defaultValue = "audit-events",
            description = "Index or alias of the events (default ${DEFAULT-VALUE}).")
    String eventsIndex;

    @Option(names = "--rehydrated-prefix", defaultValue = EventIndexNames.REHYDRATED_PREFIX, paramLabel = "<prefix>",
            description = "Prefix of the daily indices 'auditkeeper rehydrate' fills, searched next to --events-index"
                    + " (default ${DEFAULT-VALUE}).")
    String rehydratedPrefix;

    @Option(names = "--from", paramLabel = "<date|instant>",
            description = "Without OpenSearch: the start of the period whose archived objects are searched.")
    String from;

    @Option(names = "--to", paramLabel = "<date|instant>",
            description = "Without OpenSearch: its end, exclusive (a date includes that day). Default: now.")
    String to;

    @Option(names = "--public-key", paramLabel = "<pem>",
            description = "The archive's pinned public key (a copy kept outside the bucket), to check the proof before"
                    + " writing it. Default: the key the archiver published in the bucket (with a warning).")
    Path publicKey;

    @Option(names = {"-o", "--out"}, paramLabel = "<file>",
            description = "Where to write the proof. Default: proof-<audit-id>.json in the current directory.")
    Path out;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TimeWindow window;
        OpenSearchConnection connection = null;
        try {
            window = TimeWindow.parse(from, to);
            if (openSearchOptions.url != null && !openSearchOptions.url.isBlank()) {
                connection = openSearchOptions.connection();
            } else if (from == null) {
                throw new IllegalArgumentException("give --opensearch to find the event through the index, or --from"
                        + " (and --to) to search the archived objects of a period");
            }
        } catch (IllegalArgumentException e) {
            err.println("auditkeeper prove: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        EventMatch match = new EventMatch(auditId, stage, cluster);
        Path file = out != null ? out : Path.of("proof-" + auditId.replaceAll("[^A-Za-z0-9._-]", "_") + ".json");
        try (S3Client s3 = s3Options.client()) {
            ArchiveLayout layout = s3Options.layout();
            PublicKeySource keys = PublicKeySource.load(publicKey, s3, s3Options.bucket(), layout);
            String warning = keys.warning("prove", "checking the proof");
            if (warning != null) {
                err.println(warning);
            }
            Optional<Located> located = connection != null ? throughIndex(connection, err)
                    : throughArchive(s3, layout, window);
            if (located == null) {
                return ExitCodes.UNREACHABLE;
            }
            if (located.isEmpty()) {
                err.println("auditkeeper prove: no event with audit-id " + auditId
                        + (stage == null ? "" : " stage " + stage) + (cluster == null ? "" : " cluster " + cluster)
                        + (connection != null ? " is in " + eventsIndex + " or " + rehydratedPrefix + "-*"
                        : " is archived in " + window));
                return ExitCodes.PROBLEMS;
            }
            Located at = located.get();
            EventProof proof = new EventProofReader(s3, s3Options.bucket(), layout)
                    .prove(at.topic(), at.partition(), at.offset(), match);
            ProofVerifier.Report report = new ProofVerifier(keys.verifier().keys().pinnedKey()).verify(proof);
            VerifyProofCommand.print(stdout, proof, report);
            if (!report.ok()) {
                err.println("auditkeeper prove: the proof does not hold; it was not written. Run auditkeeper verify.");
                return ExitCodes.PROBLEMS;
            }
            Files.write(file, proof.toJson());
            stdout.println("proof written to " + file);
            stdout.println("check it: auditkeeper verify-proof " + file + " --public-key "
                    + (publicKey != null ? publicKey : "<the archive's pinned public key>"));
            return ExitCodes.OK;
        } catch (ProofUnavailableException e) {
            err.println("auditkeeper prove: " + e.getMessage());
            return ExitCodes.PROBLEMS;
        } catch (IOException e) {
            err.println("auditkeeper prove: " + file + " cannot be written: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (IllegalArgumentException | ManifestKeyException e) {
            err.println("auditkeeper prove: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (SdkException e) {
            return s3Options.failure(e, err, "auditkeeper prove: ");
        }
    }

    /** Where the event is: an offset of the partition whose manifest entry holds it. */
    private record Located(String topic, int partition, long offset) {
    }

    /** The event's offset as the index recorded it; null when OpenSearch cannot be used (said on {@code err}). */
    private Optional<Located> throughIndex(OpenSearchConnection connection, PrintWriter err) {
        OpenSearchClient client = null;
        try {
            client = OpenSearchClientFactory.create(connection);
            List<EvidenceSearch.RecordLocation> found = new EvidenceSearch(client, connection, eventsIndex, eventsIndex,
                    TimeWindow.ALL, List.of(), 10).rehydrated(rehydratedPrefix)
                    .locate(auditId, stage, cluster);
            return found.stream().filter(r -> topic.equals(r.topic())).findFirst()
                    .map(r -> new Located(r.topic(), r.partition(), r.offset()));
        } catch (EvidenceSearch.SearchException e) {
            err.println("auditkeeper prove: " + e.getMessage());
            return null;
        } finally {
            if (client != null) {
                try {
                    client._transport().close();
                } catch (IOException ignored) {
                    // closing a client that was only read from
                }
            }
        }
    }

    /** The first archived object of the period that holds the event, read in key order; each key once. */
    private Optional<Located> throughArchive(S3Client s3, ArchiveLayout layout, TimeWindow window) {
        EventMatch match = new EventMatch(auditId, stage, cluster);
        Set<String> keys = new LinkedHashSet<>();
        for (ListedObject o : new ArchivedObjectReader(s3, s3Options.bucket(), layout)
                .versions(ArchiveLayout.EVENTS, topic, window.from().equals(java.time.Instant.EPOCH) ? null
                        : window.from(), window.to().equals(java.time.Instant.MAX) ? null : window.to())) {
            keys.add(o.key());
        }
        for (String key : keys) {
            byte[] content = s3.getObjectAsBytes(b -> b.bucket(s3Options.bucket()).key(key)).asByteArray();
            try {
                for (byte[] line : ArchivedEvents.lines(content)) {
                    if (match.matches(AuditJson.mapper().readTree(line))) {
                        ArchiveLayout.ObjectKey k = layout.parseObject(key).orElseThrow();
                        return Optional.of(new Located(k.topic(), k.partition(), k.firstOffset()));
                    }
                }
            } catch (IOException e) {
                // not gzip NDJSON: verify reports it; the event is looked for in the other objects
            }
        }
        return Optional.empty();
    }
}
